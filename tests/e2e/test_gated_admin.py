"""The team's screens for gated agents in Chromium: an Owner makes the agent public through
`Make your chatbot public?` choosing Restrict and narrows it to the stage Customer (the rule
in plain words); a User sees it all read only; the Subscriptions page shows seeded passes
(revenue per currency, the chart, a refund row), filters them and exports them as CSV.
Screenshots: screenshots/tmp/gated-*.png (1280x800 and 390x844)."""

from __future__ import annotations

import csv
import io
import re
import secrets
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import Session, select

from crm_app.db import make_engine
from crm_app.models import AccessPass, Agent, Membership, Organization, Stage, User, utcnow
from crm_app.services import fields, principal, stages
from crm_app.services.contacts import Origin, save_contact
from tests.e2e.helpers import live_db, open_page, screenshot, sign_in_with_ticket

pytestmark = pytest.mark.e2e

RULE = "Only Active contacts in stage Customer can chat."


def _seed(live_app, monkeypatch, *, restricted: bool = False, passes: bool = False) -> dict:
    """Seeded through the app's own services on the live database (so the contact events
    they queue are published there too)."""
    tag = secrets.token_hex(4)
    with live_db(live_app, monkeypatch) as s:
        org = Organization(name=f"Sunrise Clinic {tag}")
        owner = User(email=f"dana-{tag}@clinic.example", first_name="Dana", last_name="W")
        staff = User(email=f"sam-{tag}@clinic.example", first_name="Sam", last_name="Front")
        s.add_all([org, owner, staff])
        s.flush()
        agent = Agent(org_id=org.id, name="Reception", slug=f"reception-{tag}")
        empty = Agent(org_id=org.id, name="Front desk", slug=f"front-{tag}")
        s.add_all([agent, empty])
        s.flush()
        for a in (agent, empty):
            fields.install_default_fields(s, a.id)
            stages.install_default_stages(s, a.id)
        s.add(Membership(org_id=org.id, user_id=owner.id, role="Owner"))
        s.add(Membership(org_id=org.id, user_id=staff.id, role="User", agent_ids=[agent.id]))
        s.flush()
        customer = s.exec(
            select(Stage).where(Stage.agent_id == agent.id, Stage.name == "Customer")
        ).one()
        if restricted:
            agent.visibility, agent.access_mode = "Public", "Restrict"
            agent.gate_rule = {"statuses": ["Active"], "stage_ids": [customer.id]}
            s.add(agent)
        if passes:
            agent.visibility, agent.access_mode = "Public", "Pay for Access"
            s.add(agent)
            actor = principal.member(s, owner.id, org.id)

            def buyer(name: str, email: str) -> str:
                return save_contact(
                    s,
                    agent,
                    {"name": name, "email": email},
                    source="Manual",
                    origin=Origin.member(actor),
                ).contact.id

            now = utcnow()
            maria = buyer("Maria Lopez", f"maria-{tag}@example.com")
            john = buyer("John Park", f"john-{tag}@example.com")
            ana = buyer("Ana Silva", f"ana-{tag}@example.com")
            day = timedelta(days=1)
            s.add_all(
                [
                    AccessPass(
                        agent_id=agent.id,
                        contact_id=maria,
                        email=f"maria-{tag}@example.com",
                        amount=2900,
                        currency="usd",
                        credits_total=100,
                        credits_left=64,
                        starts_at=now - 2 * day,
                        expires_at=now + 28 * day,
                        payment_intent_id="pi_maria",
                    ),
                    AccessPass(
                        agent_id=agent.id,
                        contact_id=john,
                        email=f"john-{tag}@example.com",
                        amount=2900,
                        currency="usd",
                        credits_total=100,
                        credits_left=100,
                        starts_at=now - 6 * day,
                        expires_at=now + 24 * day,
                        refunded_amount=2900,
                        revoked_at=now - 5 * day,
                        payment_intent_id="pi_john",
                    ),
                    AccessPass(
                        agent_id=agent.id,
                        contact_id=ana,
                        email=f"ana-{tag}@example.com",
                        amount=2500,
                        currency="eur",
                        credits_total=None,
                        credits_left=None,
                        starts_at=now - 9 * day,
                        expires_at=now + 21 * day,
                    ),
                ]
            )
        s.flush()
        world = {
            "tag": tag,
            "org_id": org.id,
            "owner_id": owner.id,
            "staff_id": staff.id,
            "agent_id": agent.id,
            "empty_id": empty.id,
            "customer_id": customer.id,
        }
    engine = make_engine(live_app.database_url)
    try:
        with Session(engine, expire_on_commit=False) as s:
            world["owner"] = s.get(User, world["owner_id"])
            world["staff"] = s.get(User, world["staff_id"])
    finally:
        engine.dispose()
    return world


def _agent(database_url: str, agent_id: int) -> Agent:
    engine = make_engine(database_url)
    try:
        with Session(engine, expire_on_commit=False) as s:
            return s.get(Agent, agent_id)
    finally:
        engine.dispose()


def test_owner_makes_the_agent_public_restricted_to_customers(page: Page, live_app, monkeypatch):
    world = _seed(live_app, monkeypatch)
    path = f"/agents/{world['agent_id']}/settings"
    page.set_viewport_size({"width": 1280, "height": 800})
    sign_in_with_ticket(page, live_app, monkeypatch, world["owner"], world["org_id"], path)
    page.wait_for_url(re.compile(re.escape(path)))

    visibility = page.get_by_role("region", name="Visibility")
    expect(visibility.get_by_role("radio", name="Private")).to_be_checked()
    expect(page.get_by_text("Not available on this screen yet")).to_have_count(0)
    visibility.get_by_role("radio", name="Public").click()
    dialog = page.get_by_role("dialog", name="Make your chatbot public?")
    expect(dialog).to_be_visible()
    for text in (
        "Anyone can use the chatbot, with no restrictions or authentication.",
        "Access is restricted: only users from your CRM can use this chatbot.",
        "Access is restricted: only users with a paid chatbot subscription can use it.",
    ):
        expect(dialog.get_by_text(text)).to_be_visible()
    dialog.get_by_role("radio", name="Restrict").click()
    expect(dialog.get_by_role("radio", name="Restrict")).to_be_checked()
    screenshot(page, "gated-public-dialog")
    dialog.get_by_role("button", name="Make public").click()
    expect(dialog).to_have_count(0)
    expect(page.get_by_text("Public: only contacts in your CRM can chat")).to_be_visible()
    expect(visibility.get_by_role("radio", name="Public")).to_be_checked()
    agent = _agent(live_app.database_url, world["agent_id"])
    assert (agent.visibility, agent.access_mode) == ("Public", "Restrict")

    # The rule: only Active contacts in the stage Customer, said in plain words.
    rule = page.get_by_role("group", name="Who can sign in and chat")
    words = page.locator("#gate-rule-words")
    expect(words).to_have_text("Only Active contacts can chat.")
    rule.get_by_role("checkbox", name="Stage Customer").click()
    expect(words).to_have_text(RULE)
    rule.get_by_role("button", name="Save rule").click()
    expect(page.get_by_text("Saved: " + RULE)).to_be_visible()
    expect(rule.get_by_role("button", name="Save rule")).to_have_count(0)
    agent = _agent(live_app.database_url, world["agent_id"])
    assert agent.gate_rule == {"statuses": ["Active"], "stage_ids": [world["customer_id"]]}
    page.locator("#visibility-access").scroll_into_view_if_needed()
    screenshot(page, "gated-visibility-restrict")

    # Back to Private asks first; Cancel keeps it public.
    visibility.get_by_role("radio", name="Private").click()
    confirm = page.get_by_role("alertdialog", name="Make your chatbot private?")
    expect(confirm).to_be_visible()
    confirm.get_by_role("button", name="Cancel").click()
    expect(visibility.get_by_role("radio", name="Public")).to_be_checked()

    page.set_viewport_size({"width": 390, "height": 844})
    open_page(page, live_app.url(path))
    expect(page.locator("#gate-rule-words")).to_have_text(RULE)
    page.locator("#visibility-access").scroll_into_view_if_needed()
    screenshot(page, "gated-visibility-phone")
    page.get_by_role("button", name="Change access").click()
    dialog = page.get_by_role("dialog", name="Make your chatbot public?")
    expect(dialog.get_by_role("radio", name="Restrict")).to_be_checked()
    screenshot(page, "gated-public-dialog-phone")
    page.keyboard.press("Escape")
    expect(dialog).to_have_count(0)


def test_a_user_sees_visibility_read_only(page: Page, live_app, monkeypatch):
    world = _seed(live_app, monkeypatch, restricted=True)
    path = f"/agents/{world['agent_id']}/settings"
    page.set_viewport_size({"width": 1280, "height": 800})
    sign_in_with_ticket(page, live_app, monkeypatch, world["staff"], world["org_id"], path)
    page.wait_for_url(re.compile(re.escape(path)))

    visibility = page.get_by_role("region", name="Visibility")
    expect(visibility.get_by_role("radio", name="Public")).to_be_checked()
    expect(visibility.get_by_role("radio", name="Public")).to_be_disabled()
    expect(visibility.get_by_text("Access is restricted: only users from your CRM")).to_be_visible()
    expect(page.locator("#gate-rule-words")).to_have_text(RULE)
    expect(visibility.get_by_role("checkbox", name="Stage Customer")).to_be_checked()
    expect(visibility.get_by_role("checkbox", name="Stage Customer")).to_be_disabled()
    expect(visibility.get_by_role("button", name="Change access")).to_have_count(0)
    expect(visibility.get_by_role("button", name="Save rule")).to_have_count(0)
    visibility.get_by_role("radio", name="Private").click(force=True)
    expect(page.get_by_role("alertdialog")).to_have_count(0)
    # Revenue is for Owners and Admins: no Subscriptions link for a User.
    expect(page.get_by_role("link", name="Subscriptions")).to_have_count(0)
    screenshot(page, "gated-visibility-user")


def test_subscriptions_page(page: Page, live_app, monkeypatch):
    world = _seed(live_app, monkeypatch, passes=True)
    tag = world["tag"]
    start = f"/agents/{world['empty_id']}/subscriptions"
    page.set_viewport_size({"width": 1280, "height": 800})
    sign_in_with_ticket(page, live_app, monkeypatch, world["owner"], world["org_id"], start)
    page.wait_for_url(re.compile(re.escape(start)))
    expect(page.get_by_text("No purchases yet")).to_be_visible()
    expect(page.get_by_role("button", name="Set up Pay for Access")).to_be_visible()
    screenshot(page, "gated-subscriptions-empty")

    path = f"/agents/{world['agent_id']}/subscriptions"
    open_page(page, live_app.url(f"/agents/{world['agent_id']}/settings"))
    visibility = page.get_by_role("region", name="Visibility")
    expect(visibility.get_by_text("Access: Pay for Access")).to_be_visible()
    # No Stripe keys: said once, in Paid Access Configuration.
    expect(page.get_by_text("Stripe is not connected for your organization yet")).to_be_visible()
    expect(visibility.get_by_role("link", name="Subscriptions")).to_be_visible()
    page.locator("#crm-sidebar").get_by_role("link", name="Subscriptions").click()
    page.wait_for_url(re.compile(re.escape(path)))
    expect(page.get_by_role("heading", name="Subscriptions")).to_be_visible()
    usd = page.get_by_label("Net revenue USD")
    expect(usd).to_contain_text("$29.00")  # two payments of $29, one refunded
    expect(usd).to_contain_text("Paid $58.00 · refunded $29.00")
    expect(page.get_by_label("Net revenue EUR")).to_contain_text("€25.00")
    expect(page.get_by_label("Active passes")).to_contain_text("2")
    chart = page.locator("#revenue-chart")
    expect(chart.locator(".recharts-bar-rectangle").first).to_be_visible()
    table = page.locator("#transactions-table")
    expect(table.locator("tbody tr")).to_have_count(4)
    refund = table.locator("tr[data-kind='Refund']")
    expect(refund).to_contain_text("John Park")
    expect(refund).to_contain_text("-$29.00")
    expect(table.locator("tbody tr").first).to_contain_text("64 of 100 left")
    screenshot(page, "gated-subscriptions", keep=True)

    # Search and dates narrow the table; the export carries the same filters.
    page.get_by_label("Search transactions").fill("john")
    expect(table.locator("tbody tr")).to_have_count(2)
    with page.expect_download() as info:
        page.get_by_role("link", name="Export CSV").click()
    text = Path(info.value.path()).read_text(encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:3] == ["Date (UTC)", "Type", "Email"]
    assert sorted((r[1], r[2], r[4]) for r in rows[1:]) == [
        ("Payment", f"john-{tag}@example.com", "29.00"),
        ("Refund", f"john-{tag}@example.com", "-29.00"),
    ]
    page.get_by_role("button", name="Clear").click()
    expect(table.locator("tbody tr")).to_have_count(4)
    since = (utcnow() - timedelta(days=3)).date().isoformat()
    page.get_by_label("From").fill(since)
    expect(table.locator("tbody tr")).to_have_count(1)
    expect(page.get_by_label("Net revenue USD")).to_contain_text("Paid $29.00 · refunded $0.00")
    expect(page.get_by_label("Net revenue EUR")).to_have_count(0)

    page.set_viewport_size({"width": 390, "height": 844})
    open_page(page, live_app.url(path))
    expect(page.get_by_role("list", name="Transactions list")).to_be_visible()
    screenshot(page, "gated-subscriptions-phone")
