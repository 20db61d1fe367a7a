"""Self-service for a visitor signed in to a gated agent, end to end: the visitor downloads
what the CRM holds about them and asks for erasure; the clinic's owner sees the request
(sidebar badge, Contacts callout, Data requests page) and erases the contact with one
click; the audit log has the entry.

The sign-in screens are another piece of work: the visitor's guest session is written to
the database here, and the browser gets the visitor's cookie through the chat page's own
ticket hand-off (POST /api/chat/visitor), or the token in the widget iframe's storage."""

from __future__ import annotations

import json
import re
import secrets
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import select

from crm_app.models import (
    Agent,
    AuditLog,
    Contact,
    Conversation,
    GuestSession,
    Message,
    User,
    utcnow,
)
from crm_app.services import agents, visitor_cookie
from crm_app.services.chat import visitors
from crm_app.services.contacts import Origin, save_contact
from crm_app.services.principal import member
from tests.e2e.conftest import DEFAULT_TIMEOUT_MS
from tests.e2e.helpers import live_db, open_page, screenshot, sign_in_with_ticket

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}


@pytest.fixture()
def gated(live_app, monkeypatch):
    """A Restrict agent of a clinic, its contact Maria signed in from one browser (token),
    with one conversation."""
    tag = secrets.token_hex(3)
    token = visitors.new_visitor_token()
    with live_db(live_app, monkeypatch) as s:
        owner = agents.create_owner(
            s, f"rosa.{tag}@harbor.example", "Harbor Clinic", "Rosa", "Alvarez"
        )
        agent = agents.create_agent(s, owner, "Front desk", f"harbor-{tag}")
        row = s.get(Agent, agent.id)
        row.visibility, row.access_mode = "Public", "Restrict"
        s.add(row)
        actor = member(s, owner.user_id, owner.org_id)
        maria = save_contact(
            s,
            row,
            {"name": "Maria Lopez", "email": f"maria.{tag}@example.com"},
            source="Manual",
            origin=Origin.member(actor),
        ).contact
        s.add(
            GuestSession(
                agent_id=agent.id,
                visitor_id=visitors.visitor_key(token),
                contact_id=maria.id,
                email=maria.email,
                expires_at=utcnow() + timedelta(days=30),
            )
        )
        chat = Conversation(agent_id=agent.id, contact_id=maria.id, title="Cleaning appointment")
        s.add(chat)
        s.flush()
        s.add(Message(conversation_id=chat.id, role="visitor", content="Can I book a cleaning?"))
        ticket = visitor_cookie.issue_ticket(token)
        return {
            "slug": agent.slug,
            "agent_id": agent.id,
            "org_id": owner.org_id,
            "owner_id": owner.user_id,
            "contact_id": maria.id,
            "email": maria.email,
            "token": token,
            "ticket": ticket,
        }


def _visitor(browser, live_app, viewport=None, **kw) -> Page:
    context = browser.new_context(
        base_url=live_app.base_url, viewport=viewport or {"width": 1280, "height": 800}, **kw
    )
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    return context.new_page()


def _with_cookie(page: Page, live_app, gated) -> None:
    """The chat page's own hand-off: the signed ticket traded for the HttpOnly cookie —
    from another page of ours (the chat page would trade a ticket of its own meanwhile)."""
    url = live_app.url(f"/a/{gated['slug']}")
    page.goto(live_app.url("/widget.js"))
    status = page.evaluate(
        """async (ticket) => (await fetch('/api/chat/visitor', {method: 'POST',
            credentials: 'same-origin', headers: {'Content-Type': 'application/json'},
            body: JSON.stringify({ticket})})).status""",
        gated["ticket"],
    )
    assert status == 204
    open_page(page, url)  # the websocket now carries the cookie


def test_a_visitor_downloads_their_data_asks_for_erasure_and_the_owner_erases(
    browser, page: Page, live_app, gated, monkeypatch
):
    visitor = _visitor(browser, live_app)
    _with_cookie(visitor, live_app, gated)
    menu = visitor.get_by_role("button", name="Your data")
    expect(menu).to_be_visible()
    menu.click()
    expect(visitor.get_by_role("menu", name="Your data")).to_contain_text(gated["email"])
    screenshot(visitor, "self-service-menu")
    with visitor.expect_download() as download_info:
        visitor.get_by_role("menuitem", name="Download my data").click()
    download = download_info.value
    assert re.fullmatch(
        rf"my-data-{gated['slug']}-\d{{4}}-\d{{2}}-\d{{2}}\.json", download.suggested_filename
    )
    data = json.loads(Path(download.path()).read_text(encoding="utf-8"))
    assert data["contact"]["name"] == "Maria Lopez" and data["contact"]["email"] == gated["email"]
    assert data["conversations"][0]["messages"][0]["text"] == "Can I book a cleaning?"
    expect(visitor.get_by_text("Your data was downloaded.")).to_be_visible()

    menu.click()
    visitor.get_by_role("menuitem", name="Ask to erase my data").click()
    dialog = visitor.get_by_role("alertdialog", name="Erase your data?")
    expect(dialog).to_contain_text("cannot be undone")
    screenshot(visitor, "self-service-erase-confirm")
    dialog.get_by_role("button", name="Ask to erase").click()
    expect(visitor.get_by_text("Your request was sent.")).to_be_visible()
    expect(dialog).to_have_count(0)
    menu.click()
    expect(visitor.get_by_role("menuitem", name="Erasure requested")).to_be_visible()
    visitor.keyboard.press("Escape")
    visitor.context.close()

    # The owner: a badge in the sidebar, a callout on Contacts, the request on its page.
    contacts = f"/agents/{gated['agent_id']}/crm/contacts"
    sign_in_with_ticket(
        page, live_app, monkeypatch, User(id=gated["owner_id"]), gated["org_id"], contacts
    )
    page.wait_for_url(re.compile(re.escape(contacts)))
    sidebar = page.locator("#crm-sidebar")
    link = sidebar.get_by_role("link", name=re.compile("Data requests"))
    expect(link).to_contain_text("1")
    expect(page.get_by_text("A visitor asked to have their data erased.")).to_be_visible()
    screenshot(page, "self-service-contacts-callout")
    page.get_by_role("link", name="Review data requests").click()
    page.wait_for_url(re.compile("/crm/data-requests"))
    erase = page.get_by_role("button", name="Erase Maria Lopez")
    expect(erase).to_be_visible()
    screenshot(page, "self-service-data-requests")
    page.set_viewport_size(PHONE)
    screenshot(page, "self-service-data-requests-open-phone")
    page.set_viewport_size({"width": 1366, "height": 900})
    erase.click()
    confirm = page.get_by_role("alertdialog", name="Erase Maria Lopez?")
    confirm.get_by_role("button", name="Erase contact").click()
    expect(page.get_by_text("Contact erased. The request is closed.")).to_be_visible()
    expect(page.get_by_text("No open requests")).to_be_visible()
    expect(link).not_to_contain_text("1")
    page.get_by_role("radio", name="Handled").click()
    expect(page.get_by_text("Erased contact")).to_be_visible()
    expect(page.get_by_text("Erased", exact=True)).to_be_visible()
    screenshot(page, "self-service-handled")

    # Phone width: the same page, one column.
    page.set_viewport_size(PHONE)
    screenshot(page, "self-service-data-requests-phone")

    with live_db(live_app, monkeypatch) as s:
        assert s.get(Contact, gated["contact_id"]) is None
        audit = [a.description for a in s.exec(select(AuditLog)).all()]
        assert any("at the visitor's request" in d for d in audit)
        assert not any("Maria" in d or gated["email"] in d for d in audit)
    open_page(page, live_app.url("/settings/audit-logs"))
    expect(page.get_by_text(re.compile("at the visitor's request")).first).to_be_visible()


def test_inside_the_widget_the_iframe_token_downloads_on_a_phone(browser, live_app, gated):
    visitor = _visitor(browser, live_app, viewport=PHONE, is_mobile=True)
    visitor.context.add_init_script(
        f"window.localStorage.setItem('crm_chat_visitor', {json.dumps(gated['token'])})"
    )
    open_page(visitor, live_app.url(f"/a/{gated['slug']}?embed=1"))
    menu = visitor.get_by_role("button", name="Your data")
    expect(menu).to_be_visible()
    screenshot(visitor, "self-service-embed-phone")
    menu.click()
    screenshot(visitor, "self-service-embed-phone-menu")
    with visitor.expect_download() as download_info:
        visitor.get_by_role("menuitem", name="Download my data").click()
    data = json.loads(Path(download_info.value.path()).read_text(encoding="utf-8"))
    assert data["contact"]["id"] == gated["contact_id"]
    assert not [c for c in visitor.context.cookies() if c["name"] == "crm_chat_visitor"]
    visitor.context.close()
