"""Chat capture on the contact page in Chromium: the General tab marks the values the agent
captured (AI badge, its tooltip, View chat opening the conversation) and Activity's
suggestion for a member-typed value is accepted with one click.
Screenshots go to screenshots/tmp/capture-*.png."""

from __future__ import annotations

import re
import secrets

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import Session

from crm_app.db import make_engine
from crm_app.models import Agent, Contact, Conversation, Membership, Message, Organization, User
from crm_app.services import fields, principal, stages
from crm_app.services.chat import capture
from crm_app.services.contacts import Origin, save_contact
from tests.e2e.helpers import screenshot, sign_in_with_ticket
from tests.e2e.test_contact_detail import _db, _tab

pytestmark = pytest.mark.e2e


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
            agent = Agent(org_id=org.id, name="Reception", slug=f"reception-{tag}")
            s.add(agent)
            s.flush()
            fields.install_default_fields(s, agent.id)
            stages.install_default_stages(s, agent.id)
            actor = principal.member(s, owner.id, org.id)
            email = f"maria-{tag}@example.com"
            maria = save_contact(
                s,
                agent,
                {"name": "Maria Lopez", "email": email},
                source="Manual",
                origin=Origin.member(actor),
            ).contact
            conv = Conversation(agent_id=agent.id, visitor_id=tag, title="Booking a cleaning")
            s.add(conv)
            s.flush()
            said = Message(
                conversation_id=conv.id,
                role="visitor",
                content=f"I'm Mary, {email}, my mobile is 415 555 2671",
            )
            s.add(said)
            s.flush()
            capture.capture(
                s,
                agent,
                conv,
                said.id,
                {"name": "Mary", "email": email, "phone": "415 555 2671"},
            )
            s.commit()
            return {
                "org_id": org.id,
                "owner": owner,
                "agent_id": agent.id,
                "maria": maria.id,
            }
    finally:
        engine.dispose()


def test_captured_values_are_marked_and_a_suggestion_is_accepted(page: Page, live_app, monkeypatch):
    world = _seed(live_app.database_url)
    path = f"/agents/{world['agent_id']}/crm/contacts/{world['maria']}"
    sign_in_with_ticket(page, live_app, monkeypatch, world["owner"], world["org_id"], path)
    page.wait_for_url(re.compile(re.escape(path)))
    expect(page.get_by_role("heading", name="Maria Lopez")).to_be_visible()

    # General: the phone the agent captured is marked, the member-typed name is not.
    expect(page.get_by_title(re.compile("^Captured by the agent from a chat on "))).to_have_text(
        "+1 415-555-2671"
    )
    expect(page.get_by_title(re.compile("^Set by Dana Whitfield on "))).to_have_text(
        ["Maria Lopez", re.compile("^maria-")]
    )
    badge = page.get_by_label(re.compile("^Captured by the agent from a chat on "))
    expect(badge).to_have_count(1)
    badge.hover()
    expect(page.get_by_role("tooltip")).to_contain_text("Captured by the agent from a chat on")
    screenshot(page, "capture-general")
    page.get_by_role("button", name="Open the conversation this value was captured from").click()
    transcript = page.get_by_role("dialog")
    expect(transcript.get_by_text("my mobile is 415 555 2671")).to_be_visible()
    transcript.get_by_role("button", name="Close").click()
    expect(page.get_by_role("tab", name=re.compile("^Chat Conversation"))).to_have_attribute(
        "aria-selected", "true"
    )

    # Activity: "Captured via chat" and the name suggestion, accepted with one click.
    _tab(page, "Activity")
    expect(page.get_by_text(re.compile("^Captured via chat: "))).to_be_visible()
    expect(page.get_by_text("Agent suggests Name: Mary")).to_be_visible()
    screenshot(page, "capture-activity")
    page.get_by_role("button", name="Accept: Agent suggests Name: Mary").click()
    expect(page.get_by_text("Name updated from the agent's suggestion")).to_be_visible()
    expect(page.get_by_text("Accepted by Dana Whitfield")).to_be_visible()
    expect(page.get_by_role("button", name=re.compile("^Accept: "))).to_have_count(0)
    expect(page.get_by_role("heading", name="Mary")).to_be_visible()
    with _db(live_app) as s:
        contact = s.get(Contact, world["maria"])
        assert contact.name == "Mary" and contact.phone == "+14155552671"
        assert contact.field_sources["name"]["accepted_by"] == "Dana Whitfield"
