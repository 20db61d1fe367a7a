"""Pipeline board in the real app: drag a card with the mouse and with the keyboard, use the
"Move to…" menu, and see each move saved (after a reload, in the database and the timeline)."""

from __future__ import annotations

import secrets

import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import expect_announced, lift_with_keyboard, live_db, screenshot, sign_in

PEOPLE = ["Olivia Bennett", "Liam Carter", "Ava Diaz", "Noah Evans"]


@pytest.fixture()
def board(live_app, monkeypatch):
    from sqlmodel import select

    from crm_app.models import Agent, Stage
    from crm_app.services import agents, contacts, timeline

    tag = secrets.token_hex(3)
    email = f"owner.{tag}@harbor-clinic.example"
    with live_db(live_app, monkeypatch) as s:
        owner = agents.create_owner(s, email, "Harbor Clinic", "Rosa", "Alvarez")
        agent_id = agents.create_agent(s, owner, "Front Desk", f"front-desk-{tag}").id
        agent = s.get(Agent, agent_id)
        ids = {}
        for i, name in enumerate(PEOPLE):
            first = name.split()[0].lower()
            ids[name] = contacts.save_contact(
                s,
                agent,
                {"name": name, "email": f"{first}@example.com", "phone": f"+1415555{2700 + i:04d}"},
                source="Form",
                origin=contacts.Origin("form", "Intake form"),
            ).contact.id
        stages = {
            st.name: str(st.id) for st in s.exec(select(Stage).where(Stage.agent_id == agent_id))
        }
        # One contact already further down the pipeline, with an owner, so the board has some shape.
        timeline.change_owner(s, owner, agent_id, ids["Noah Evans"], str(owner.user_id))
        timeline.change_stage(s, owner, agent_id, ids["Noah Evans"], stages["Prospect"])
    return {"email": email, "agent_id": agent_id, "ids": ids, "stages": stages}


def _column(page, board, stage):
    return page.locator(f'[data-kanban-column="{board["stages"][stage]}"]')


def _card(page, board, name):
    return page.locator(f'[data-kanban-card="{board["ids"][name]}"]')


def _saved(live_app, monkeypatch, contact_id):
    """(stage name, stage lines of the timeline) as stored."""
    from sqlmodel import select

    from crm_app.models import Activity, Contact, Stage

    with live_db(live_app, monkeypatch) as s:
        contact = s.get(Contact, contact_id)
        stage = s.get(Stage, contact.stage_id).name
        lines = s.exec(
            select(Activity.message).where(
                Activity.contact_id == contact_id, Activity.message.startswith("Stage changed")
            )
        ).all()
    return stage, list(lines)


def _drag_with_mouse(page, card, target):
    start, end = card.bounding_box(), target.bounding_box()
    # Press on the card body (below the title link), then move in steps as a hand would.
    x, y = start["x"] + start["width"] / 2, start["y"] + start["height"] - 14
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + 12, y + 4, steps=4)
    page.mouse.move(end["x"] + end["width"] / 2, end["y"] + 120, steps=20)
    expect(target).to_have_attribute("data-over", "true")  # the column lights up
    expect(page.locator('[data-overlay="true"]')).to_be_visible()  # the card under the pointer
    screenshot(page, "pipeline-dragging")
    page.mouse.up()


def test_drag_cards_between_stages_with_mouse_keyboard_and_menu(page, live_app, board, monkeypatch):
    sign_in(page, live_app, board["email"])
    page.goto(live_app.url(f"/agents/{board['agent_id']}/crm/pipeline"))
    expect(page.get_by_role("heading", name="Pipeline")).to_be_visible()
    expect(page.get_by_text("Drag a contact to move it to another stage.")).to_be_visible()
    lead, customer = _column(page, board, "Lead"), _column(page, board, "Customer")
    expect(lead.locator("[data-kanban-card]")).to_have_count(3)
    expect(_column(page, board, "Prospect")).to_contain_text("Noah Evans")
    expect(customer).to_contain_text("No contacts in this stage")
    expect(page.get_by_text("4 contacts across 4 stages")).to_be_visible()
    screenshot(page, "pipeline-board", keep=True)

    # Mouse: Olivia from Lead to Customer; she stays there after a reload.
    _drag_with_mouse(page, _card(page, board, "Olivia Bennett"), customer)
    expect(customer.locator("[data-kanban-card]")).to_have_count(1)
    expect(customer).to_contain_text("Olivia Bennett")
    expect(page.get_by_text("Moved Olivia Bennett to Customer.")).to_be_visible()
    page.reload()
    expect(_column(page, board, "Customer")).to_contain_text("Olivia Bennett")
    expect(_column(page, board, "Lead").locator("[data-kanban-card]")).to_have_count(2)
    stage, lines = _saved(live_app, monkeypatch, board["ids"]["Olivia Bennett"])
    assert stage == "Customer"
    assert lines == ["Stage changed from Lead to Customer by Rosa Alvarez"]

    # Keyboard: Liam's handle, Space, two steps right (Prospect, Customer), Space.
    handle = page.get_by_role("button", name="Drag Liam Carter to another stage")
    lift_with_keyboard(page, handle)
    for stage in ("Prospect", "Customer"):
        page.keyboard.press("ArrowRight")
        expect_announced(page, f"Liam Carter is over {stage}.")
    page.keyboard.press("Space")
    expect_announced(page, "Liam Carter moved to Customer.")
    customer = _column(page, board, "Customer")
    expect(customer).to_contain_text("Liam Carter")
    expect(page.get_by_text("Moved Liam Carter to Customer.")).to_be_visible()
    assert _saved(live_app, monkeypatch, board["ids"]["Liam Carter"])[0] == "Customer"

    # The button equivalent: "Move Ava Diaz to…" → Old Customer.
    page.get_by_role("button", name="Move Ava Diaz to…").click()
    page.get_by_role("menuitem", name="Old Customer").click()
    expect(_column(page, board, "Old Customer")).to_contain_text("Ava Diaz")
    expect(page.get_by_text("4 contacts across 4 stages")).to_be_visible()
    page.reload()
    expect(_column(page, board, "Old Customer")).to_contain_text("Ava Diaz")
    expect(_column(page, board, "Lead").locator("[data-kanban-card]")).to_have_count(0)
    screenshot(page, "pipeline-after-moves", keep=True)

    # The card opens the contact, whose Activity tab shows the move.
    _card(page, board, "Olivia Bennett").get_by_role("link", name="Olivia Bennett").click()
    page.wait_for_url(f"**/crm/contacts/{board['ids']['Olivia Bennett']}")
    page.get_by_role("tab", name="Activity").click()
    expect(page.get_by_text("Stage changed from Lead to Customer by Rosa Alvarez")).to_be_visible()


def test_search_and_list_button(page, live_app, board):
    sign_in(page, live_app, board["email"])
    page.goto(live_app.url(f"/agents/{board['agent_id']}/crm/pipeline"))
    page.get_by_label("Search contacts").fill("diaz")
    expect(page.locator("[data-kanban-card]")).to_have_count(1)
    expect(page.get_by_text("1 contact across 4 stages")).to_be_visible()
    page.get_by_label("Search contacts").fill("zzz-nobody")
    expect(page.get_by_text("No matching contacts")).to_be_visible()
    page.get_by_role("button", name="Clear filters").click()
    expect(page.locator("[data-kanban-card]")).to_have_count(4)
    page.get_by_role("link", name="List", exact=True).click()
    page.wait_for_url(f"**/agents/{board['agent_id']}/crm/contacts")
    expect(page.get_by_role("heading", name="Contacts", exact=True)).to_be_visible()
    page.get_by_role("link", name="Pipeline", exact=True).click()
    page.wait_for_url(f"**/agents/{board['agent_id']}/crm/pipeline")
    expect(page.get_by_role("heading", name="Pipeline")).to_be_visible()


def test_the_board_shows_what_the_filtered_list_shows(page, live_app, board, monkeypatch):
    import re

    from crm_app.models import Contact

    with live_db(live_app, monkeypatch) as s:
        ava = s.get(Contact, board["ids"]["Ava Diaz"])
        ava.status = "Inactive"
        s.add(ava)
    sign_in(page, live_app, board["email"])
    page.goto(live_app.url(f"/agents/{board['agent_id']}/crm/contacts"))
    expect(page.get_by_role("heading", name="Contacts", exact=True)).to_be_visible()
    page.get_by_role("button", name=re.compile("^Filters")).click()
    page.get_by_role("combobox").filter(has_text="Any status").click()
    page.get_by_role("option", name="Inactive").click()
    page.keyboard.press("Escape")
    expect(page.get_by_role("button", name="Filters (1)")).to_be_visible()
    page.get_by_role("link", name="Pipeline", exact=True).click()
    page.wait_for_url(f"**/agents/{board['agent_id']}/crm/pipeline")
    expect(page.locator("[data-kanban-card]")).to_have_count(1)
    expect(page.locator("[data-kanban-card]").first).to_contain_text("Ava Diaz")
    expect(page.get_by_text("1 filter from the list")).to_be_visible()
    screenshot(page, "pipeline-filtered-like-the-list")
    page.get_by_role("button", name="Clear filters").click()
    expect(page.locator("[data-kanban-card]")).to_have_count(4)
    expect(page.get_by_text("1 filter from the list")).to_have_count(0)
    page.get_by_role("link", name="List", exact=True).click()
    expect(
        page.get_by_role("button", name="Filters", exact=True)
    ).to_be_visible()  # cleared there too


def test_another_organization_sees_agent_not_found(page, live_app, board, monkeypatch):
    from crm_app.services import agents

    email = f"owner.{secrets.token_hex(3)}@other-clinic.example"
    with live_db(live_app, monkeypatch) as s:
        agents.create_owner(s, email, "Other Clinic", "Omar", "Osei")
    sign_in(page, live_app, email)
    page.goto(live_app.url(f"/agents/{board['agent_id']}/crm/pipeline"))
    expect(page.get_by_text("Agent not found").first).to_be_visible()
    expect(page.locator("[data-kanban-card]")).to_have_count(0)
