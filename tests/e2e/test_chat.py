"""The agent chat in a browser: a visitor on a phone-sized page at /a/<slug> (streamed reply,
returning visitor, markup shown as text), Private and unknown agents, the widget snippet on
a plain page served from another port, frame headers, and the Playground."""

from __future__ import annotations

import functools
import http.server
import re
import secrets
import threading
import urllib.request

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import DEFAULT_TIMEOUT_MS, _free_port
from tests.e2e.helpers import live_db, open_page, screenshot, sign_in

PHONE = {"width": 390, "height": 844}
REPLY_TIMEOUT_MS = 30_000
XSS = '<img src=x onerror="window.__xss=1"><script>window.__xss=2</script> **bold**'

# Records whether the streamed (unfinished) reply bubble or the typing dots were ever shown.
WATCH_STREAM = """
window.__sawStream = false; window.__sawTyping = false;
new MutationObserver(() => {
  if (document.querySelector('.crm-chat-streaming')) window.__sawStream = true;
  if (document.querySelector('.crm-chat-typing')) window.__sawTyping = true;
}).observe(document.body, {childList: true, subtree: true, characterData: true});
"""


@pytest.fixture()
def clinic(live_app, monkeypatch):
    """An Owner with a Public agent, a Private one; returns their slugs and the owner."""
    from crm_app.models import Agent
    from crm_app.services import agents

    tag = secrets.token_hex(3)
    email = f"owner.{tag}@seaside-clinic.example"
    with live_db(live_app, monkeypatch) as s:
        owner = agents.create_owner(s, email, "Seaside Clinic", "Rosa", "Alvarez")
        public = agents.create_agent(
            s, owner, "Reception", f"reception-{tag}", welcome_message="Hi! I'm the receptionist."
        )
        private = agents.create_agent(s, owner, "Back Office", f"back-office-{tag}")
        s.get(Agent, public.id).visibility = "Public"
        s.get(Agent, public.id).access_mode = "Use for Free"
        return {
            "email": email,
            "slug": public.slug,
            "agent_id": public.id,
            "private_slug": private.slug,
        }


@pytest.fixture()
def phone(browser, live_app):
    context = browser.new_context(base_url=live_app.base_url, viewport=PHONE, is_mobile=True)
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    try:
        yield context
    finally:
        context.close()


@pytest.fixture()
def other_site(tmp_path):
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(tmp_path))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", _free_port()), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield tmp_path, f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def _send(scope, text: str) -> None:
    box = scope.get_by_role("textbox", name="Message")
    box.fill(text)
    box.press("Enter")


def _agent_messages(scope):
    return scope.locator(".crm-chat-agent:not(.crm-chat-streaming)")


def test_a_visitor_on_a_phone_chats_and_comes_back(phone, live_app, clinic):
    page = phone.new_page()
    open_page(page, live_app.url(f"/a/{clinic['slug']}"))
    expect(page.get_by_role("heading", name="Reception")).to_be_visible()
    expect(page.get_by_text("Hi! I'm the receptionist.")).to_be_visible()
    page.evaluate(WATCH_STREAM)

    _send(page, "Hello, I would like an appointment next week.")
    expect(page.locator(".crm-chat-visitor")).to_have_count(1)
    expect(page.get_by_role("textbox", name="Message")).to_have_value("")
    # The welcome, then the streamed reply once it is complete (copy/like/dislike under it).
    expect(_agent_messages(page)).to_have_count(2, timeout=REPLY_TIMEOUT_MS)
    expect(page.get_by_role("button", name="Like")).to_have_count(2)
    assert page.evaluate("window.__sawTyping || window.__sawStream")
    screenshot(page, "chat-phone")

    # Like sticks; the cookie that identifies the visitor is HttpOnly.
    page.get_by_role("button", name="Like").last.click()
    expect(page.get_by_role("button", name="Like").last).to_have_attribute("aria-pressed", "true")
    cookie = next(c for c in phone.cookies() if c["name"] == "crm_chat_visitor")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Lax" and cookie["path"] == "/"

    # Same browser, later: the conversation is there again and listed under Chats.
    page.close()
    again = phone.new_page()
    open_page(again, live_app.url(f"/a/{clinic['slug']}"))
    expect(again.locator(".crm-chat-visitor")).to_have_text(
        re.compile("Hello, I would like an appointment next week.")
    )
    expect(again.get_by_role("button", name="Like").last).to_have_attribute("aria-pressed", "true")
    again.get_by_role("button", name="New chat").click()
    expect(again.locator(".crm-chat-visitor")).to_have_count(0)
    again.get_by_role("button", name="Earlier chats").click()
    again.get_by_role("menuitem").filter(has_text="appointment").click()
    expect(again.locator(".crm-chat-visitor")).to_have_count(1)


def test_markup_in_messages_is_shown_as_text(page, live_app, clinic, monkeypatch):
    from sqlmodel import select

    from crm_app.models import Conversation, Message

    page.set_viewport_size({"width": 1280, "height": 860})
    open_page(page, live_app.url(f"/a/{clinic['slug']}"))
    _send(page, XSS)
    expect(_agent_messages(page)).to_have_count(2, timeout=REPLY_TIMEOUT_MS)
    visitor = page.locator(".crm-chat-visitor")
    expect(visitor).to_contain_text('<img src=x onerror="window.__xss=1">')
    expect(visitor).to_contain_text("**bold**")  # visitors' text is not Markdown

    # An agent reply with HTML in it (as a provider might send): text, never elements.
    with live_db(live_app, monkeypatch) as s:
        conversation = s.exec(
            select(Conversation)
            .where(Conversation.agent_id == clinic["agent_id"])
            .order_by(Conversation.id.desc())
        ).first()
        s.add(
            Message(
                conversation_id=conversation.id,
                role="agent",
                content=XSS
                + "\n\n![tracker](http://127.0.0.1:9/pixel.png) [site](javascript:alert(1))",
            )
        )
    open_page(page, live_app.url(f"/a/{clinic['slug']}"))
    last = _agent_messages(page).last
    expect(last).to_contain_text('<img src=x onerror="window.__xss=1">')
    expect(last).to_contain_text("<script>window.__xss=2</script>")
    expect(last.locator("strong")).to_have_text("bold")  # Markdown itself works
    expect(last).to_contain_text("tracker")
    assert last.locator("img, script").count() == 0
    assert page.evaluate("window.__xss") is None
    assert "javascript" not in (last.get_by_role("link", name="site").get_attribute("href") or "")
    screenshot(page, "chat-desktop")


def test_private_and_unknown_agents_say_so(page, live_app, clinic):
    page.set_viewport_size(PHONE)
    open_page(page, live_app.url(f"/a/{clinic['private_slug']}"))
    expect(
        page.get_by_text("This agent is private. Team members can try it in the Playground.")
    ).to_be_visible()
    expect(page.get_by_role("textbox", name="Message")).to_have_count(0)
    open_page(page, live_app.url("/a/no-such-agent-here"))
    expect(page.get_by_text("Agent not found")).to_be_visible()
    expect(page.get_by_role("textbox", name="Message")).to_have_count(0)


def test_only_public_pages_may_be_framed(live_app, clinic):
    def headers(path: str):
        with urllib.request.urlopen(live_app.url(path), timeout=20) as response:
            return response.headers

    chat = headers(f"/a/{clinic['slug']}?embed=1")
    assert chat.get("X-Frame-Options") is None
    assert "frame-ancestors" not in (chat.get("Content-Security-Policy") or "")
    for path in ("/login", "/agents", f"/agents/{clinic['agent_id']}/playground"):
        dashboard = headers(path)
        assert dashboard.get("X-Frame-Options") == "DENY", path
        assert "frame-ancestors 'none'" in dashboard.get("Content-Security-Policy", ""), path
    widget = headers("/widget.js")
    assert widget.get("Content-Type", "").startswith("application/javascript")
    assert "max-age" in widget.get("Cache-Control", "")


def _widget_page(directory, live_app, clinic) -> None:
    (directory / "index.html").write_text(
        "<!doctype html><html><head><title>Seaside Clinic</title>"
        '<meta name="viewport" content="width=device-width, initial-scale=1"></head><body>'
        "<h1>Seaside Clinic</h1><p>Welcome to our website.</p>"
        f'<script src="{live_app.base_url}/widget.js" data-agent="{clinic["slug"]}" async></script>'
        "</body></html>"
    )


def _open_widget(page, url: str):
    page.goto(url)
    page.get_by_role("button", name="Chat with us").click()
    frame = page.frame_locator("iframe[title='Chat with us']")
    expect(frame.get_by_role("textbox", name="Message")).to_be_visible(timeout=30_000)
    return frame


def test_the_widget_snippet_works_on_another_site(browser, live_app, clinic, other_site):
    """The site is 127.0.0.1, the chat localhost: a third-party iframe, which this
    Chromium (like Chrome's Incognito windows) denies any storage — the page falls back to
    memory (api/embed.py) and the chat still works."""
    directory, site = other_site
    _widget_page(directory, live_app, clinic)
    context = browser.new_context(viewport={"width": 1280, "height": 860})
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    try:
        page = context.new_page()
        widget_requests = []
        page.on(
            "request", lambda r: widget_requests.append(r) if r.url.endswith("/widget.js") else None
        )
        frame = _open_widget(page, f"{site}/index.html")
        assert widget_requests and widget_requests[0].headers.get("origin") is None
        expect(frame.get_by_text("Hi! I'm the receptionist.")).to_be_visible()
        _send(frame, "Do you take walk-ins?")
        expect(frame.locator(".crm-chat-visitor")).to_have_count(1)
        expect(_agent_messages(frame)).to_have_count(2, timeout=REPLY_TIMEOUT_MS)
        screenshot(page, "chat-widget-desktop")

        # The close button inside the chat closes the panel (a message to this page).
        frame.get_by_role("button", name="Close chat").click()
        expect(page.locator("iframe[title='Chat with us']")).to_be_hidden()
        page.get_by_role("button", name="Chat with us").click()
        expect(frame.get_by_text("Do you take walk-ins?")).to_be_visible()

        # A phone: the panel covers the screen.
        page.set_viewport_size(PHONE)
        box = page.locator("iframe[title='Chat with us']").bounding_box()
        assert box and box["width"] == PHONE["width"] and box["height"] == PHONE["height"]
        screenshot(page, "chat-widget-phone")
    finally:
        context.close()


def test_the_widget_remembers_a_visitor_in_the_iframes_own_storage(
    browser, live_app, clinic, other_site
):
    """Where the iframe may use storage (here: a site on another port of the same host, so
    no third-party blocking applies), it keeps the visitor's token in its own localStorage,
    not in a cookie, and a returning visitor sees the earlier conversation."""
    directory, site = other_site
    _widget_page(directory, live_app, clinic)
    site = site.replace("127.0.0.1", "localhost")
    context = browser.new_context(viewport={"width": 1280, "height": 860})
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    try:
        page = context.new_page()
        frame = _open_widget(page, f"{site}/index.html")
        chat = next(f for f in page.frames if "/a/" in f.url)
        assert chat.evaluate("window.localStorage instanceof Storage")  # the real storage
        stored = chat.wait_for_function("localStorage.getItem('crm_chat_visitor')").json_value()
        _send(frame, "Is there parking nearby?")
        expect(_agent_messages(frame)).to_have_count(2, timeout=REPLY_TIMEOUT_MS)
        page.close()

        again = context.new_page()
        frame = _open_widget(again, f"{site}/index.html")
        expect(frame.get_by_text("Is there parking nearby?")).to_be_visible()
        chat = next(f for f in again.frames if "/a/" in f.url)
        assert chat.evaluate("localStorage.getItem('crm_chat_visitor')") == stored
        assert not [c for c in context.cookies() if c["name"] == "crm_chat_visitor"]
    finally:
        context.close()


def test_the_playground_is_a_test_chat_for_members(page, live_app, clinic):
    sign_in(page, live_app, clinic["email"])
    page.goto(live_app.url(f"/agents/{clinic['agent_id']}/playground"))
    expect(page.get_by_text("Test conversation — nothing is saved to contacts.")).to_be_visible()
    expect(page.get_by_text("Hi! I'm the receptionist.")).to_be_visible()
    _send(page, "Hi, I'm Maya Lopez, my email is maya.lopez@example.com")
    expect(_agent_messages(page)).to_have_count(2, timeout=REPLY_TIMEOUT_MS)
    screenshot(page, "chat-playground")
    # The sidebar links to it; the Share dialog shows the snippets with copy buttons.
    expect(page.locator("#crm-sidebar").get_by_role("link", name="Playground")).to_be_visible()
    open_page(page, live_app.url("/agents"))
    page.get_by_role("button", name="Share").first.click()
    dialog = page.get_by_role("dialog")
    expect(dialog.get_by_text(re.compile(r"/widget\.js\" data-agent="))).to_be_visible()
    expect(dialog.get_by_role("button", name="Copy chat widget")).to_be_visible()
    screenshot(page, "chat-share-dialog")
