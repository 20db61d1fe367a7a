"""A Restrict agent in the browser: a stranger gets the very same screens as a contact but
no code and no access; a contact signs in with the code from the mailbox, chats and signs
out; five wrong codes lock; a stage rule lets a Customer in and keeps a Lead out, and a
contact moved out of the rule is sent back to the sign-in screen on their next message."""

from __future__ import annotations

import re
import secrets
import time

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import DEFAULT_TIMEOUT_MS
from tests.e2e.helpers import (
    _latest_email,
    latest_email_id,
    live_db,
    open_page,
    read_code_from_mailbox,
    screenshot,
)

PHONE = {"width": 390, "height": 844}
REPLY_TIMEOUT_MS = 30_000
TITLE = "Authenticate To Use the Chatbot"


@pytest.fixture()
def gated(live_app, monkeypatch):
    """A Public · Restrict agent with two Active contacts: a Customer and a Lead."""
    from sqlmodel import select

    from crm_app.models import Agent, Contact, Stage
    from crm_app.services import agents

    tag = secrets.token_hex(3)
    with live_db(live_app, monkeypatch) as s:
        owner = agents.create_owner(s, f"owner.{tag}@members.example", "Members Club", "Ines")
        made = agents.create_agent(
            s, owner, "Concierge", f"concierge-{tag}", welcome_message="Welcome back, member!"
        )
        agent = s.get(Agent, made.id)
        agent.visibility, agent.access_mode = "Public", "Restrict"
        stages = {st.name: st.id for st in s.exec(select(Stage).where(Stage.agent_id == agent.id))}
        people = {
            "customer": (f"carla.{tag}@members.example", "Carla Diaz", stages["Customer"]),
            "lead": (f"leo.{tag}@members.example", "Leo Park", stages["Lead"]),
        }
        ids = {}
        for key, (email, name, stage_id) in people.items():
            contact = Contact(
                agent_id=agent.id, email=email, name=name, source="Manual", stage_id=stage_id
            )
            s.add(contact)
            s.flush()
            ids[key] = contact.id
        return {
            "slug": agent.slug,
            "agent_id": agent.id,
            "customer": people["customer"][0],
            "lead": people["lead"][0],
            "customer_id": ids["customer"],
            "stages": stages,
            "stranger": f"stranger.{tag}@elsewhere.example",
        }


@pytest.fixture()
def phone(browser, live_app):
    context = browser.new_context(base_url=live_app.base_url, viewport=PHONE, is_mobile=True)
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    try:
        yield context
    finally:
        context.close()


def _card_text(page, email: str) -> str:
    """What the sign-in card says, with the typed address and the ticking clocks blanked."""
    text = page.locator("form").first.inner_text()
    text = text.replace(email, "<email>")
    return re.sub(r"\d+:\d\d", "m:ss", text)


def _ask_code(page, email: str) -> None:
    expect(page.get_by_role("heading", name=TITLE)).to_be_visible()
    page.get_by_placeholder("Your Email Address").fill(email)
    page.get_by_role("button", name="Send code").click()
    expect(page.get_by_text(f"Code sent to {email}")).to_be_visible()
    expect(page.get_by_text(re.compile(r"Expires in (10:00|9:\d\d)"))).to_be_visible()
    expect(page.get_by_role("button", name=re.compile(r"Resend in 0:\d\d"))).to_be_disabled()


def _enter_code(page, code: str) -> None:
    box = page.get_by_label("6-digit code")
    box.fill(code)
    page.get_by_role("button", name="Verify").click()


def _send(page, text: str) -> None:
    box = page.get_by_role("textbox", name="Message")
    box.fill(text)
    box.press("Enter")


def _sign_in(live_app, page, email: str) -> None:
    before = latest_email_id(live_app, email)
    _ask_code(page, email)
    _enter_code(page, read_code_from_mailbox(live_app, email, newer_than=before))


def test_a_stranger_gets_no_code_and_a_contact_signs_in_and_chats(
    page, phone, live_app, gated, monkeypatch
):
    url = live_app.url(f"/a/{gated['slug']}")
    open_page(page, url)
    expect(page.get_by_role("heading", name=TITLE)).to_be_visible()
    expect(
        page.get_by_text("Only people added to this agent's CRM can use this chatbot.")
    ).to_be_visible()
    expect(page.get_by_role("textbox", name="Message")).to_have_count(0)
    field = page.get_by_placeholder("Your Email Address").bounding_box()
    button = page.get_by_role("button", name="Send code").bounding_box()
    assert abs(field["width"] - button["width"]) <= 4, (field, button)  # one column
    screenshot(page, "gated-sign-in-desktop")

    # A stranger: the code step as for anyone, a wrong code is just "not correct".
    _ask_code(page, gated["stranger"])
    stranger_screen = _card_text(page, gated["stranger"])
    page.get_by_text("Need help?").click()
    expect(page.get_by_text("Check your spam folder")).to_be_visible()
    screenshot(page, "gated-code-desktop")
    _enter_code(page, "123456")
    expect(page.get_by_role("alert")).to_have_text(re.compile("That code is not correct"))
    expect(page.get_by_role("textbox", name="Message")).to_have_count(0)

    # The contact, on a phone: the same screen, then the code from the mailbox.
    mine = phone.new_page()
    open_page(mine, url)
    expect(mine.get_by_role("heading", name=TITLE)).to_be_visible()
    screenshot(mine, "gated-sign-in-phone")
    before = latest_email_id(live_app, gated["customer"])
    _ask_code(mine, gated["customer"])
    assert _card_text(mine, gated["customer"]) == stranger_screen
    screenshot(mine, "gated-code-phone", keep=True)
    _enter_code(mine, read_code_from_mailbox(live_app, gated["customer"], newer_than=before))
    expect(mine.get_by_text("Signed in as")).to_contain_text("Carla Diaz")
    expect(mine.get_by_text("Welcome back, member!")).to_be_visible()
    _send(mine, "Hello, what are the opening hours?")
    expect(mine.locator(".crm-chat-agent:not(.crm-chat-streaming)")).to_have_count(
        2, timeout=REPLY_TIMEOUT_MS
    )
    screenshot(mine, "gated-chat-phone")
    assert _latest_email(live_app, gated["stranger"]) is None  # never mailed

    # The conversation is the contact's (History names them).
    from sqlmodel import select

    from crm_app.models import Conversation

    with live_db(live_app, monkeypatch) as s:
        convs = s.exec(select(Conversation).where(Conversation.agent_id == gated["agent_id"])).all()
        assert [c.contact_id for c in convs] == [gated["customer_id"]]

    # Sign out: back to the sign-in screen; a reload does not sign in again.
    mine.get_by_role("button", name="Sign out").click()
    expect(mine.get_by_text("You are signed out.")).to_be_visible()
    expect(mine.get_by_role("textbox", name="Message")).to_have_count(0)
    open_page(mine, url)
    expect(mine.get_by_role("heading", name=TITLE)).to_be_visible()
    expect(mine.get_by_text("Welcome back, member!")).to_have_count(0)


def test_five_wrong_codes_lock(page, live_app, gated):
    open_page(page, live_app.url(f"/a/{gated['slug']}"))
    before = latest_email_id(live_app, gated["customer"])
    _ask_code(page, gated["customer"])
    code = read_code_from_mailbox(live_app, gated["customer"], newer_than=before)
    # A page that winds its own clock forward does not get `Resend` early: the server decides.
    page.evaluate("window.__crmGate.resend = Date.now() - 1000")
    page.wait_for_function("window.__crmGate.clicks > 0")
    page.wait_for_timeout(1000)
    expect(page.get_by_role("button", name="Resend", exact=True)).to_have_count(0)
    expect(page.get_by_role("button", name=re.compile(r"Resend in"))).to_be_disabled()
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    for attempt in range(1, 6):
        _enter_code(page, wrong)
        expected = "Too many attempts" if attempt == 5 else "That code is not correct"
        expect(page.get_by_role("alert")).to_have_text(re.compile(expected))
        if attempt < 5:
            # Each wrong guess answers before the next one is typed.
            expect(page.get_by_label("6-digit code")).to_have_value("")
    _enter_code(page, code)
    expect(page.get_by_role("alert")).to_have_text("Too many attempts. Please request a new code.")
    expect(page.get_by_role("textbox", name="Message")).to_have_count(0)
    screenshot(page, "gated-locked")


def test_a_stage_rule_lets_a_customer_in_and_keeps_a_lead_out(
    page, phone, live_app, gated, monkeypatch
):
    from crm_app.models import Agent, Contact

    with live_db(live_app, monkeypatch) as s:
        s.get(Agent, gated["agent_id"]).gate_rule = {"stage_ids": [gated["stages"]["Customer"]]}
    url = live_app.url(f"/a/{gated['slug']}")

    # The Lead: same screens, no code.
    lead = phone.new_page()
    open_page(lead, url)
    _ask_code(lead, gated["lead"])

    # The Customer gets in and chats.
    open_page(page, url)
    _sign_in(live_app, page, gated["customer"])
    expect(page.get_by_text("Signed in as")).to_contain_text("Carla Diaz")
    _send(page, "Hi there")
    expect(page.locator(".crm-chat-agent:not(.crm-chat-streaming)")).to_have_count(
        2, timeout=REPLY_TIMEOUT_MS
    )
    screenshot(page, "gated-chat-desktop")
    time.sleep(1)  # the Lead's request had a second to be mailed, as the Customer's was
    assert _latest_email(live_app, gated["lead"]) is None

    # The team moves the Customer back to Lead: the next message brings the sign-in back.
    with live_db(live_app, monkeypatch) as s:
        s.get(Contact, gated["customer_id"]).stage_id = gated["stages"]["Lead"]
    _send(page, "Are you still there?")
    expect(page.get_by_role("heading", name=TITLE)).to_be_visible()
    expect(page.get_by_text("You no longer have access to this chatbot.")).to_be_visible()
    expect(page.get_by_role("textbox", name="Message")).to_have_count(0)
    screenshot(page, "gated-access-lost")


def test_in_the_widget_panel_a_contact_signs_in_and_out(browser, live_app, gated):
    """?embed=1 as the widget's iframe (380×640): the token lives in the iframe's storage;
    signing out replaces it."""
    context = browser.new_context(
        base_url=live_app.base_url, viewport={"width": 380, "height": 640}
    )
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    try:
        panel = context.new_page()
        open_page(panel, live_app.url(f"/a/{gated['slug']}?embed=1&close=1"))
        expect(panel.get_by_role("button", name="Close chat")).to_be_visible()
        _sign_in(live_app, panel, gated["customer"])
        expect(panel.get_by_text("Signed in as")).to_contain_text("Carla Diaz")
        screenshot(panel, "gated-widget-signed-in")
        token = panel.evaluate("localStorage.getItem('crm_chat_visitor')")
        assert token
        panel.get_by_role("button", name="Sign out").click()
        expect(panel.get_by_text("You are signed out.")).to_be_visible()
        panel.wait_for_function(
            f"localStorage.getItem('crm_chat_visitor') && localStorage.getItem('crm_chat_visitor') !== {token!r}"
        )
        screenshot(panel, "gated-widget-signed-out")
    finally:
        context.close()
