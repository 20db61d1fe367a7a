"""Contacts list in the real app: add with duplicate warning, search, filter, sort, saved view."""

from __future__ import annotations

import re
import secrets
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import live_db, screenshot, sign_in

PEOPLE = [
    ("Olivia Bennett", "Cigna"),
    ("Liam Carter", "Aetna"),
    ("Ava Diaz", "Cigna"),
    ("Noah Evans", "Aetna"),
    ("Emma Foster", "Aetna"),
    ("Lucas Gray", "Cigna"),
]


@pytest.fixture()
def clinic(live_app, monkeypatch):
    from crm_app.models import Agent
    from crm_app.services import agents, contacts, fields

    tag = secrets.token_hex(3)
    email = f"owner.{tag}@harbor-clinic.example"
    with live_db(live_app, monkeypatch) as s:
        owner = agents.create_owner(s, email, "Harbor Clinic", "Rosa", "Alvarez")
        agent_id = agents.create_agent(s, owner, "Front Desk", f"front-desk-{tag}").id
        fields.create_custom_field(
            s,
            owner,
            agent_id,
            label="Insurance provider",
            type="Dropdown",
            options=["Aetna", "Cigna"],
        )
        agent = s.get(Agent, agent_id)
        for i, (name, insurance) in enumerate(PEOPLE):
            first = name.split()[0].lower()
            contacts.save_contact(
                s,
                agent,
                {
                    "name": name,
                    "email": f"{first}@example.com",
                    "phone": f"+1415555{2600 + i:04d}",
                    "insurance_provider": insurance,
                },
                source="Form",
                origin=contacts.Origin("form", "Intake form"),
            )
    return {"email": email, "agent_id": agent_id}


def _rows(page):
    return page.locator("table tbody tr")


def test_add_search_filter_sort_and_save_a_view(page, live_app, clinic):
    sign_in(page, live_app, clinic["email"])
    page.goto(live_app.url(f"/agents/{clinic['agent_id']}/crm/contacts"))
    expect(
        page.get_by_text("You have 6 contacts. Click any contact to view its details.")
    ).to_be_visible()
    expect(_rows(page)).to_have_count(6)

    # Add a Single Person: the duplicate warning appears while typing a known email.
    page.get_by_role("button", name="Add Contact").first.click()
    dialog = page.get_by_role("dialog")
    expect(dialog.get_by_text("Select how you want to add contact")).to_be_visible()
    dialog.get_by_role("button", name="Add a Single Person").click()
    dialog.get_by_label("Name", exact=True).fill("Grace Hill")
    dialog.get_by_label("Email ID").fill("AVA@example.com")
    expect(dialog.get_by_text("A user with similar details already exists")).to_be_visible()
    expect(dialog.get_by_role("link", name=re.compile("Open Ava Diaz"))).to_be_visible()
    screenshot(page, "contacts-duplicate-warning")
    dialog.get_by_label("Email ID").fill("grace.hill@example.com")
    expect(dialog.get_by_text("A user with similar details already exists")).to_be_hidden()
    dialog.get_by_role("button", name="Add contact").click()
    expect(dialog).to_be_hidden()
    expect(page.get_by_text("You have 7 contacts.", exact=False)).to_be_visible()
    expect(page.get_by_role("link", name="Grace Hill")).to_be_visible()

    # Search by a later word of the name.
    page.get_by_label("Search contacts").fill("diaz")
    expect(_rows(page)).to_have_count(1)
    expect(_rows(page).first).to_contain_text("Ava Diaz")
    page.get_by_label("Search contacts").fill("")
    expect(_rows(page)).to_have_count(7)

    # Filter by the custom dropdown, then sort by name.
    page.get_by_role("button", name=re.compile("^Filters")).click()
    page.get_by_role("combobox").filter(has_text="No field filter").click()
    page.get_by_role("option", name="Insurance provider").click()
    page.get_by_role("combobox").filter(has_text="Value").click()
    page.get_by_role("option", name="Cigna").click()
    page.keyboard.press("Escape")
    expect(_rows(page)).to_have_count(3)
    page.get_by_role("columnheader", name="Name").click()
    expect(_rows(page).first).to_contain_text("Ava Diaz")
    page.get_by_role("columnheader", name="Name").click()
    expect(_rows(page).first).to_contain_text("Olivia Bennett")
    screenshot(page, "contacts-filtered-sorted")

    # Save the view, clear the filters, and bring the view back.
    page.get_by_role("button", name="Save view").click()
    page.get_by_label("View name").fill("Cigna patients")
    page.get_by_role("dialog").get_by_role("button", name="Save view").click()
    expect(page.get_by_role("dialog")).to_be_hidden()
    page.get_by_role("button", name=re.compile("^Filters")).click()
    page.get_by_role("button", name="Clear all").click()
    page.keyboard.press("Escape")
    expect(_rows(page)).to_have_count(7)
    page.get_by_role("combobox").filter(has_text="Saved views").click()
    page.get_by_role("option", name="Cigna patients").click()
    expect(_rows(page)).to_have_count(3)
    expect(_rows(page).first).to_contain_text("Olivia Bennett")


def test_bulk_stage_change_of_all_matching_and_export(page, live_app, clinic, monkeypatch):
    from sqlmodel import select

    # 30 more contacts so the filter spans two pages of 25.
    from crm_app.models import Agent, Contact, Stage
    from crm_app.services import contacts

    with live_db(live_app, monkeypatch) as s:
        agent = s.get(Agent, clinic["agent_id"])
        for i in range(30):
            contacts.save_contact(
                s,
                agent,
                {
                    "name": f"Walk-in {i:02d}",
                    "email": f"walkin{i}@example.com",
                    "insurance_provider": "Aetna",
                },
                source="Manual",
                origin=contacts.Origin("member", "Rosa Alvarez"),
            )
    sign_in(page, live_app, clinic["email"])
    page.goto(live_app.url(f"/agents/{clinic['agent_id']}/crm/contacts"))
    expect(page.get_by_text("You have 36 contacts.", exact=False)).to_be_visible()
    page.get_by_label("Search contacts").fill("walk")
    expect(page.get_by_text("1–25 of 30")).to_be_visible()
    page.get_by_label("Select page").click()
    expect(page.get_by_text("25 selected")).to_be_visible()
    page.get_by_text("Select all matching contacts").click()
    expect(page.get_by_text("All 30 matching contacts selected")).to_be_visible()
    page.get_by_role("button", name="Stage").click()
    page.get_by_role("menuitem", name="Customer", exact=True).click()
    expect(page.get_by_text("Stage changed for 30 contacts")).to_be_visible()
    screenshot(page, "contacts-bulk-stage")

    with live_db(live_app, monkeypatch) as s:
        customer = s.exec(
            select(Stage).where(Stage.agent_id == clinic["agent_id"], Stage.name == "Customer")
        ).one()
        rows = s.exec(select(Contact).where(Contact.agent_id == clinic["agent_id"])).all()
        assert sum(1 for c in rows if c.stage_id == customer.id) == 30
        assert all(c.stage_id != customer.id for c in rows if not c.name.startswith("Walk-in"))

    # Export what the search matches: a real download with formula-safe cells.
    with page.expect_download() as info:
        page.get_by_role("button", name="Export").click()
    path = info.value.path()
    text = Path(path).read_text(encoding="utf-8-sig")
    lines = text.strip().splitlines()
    assert lines[0].startswith("Name,Primary Email,Mobile Number")
    assert len(lines) == 31 and all("Walk-in" in line for line in lines[1:])
    assert "Insurance provider" in lines[0]
