"""The agent half end to end, as a clinic lives it: a visitor on a phone chats on
/a/<slug> and gives their name, phone and insurer in ordinary sentences; the team then finds
the contact via Chat with those values marked as captured, the owner the automations chose,
the conversation on its tab and in History; an answer revised in History changes what the
next visitor is told."""

from __future__ import annotations

import re
import secrets

import pytest
from playwright.sync_api import Page, expect

from crm_app.models import Agent, Membership, User
from crm_app.services import agents, automations, fields, forms, principal
from tests.e2e.conftest import DEFAULT_TIMEOUT_MS
from tests.e2e.helpers import live_db, open_page, screenshot, sign_in_with_ticket

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}
REPLY_TIMEOUT_MS = 30_000
QUESTION = "Are you open on Saturday mornings?"
REVISED = "Yes, on Saturdays we are open from 9 am to 1 pm."


@pytest.fixture()
def clinic(live_app, monkeypatch):
    """Owner Rosa and Admin Sam; a Public agent with an Allow-for-AI insurer dropdown; the
    automations give every contact the agent captures to Sam."""
    tag = secrets.token_hex(3)
    with live_db(live_app, monkeypatch) as s:
        owner = agents.create_owner(
            s, f"rosa.{tag}@bayview.example", "Bayview Dental", "Rosa", "Alvarez"
        )
        agent = agents.create_agent(
            s, owner, "Reception", f"bayview-{tag}", welcome_message="Hi! How can I help?"
        )
        row = s.get(Agent, agent.id)
        row.visibility, row.access_mode = "Public", "Use for Free"
        fields.create_custom_field(
            s,
            owner,
            agent.id,
            label="Insurance provider",
            type="Dropdown",
            options=["Aetna", "Cigna", "Delta Dental"],
            allow_ai=True,
            ai_hint="The patient's dental insurer",
        )
        sam = User(email=f"sam.{tag}@bayview.example", first_name="Sam", last_name="Ortiz")
        s.add(sam)
        s.flush()
        s.add(Membership(org_id=owner.org_id, user_id=sam.id, role="Admin"))
        s.flush()
        automations.save_assignment(
            s,
            owner,
            agent.id,
            "captured",
            {"strategy": "selected", "member_ids": [str(sam.id)]},
            None,
        )
        return {
            "slug": agent.slug,
            "agent_id": agent.id,
            "org_id": owner.org_id,
            "owner_id": owner.user_id,
        }


def _owner(s, clinic):
    return principal.member(s, clinic["owner_id"], clinic["org_id"])


def _send(page: Page, text: str, replies: int) -> None:
    box = page.get_by_role("textbox", name="Message")
    box.fill(text)
    box.press("Enter")
    expect(page.locator(".crm-chat-agent:not(.crm-chat-streaming)")).to_have_count(
        replies, timeout=REPLY_TIMEOUT_MS
    )


def _visitor_page(browser, live_app) -> Page:
    context = browser.new_context(base_url=live_app.base_url, viewport=PHONE, is_mobile=True)
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    return context.new_page()


def test_a_chat_becomes_a_contact_the_team_can_act_on(
    browser, page: Page, live_app, clinic, monkeypatch
):
    # A visitor on a phone.
    visitor = _visitor_page(browser, live_app)
    open_page(visitor, live_app.url(f"/a/{clinic['slug']}"))
    expect(visitor.get_by_text("Hi! How can I help?")).to_be_visible()
    _send(visitor, "Hi there, my name is Maria Lopez and I'd like a cleaning.", 2)
    _send(visitor, "Sure, you can call me on (415) 555-0134. My insurance is aetna.", 3)
    _send(visitor, QUESTION, 4)
    first_answer = visitor.locator(".crm-chat-agent").last.inner_text()
    assert REVISED not in first_answer
    screenshot(visitor, "chat-visitor-phone", keep=True)
    visitor.context.close()

    # The team: the contact is there, via Chat, owned by Sam (the automation), marked.
    contacts = f"/agents/{clinic['agent_id']}/crm/contacts"
    sign_in_with_ticket(
        page, live_app, monkeypatch, User(id=clinic["owner_id"]), clinic["org_id"], contacts
    )
    page.wait_for_url(re.compile(re.escape(contacts)))
    row = page.get_by_role("row").filter(has_text="Maria Lopez")
    expect(row).to_contain_text("via Chat")
    expect(row).to_contain_text("Sam Ortiz")
    row.get_by_role("link", name="Maria Lopez").click()
    expect(page.get_by_role("heading", name="Maria Lopez")).to_be_visible()
    captured = page.get_by_title(re.compile("^Captured by the agent from a chat on "))
    expect(captured.filter(has_text="+1 415-555-0134")).to_have_count(1)
    expect(captured.filter(has_text="Aetna")).to_have_count(1)
    expect(captured.filter(has_text="Maria Lopez")).to_have_count(1)
    screenshot(page, "chat-contact-captured", keep=True)
    page.get_by_role("tab", name=re.compile("^Chat Conversation")).click()
    page.get_by_role("button", name=re.compile("Hi there, my name is Maria Lopez")).first.click()
    transcript = page.get_by_role("dialog")
    expect(transcript.get_by_text(QUESTION)).to_be_visible()
    transcript.get_by_role("button", name="Close").click()

    # History: the same conversation; the answer to the question is revised.
    open_page(page, live_app.url(f"/agents/{clinic['agent_id']}/history"))
    users = page.get_by_role("region", name="Users")
    users.get_by_role("button", name="Maria Lopez").click()
    chats = page.get_by_role("region", name="Chats")
    expect(chats.get_by_text("Maria Lopez's Chats")).to_be_visible()
    chats.get_by_role("button", name=re.compile("Hi there, my name is Maria")).click()
    transcript = page.get_by_role("region", name="Transcript")
    expect(transcript.get_by_text(QUESTION)).to_be_visible()
    transcript.get_by_role("button", name="Revise Answer").last.click()
    dialog = page.get_by_role("dialog", name="Revise Answer")
    expect(dialog.get_by_text(QUESTION)).to_be_visible()
    dialog.get_by_label("Revised answer").fill(REVISED)
    dialog.get_by_role("button", name="Save revision").click()
    expect(dialog).to_have_count(0)
    expect(transcript.get_by_text("Revised", exact=True)).to_be_visible()
    screenshot(page, "chat-history", keep=True)

    # The next visitor asking the same gets the revised answer.
    other = _visitor_page(browser, live_app)
    open_page(other, live_app.url(f"/a/{clinic['slug']}"))
    _send(other, "are you open on saturday mornings", 2)
    expect(other.locator(".crm-chat-agent").last).to_contain_text(REVISED)
    other.context.close()


def test_a_form_switched_to_ask_in_chat_is_asked_and_filed(
    browser, page: Page, live_app, clinic, monkeypatch
):
    # The team builds the form on its page and turns on "Ask in chat".
    draft = {
        "elements": [
            {"id": "name", "type": "short_text", "label": "Your name", "maps_to": "name"},
            {
                "id": "phone",
                "type": "phone",
                "label": "Mobile number",
                "required": True,
                "maps_to": "phone",
            },
            {
                "id": "visit",
                "type": "dropdown",
                "label": "Reason for the visit",
                "options": ["Cleaning", "Check-up", "Toothache"],
                "required": True,
            },
        ],
        "settings": {"title": "New patient"},
    }
    with live_db(live_app, monkeypatch) as s:
        owner = _owner(s, clinic)
        form = forms.create_form(s, owner, clinic["agent_id"], "New patient")
        forms.save_draft(s, owner, clinic["agent_id"], form.id, draft)
        form_id = form.id
    builder = f"/agents/{clinic['agent_id']}/crm/forms/{form_id}"
    sign_in_with_ticket(
        page, live_app, monkeypatch, User(id=clinic["owner_id"]), clinic["org_id"], builder
    )
    page.wait_for_url(re.compile(re.escape(builder)))
    page.get_by_role("tab", name="Settings").click()
    switch = page.get_by_role("switch", name="Ask in chat")
    switch.click()
    expect(switch).to_be_checked()
    page.get_by_role("button", name="Publish", exact=True).click()
    expect(page.get_by_text("Published. Your form is live.")).to_be_visible()

    # A visitor is asked its questions; a wrong answer gets the page's message.
    visitor = _visitor_page(browser, live_app)
    open_page(visitor, live_app.url(f"/a/{clinic['slug']}"))
    _send(visitor, "Hello, I'd like to register as a new patient.", 2)
    expect(visitor.locator(".crm-chat-agent").last).to_contain_text("(1/3) Your name")
    _send(visitor, "Ana Ruiz", 3)
    _send(visitor, "it's 555", 4)
    expect(visitor.locator(".crm-chat-agent").last).to_contain_text("Enter a valid phone number")
    _send(visitor, "(415) 555-0188", 5)
    _send(visitor, "a toothache, sadly", 6)
    screenshot(visitor, "journey-form-in-chat-phone")
    visitor.context.close()

    # Filed like a submission from the page: in the form's Submissions, with its contact.
    open_page(page, live_app.url(f"{builder}/submissions"))
    row = page.get_by_role("row").filter(has_text="Ana Ruiz")
    expect(row).to_contain_text("Toothache")
