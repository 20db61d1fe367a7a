"""Agent → History in Chromium: users → "<Name>'s Chats" → transcript, Search Users, the link
to the contact, Revise Answer and its marker; then the same on a phone, one pane at a time.
Screenshots: screenshots/tmp/history-*.png (1280x800 and 390x844)."""

from __future__ import annotations

import re
import secrets
from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import Session

from crm_app.db import make_engine
from crm_app.models import Agent, Conversation, Membership, Message, Organization, User
from crm_app.services import fields, principal, stages
from crm_app.services.chat import conversations, visitors
from crm_app.services.contacts import Origin, save_contact
from tests.e2e.helpers import open_page, screenshot, sign_in_with_ticket

pytestmark = pytest.mark.e2e


def _say(s, conv_id: int, lines, start) -> None:
    for i, (role, text) in enumerate(lines, start=1):
        s.add(
            Message(
                conversation_id=conv_id,
                role=role,
                content=text,
                created_at=start + timedelta(seconds=i),
            )
        )
    conv = s.get(Conversation, conv_id)
    conv.last_message_at = start + timedelta(seconds=len(lines))
    s.add(conv)
    s.flush()


def _seed(database_url: str) -> dict:
    tag = secrets.token_hex(4)
    engine = make_engine(database_url)
    try:
        with Session(engine, expire_on_commit=False) as s:
            org = Organization(name=f"Sunrise Clinic {tag}")
            owner = User(
                email=f"dana-{tag}@clinic.example", first_name="Dana", last_name="Whitfield"
            )
            s.add_all([org, owner])
            s.flush()
            s.add(Membership(org_id=org.id, user_id=owner.id, role="Owner"))
            agent = Agent(
                org_id=org.id,
                name="Reception",
                slug=f"reception-{tag}",
                visibility="Public",
                access_mode="Use for Free",
                welcome_message="Welcome to Sunrise Clinic! How can I help?",
            )
            s.add(agent)
            s.flush()
            fields.install_default_fields(s, agent.id)
            stages.install_default_stages(s, agent.id)
            actor = principal.member(s, owner.id, org.id)
            maria = save_contact(
                s,
                agent,
                {"name": "Maria Lopez", "email": f"maria-{tag}@example.com"},
                source="Chat",
                origin=Origin("agent", "Reception"),
            ).contact
            # Maria's chat: started as a visitor, linked to her contact once captured.
            maria_key = visitors.visitor_key(visitors.new_visitor_token())
            chat = conversations.start_conversation(s, agent.id, maria_key)
            conv = s.get(Conversation, chat.id)
            conv.contact_id, conv.title = maria.id, "Opening hours"
            _say(
                s,
                chat.id,
                [
                    ("visitor", "What are your opening hours on Saturday?"),
                    ("agent", "I'm not sure, sorry."),
                    ("visitor", "Thanks anyway"),
                ],
                chat.last_at,
            )
            # An anonymous visitor, and the owner's Playground test.
            anon_key = visitors.visitor_key(visitors.new_visitor_token())
            anon = conversations.start_conversation(s, agent.id, anon_key)
            _say(s, anon.id, [("visitor", "Do you take walk-ins?")], anon.last_at)
            conversations.start_conversation(
                s, agent.id, visitors.member_key(owner.id), member=actor
            )
            s.commit()
            return {"org_id": org.id, "owner": owner, "agent_id": agent.id, "maria": maria.id}
    finally:
        engine.dispose()


def test_history_end_to_end(page: Page, live_app, monkeypatch):
    world = _seed(live_app.database_url)
    page.set_viewport_size({"width": 1280, "height": 800})
    path = f"/agents/{world['agent_id']}/history"
    sign_in_with_ticket(page, live_app, monkeypatch, world["owner"], world["org_id"], path)
    page.wait_for_url(re.compile(re.escape(path)))

    expect(page.get_by_role("heading", name="History")).to_be_visible()
    expect(
        page.get_by_text("Review past conversations between your users and your agent.")
    ).to_be_visible()
    expect(page.get_by_role("link", name="History")).to_be_visible()  # the sidebar
    users = page.get_by_role("region", name="Users")
    expect(users.get_by_role("button", name="Maria Lopez")).to_be_visible()
    expect(users.get_by_role("button", name="Anonymous User")).to_be_visible()
    expect(users.get_by_role("button", name="Dana Whitfield")).to_be_visible()
    expect(users.get_by_text("Playground")).to_be_visible()
    expect(page.get_by_text("Select a user")).to_be_visible()
    expect(page.get_by_text("No chat selected")).to_be_visible()
    screenshot(page, "history-empty-selection")

    # Search Users
    users.get_by_label("Search Users").fill("mar")
    expect(users.get_by_role("button", name="Anonymous User")).to_have_count(0)
    expect(users.get_by_role("button", name="Maria Lopez")).to_be_visible()
    users.get_by_label("Search Users").fill("")
    expect(users.get_by_role("button", name="Anonymous User")).to_be_visible()

    # User → chats → transcript
    users.get_by_role("button", name="Maria Lopez").click()
    chats = page.get_by_role("region", name="Chats")
    expect(chats.get_by_text("Maria Lopez's Chats")).to_be_visible()
    expect(chats.get_by_role("link", name="View contact")).to_have_attribute(
        "href", re.compile(rf"/crm/contacts/{world['maria']}$")
    )
    chats.get_by_role("button", name="Opening hours").click()
    transcript = page.get_by_role("region", name="Transcript")
    expect(transcript.get_by_text("What are your opening hours on Saturday?")).to_be_visible()
    expect(transcript.get_by_text("Welcome to Sunrise Clinic! How can I help?")).to_be_visible()
    expect(transcript.get_by_role("button", name="Refresh")).to_be_enabled()

    # Revise Answer (the welcome message has no question before it: no button there)
    expect(transcript.get_by_role("button", name="Revise Answer")).to_have_count(1)
    transcript.get_by_role("button", name="Revise Answer").click()
    dialog = page.get_by_role("dialog", name="Revise Answer")
    expect(dialog.get_by_text("What are your opening hours on Saturday?")).to_be_visible()
    expect(dialog.get_by_label("Revised answer")).to_have_value("I'm not sure, sorry.")
    dialog.get_by_label("Revised answer").fill("On Saturdays we are open 9am to 1pm.")
    screenshot(page, "history-revise-dialog")
    dialog.get_by_role("button", name="Save revision").click()
    expect(dialog).to_have_count(0)
    expect(transcript.get_by_text("Revised", exact=True)).to_be_visible()
    expect(transcript.get_by_text("On Saturdays we are open 9am to 1pm.")).to_be_visible()
    transcript.get_by_role("button", name="Refresh").click()
    expect(transcript.get_by_text("On Saturdays we are open 9am to 1pm.")).to_be_visible()
    screenshot(page, "history-desktop")

    # The contact's Chat Conversation tab opens the same transcript.
    chats.get_by_role("link", name="View contact").click()
    page.wait_for_url(re.compile(rf"/crm/contacts/{world['maria']}$"))
    page.get_by_role("tab", name=re.compile(r"^Chat Conversation")).click()
    page.get_by_text("Opening hours").click()
    tab_dialog = page.get_by_role("dialog")
    expect(tab_dialog.get_by_text("What are your opening hours on Saturday?")).to_be_visible()
    expect(tab_dialog.get_by_text("On Saturdays we are open 9am to 1pm.")).to_be_visible()
    expect(tab_dialog.get_by_role("button", name="Revise Answer")).to_have_count(0)
    screenshot(page, "history-contact-tab")

    # Phone: one pane at a time, with a way back.
    page.set_viewport_size({"width": 390, "height": 844})
    open_page(page, live_app.url(path))
    users = page.get_by_role("region", name="Users")
    chats = page.get_by_role("region", name="Chats")
    transcript = page.get_by_role("region", name="Transcript")
    expect(users.get_by_role("button", name="Maria Lopez")).to_be_visible()
    expect(chats).to_be_hidden()
    expect(transcript).to_be_hidden()
    screenshot(page, "history-phone-users")
    users.get_by_role("button", name="Maria Lopez").click()
    expect(chats.get_by_text("Maria Lopez's Chats")).to_be_visible()
    expect(users).to_be_hidden()
    chats.get_by_role("button", name="Opening hours").click()
    expect(transcript.get_by_text("On Saturdays we are open 9am to 1pm.")).to_be_visible()
    expect(chats).to_be_hidden()
    screenshot(page, "history-phone-transcript")
    transcript.get_by_role("button", name="Maria Lopez's Chats").click()
    expect(chats.get_by_role("button", name="Opening hours")).to_be_visible()
    chats.get_by_role("button", name="Users").click()
    expect(users.get_by_role("button", name="Anonymous User")).to_be_visible()
