"""CRM Automations in the real app: configure a round robin and a starting stage, add
contacts by hand and see owners rotate and the stage set; then a Selected Admin."""

from __future__ import annotations

import re
import secrets

import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import (
    event_sent,
    expect_announced,
    lift_with_keyboard,
    live_db,
    screenshot,
    sign_in,
)


@pytest.fixture()
def clinic(live_app, monkeypatch):
    from crm_app.models import Membership, User
    from crm_app.services import agents

    tag = secrets.token_hex(3)
    email = f"owner.{tag}@lakeside-clinic.example"
    with live_db(live_app, monkeypatch) as s:
        owner = agents.create_owner(s, email, "Lakeside Clinic", "Rosa", "Alvarez")
        agent_id = agents.create_agent(s, owner, "Front Desk", f"front-desk-{tag}").id
        for first, last in (("Aisha", "Karimi"), ("Ben", "Ortiz")):
            user = User(
                email=f"{first.lower()}.{tag}@lakeside-clinic.example",
                first_name=first,
                last_name=last,
            )
            s.add(user)
            s.flush()
            s.add(Membership(org_id=owner.org_id, user_id=user.id, role="Admin"))
    return {"email": email, "agent_id": agent_id}


def _choose(page, label: str, option: str) -> None:
    page.get_by_role("combobox", name=label).click()
    page.get_by_role("option", name=option, exact=True).click()


def _add_contact(page, name: str, email: str) -> None:
    page.get_by_role("button", name="Add Contact").first.click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_role("button", name="Add a Single Person").click()
    dialog.get_by_label("Name", exact=True).fill(name)
    # The dialog's inputs are debounced: the click must not overtake the typed email.
    with event_sent(page, "set_add_value", email):
        dialog.get_by_label("Email ID").fill(email)
    dialog.get_by_role("button", name="Add contact").click()
    expect(dialog).to_be_hidden()


def _row(page, name: str):
    return page.locator("table tbody tr").filter(has_text=name)


def test_round_robin_and_starting_stage_then_selected_admin(page, live_app, clinic):
    sign_in(page, live_app, clinic["email"])
    automations_url = live_app.url(f"/agents/{clinic['agent_id']}/crm/automations")
    page.goto(automations_url)
    expect(page.get_by_role("heading", name="CRM Automations")).to_be_visible()
    expect(
        page.get_by_text("Configure what happens automatically when a contact is created.")
    ).to_be_visible()
    expect(page.get_by_text("Contact created", exact=True)).to_be_visible()
    expect(page.get_by_role("tab", name="Admin Assignment")).to_be_visible()
    expect(page.get_by_role("tab", name="Contact Stage")).to_be_visible()
    expect(page.get_by_text("Desktop Only")).to_be_hidden()
    screenshot(page, "automations-initial")

    manual = page.get_by_role("group", name="Manually created contact Primary Admin")
    _choose(page, "Manually created contact Primary Admin strategy", "Round Robin")
    add = "Add member to Manually created contact Primary Admin"
    for name in ("Aisha Karimi", "Ben Ortiz", "Rosa Alvarez"):
        _choose(page, add, name)
    handles = manual.get_by_role("button", name=re.compile("^Drag to reorder"))
    expect(handles).to_have_count(3)
    # Up button: Aisha, Rosa, Ben; then a keyboard drag of Aisha one down: Rosa, Aisha, Ben.
    manual.get_by_role("button", name="Move Rosa Alvarez up").click()
    expect(handles.nth(1)).to_have_accessible_name(re.compile("Rosa Alvarez"))
    handle = manual.get_by_role("button", name="Drag to reorder Aisha Karimi")
    lift_with_keyboard(page, handle)
    page.keyboard.press("ArrowDown")
    expect_announced(page, "Aisha Karimi is over position 2 of 3")
    page.keyboard.press("Space")
    expect_announced(page, "Dropped Aisha Karimi at position 2 of 3")
    expect(handles.nth(0)).to_have_accessible_name(re.compile("Rosa Alvarez"))
    expect(handles.nth(1)).to_have_accessible_name(re.compile("Aisha Karimi"))
    expect(handles.nth(2)).to_have_accessible_name(re.compile("Ben Ortiz"))

    # The secondary slot greys out members of the primary rotation; saving without a member says so.
    _choose(page, "Manually created contact Secondary Admin strategy", "Selected Admin")
    page.get_by_role("combobox", name="Manually created contact Secondary Admin member").click()
    expect(page.get_by_role("option", name="Aisha Karimi — Primary Admin")).to_have_attribute(
        "aria-disabled", "true"
    )
    page.keyboard.press("Escape")
    page.get_by_role("button", name="Save Manually created contact").click()
    secondary = page.get_by_role("group", name="Manually created contact Secondary Admin")
    expect(secondary.get_by_role("alert")).to_have_text(
        "Choose the member who becomes Secondary Admin."
    )
    screenshot(page, "automations-round-robin-error")
    _choose(page, "Manually created contact Secondary Admin strategy", "None")
    page.get_by_role("button", name="Save Manually created contact").click()
    expect(
        page.get_by_text(re.compile("Admin Assignment saved for Manually created contact"))
    ).to_be_visible()
    expect(secondary.get_by_role("alert")).to_have_count(0)
    screenshot(page, "automations-round-robin", keep=True)

    page.get_by_role("tab", name="Contact Stage").click()
    _choose(page, "Starting stage via Manual", "Prospect")
    page.get_by_role("button", name="Save starting stages").click()
    expect(page.get_by_text("Starting stages saved.", exact=False)).to_be_visible()
    screenshot(page, "automations-contact-stage", keep=True)

    # Four contacts added by hand rotate Rosa, Aisha, Ben, Rosa and start in Prospect.
    page.goto(live_app.url(f"/agents/{clinic['agent_id']}/crm/contacts"))
    people = [
        ("Olivia Bennett", "Rosa Alvarez"),
        ("Liam Carter", "Aisha Karimi"),
        ("Ava Diaz", "Ben Ortiz"),
        ("Noah Evans", "Rosa Alvarez"),
    ]
    for name, _ in people:
        _add_contact(page, name, name.split()[0].lower() + "@example.com")
        expect(_row(page, name)).to_have_count(1)
    for name, owner in people:
        expect(_row(page, name)).to_contain_text(owner)
        expect(_row(page, name)).to_contain_text("Prospect")
    screenshot(page, "automations-contacts-rotated")

    # Switch to a Selected Admin: the next contact goes to Ben.
    page.goto(automations_url)
    _choose(page, "Manually created contact Primary Admin strategy", "Selected Admin")
    _choose(page, "Manually created contact Primary Admin member", "Ben Ortiz")
    page.get_by_role("button", name="Save Manually created contact").click()
    expect(
        page.get_by_text(re.compile("Admin Assignment saved for Manually created contact"))
    ).to_be_visible()
    page.goto(live_app.url(f"/agents/{clinic['agent_id']}/crm/contacts"))
    _add_contact(page, "Emma Foster", "emma@example.com")
    expect(_row(page, "Emma Foster")).to_contain_text("Ben Ortiz")
    expect(_row(page, "Liam Carter")).to_contain_text(
        "Aisha Karimi"
    )  # existing contacts keep their owner

    # Small screens get the notice instead of the editors.
    page.set_viewport_size({"width": 600, "height": 900})
    page.goto(automations_url)
    expect(page.get_by_text("Desktop Only")).to_be_visible()
    expect(page.get_by_role("tab", name="Admin Assignment")).to_be_hidden()
    screenshot(page, "automations-desktop-only")
