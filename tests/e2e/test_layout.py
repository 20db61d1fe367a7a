"""The dashboard shell at phone and desktop widths (issue #10): the sidebar becomes a drawer
behind a menu button below 768 px, the contacts table scrolls sideways inside its box with
the Name column kept in view, no page scrolls sideways, the sidebar runs down long pages;
plus the 404 page, the favicon and tab focus rings after a mouse click."""

from __future__ import annotations

import re
import secrets
import urllib.request

import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import live_db, screenshot, sign_in

PHONE = {"width": 390, "height": 844}
PAGE_OVERFLOW = "document.documentElement.scrollWidth - document.documentElement.clientWidth"


@pytest.fixture()
def clinic(live_app, monkeypatch):
    """An owner whose agent has 30 contacts with long addresses (a long, wide table) and a form."""
    from crm_app.models import Agent
    from crm_app.services import agents, contacts, forms

    tag = secrets.token_hex(3)
    email = f"owner.{tag}@layout-clinic.example"
    with live_db(live_app, monkeypatch) as s:
        owner = agents.create_owner(s, email, "Layout Clinic", "Lena", "Ortiz")
        agent_id = agents.create_agent(s, owner, "Reception", f"reception-{tag}").id
        agent = s.get(Agent, agent_id)
        ids = [
            contacts.save_contact(
                s,
                agent,
                {
                    "name": f"Maximiliana Featherstonehaugh {i:02d}",
                    "email": f"maximiliana.featherstonehaugh.{i:02d}@longmail.example",
                    "phone": f"+1415555{3100 + i:04d}",
                },
                source="Form",
                origin=contacts.Origin("form", "Intake form"),
            ).contact.id
            for i in range(30)
        ]
        forms.create_form(s, owner, agent_id, "Intake form")
        second_agent_id = agents.create_agent(s, owner, "Billing", f"billing-{tag}").id
    base = f"/agents/{agent_id}/crm"
    return {
        "email": email,
        "second_agent_id": second_agent_id,
        "contacts": f"{base}/contacts",
        "contact": f"{base}/contacts/{ids[0]}",
        "pipeline": f"{base}/pipeline",
        "forms": f"{base}/forms",
        "settings": f"{base}/settings",
    }


def _open(page, live_app, path: str) -> None:
    """Load a dashboard page and wait until its data replaced the loading spinners."""
    page.goto(live_app.url(path))
    expect(
        page.get_by_role("link", name="Audit Logs").or_(
            page.get_by_role("button", name="Open menu")
        )
    ).to_be_visible()
    expect(page.locator(".rt-Spinner")).to_have_count(0)


def test_phone_menu_opens_a_drawer_and_the_name_column_stays_in_view(page, live_app, clinic):
    page.set_viewport_size(PHONE)
    sign_in(page, live_app, clinic["email"])
    _open(page, live_app, clinic["contacts"])

    menu = page.get_by_role("button", name="Open menu")
    expect(menu).to_be_visible()
    expect(
        page.get_by_role("link", name="Audit Logs")
    ).to_be_hidden()  # no sidebar squeezing the page
    table = page.locator(".crm-contacts-table .rt-ScrollAreaViewport")
    assert table.bounding_box()["width"] > PHONE["width"] - 60
    assert page.evaluate(PAGE_OVERFLOW) == 0
    screenshot(page, "layout-phone-contacts")

    menu.click()
    drawer = page.get_by_role("dialog", name="Menu")
    expect(drawer.get_by_role("link", name="Audit Logs")).to_be_visible()
    screenshot(page, "layout-phone-drawer")
    page.keyboard.press("Escape")
    expect(drawer).to_be_hidden()

    menu.click()
    drawer.get_by_role("link", name="Audit Logs").click()
    page.wait_for_url(re.compile(r"/settings/audit-logs$"))
    expect(page.get_by_role("heading", name="Audit Logs")).to_be_visible()
    expect(drawer).to_be_hidden()

    # Switching agents in the drawer is a navigation too: the drawer closes, the page works.
    menu.click()
    drawer.get_by_role("combobox", name="Agent").click()
    page.get_by_role("option", name="Billing").click()
    page.wait_for_url(re.compile(rf"/agents/{clinic['second_agent_id']}/crm/contacts$"))
    expect(drawer).to_be_hidden()
    expect(page.get_by_role("button", name="Add Contact").first).to_be_visible()
    menu.click()
    expect(drawer.get_by_role("link", name="Forms")).to_be_visible()
    page.keyboard.press("Escape")
    expect(drawer).to_be_hidden()

    # The table scrolls sideways inside its box; the first name is still there, uncovered.
    _open(page, live_app, clinic["contacts"])
    name = page.get_by_role("link", name="Maximiliana Featherstonehaugh 29")
    expect(name).to_be_visible()
    assert table.evaluate("el => { el.scrollLeft = el.scrollWidth; return el.scrollLeft; }") > 0
    box, frame = name.bounding_box(), table.bounding_box()
    assert frame["x"] <= box["x"] and box["x"] + box["width"] <= frame["x"] + frame["width"]
    on_top = page.evaluate(
        "([x, y]) => document.elementFromPoint(x, y)?.closest('a')?.textContent ?? ''",
        [box["x"] + box["width"] / 2, box["y"] + box["height"] / 2],
    )
    assert on_top == "Maximiliana Featherstonehaugh 29"
    screenshot(page, "layout-phone-contacts-scrolled")


@pytest.mark.parametrize("width", [1440, 1024, 768])
def test_wide_screens_keep_the_sidebar_without_page_overflow(page, live_app, clinic, width):
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, live_app, clinic["email"])
    for key in ("contacts", "contact", "pipeline", "forms", "settings"):
        _open(page, live_app, clinic[key])
        expect(page.get_by_role("link", name="Audit Logs")).to_be_visible()
        expect(page.get_by_role("button", name="Open menu")).to_be_hidden()
        assert page.evaluate(PAGE_OVERFLOW) == 0, f"{clinic[key]} scrolls sideways at {width} px"
        screenshot(page, f"layout-{width}-{key}")

    # The contacts page is longer than the window: the sidebar column still reaches its end,
    # and the table, wider than its box, keeps the Name column in view when scrolled.
    _open(page, live_app, clinic["contacts"])
    expect(page.get_by_role("link", name="Maximiliana Featherstonehaugh 05")).to_be_visible()
    heights = page.evaluate(
        "[document.getElementById('crm-sidebar').getBoundingClientRect().height, "
        "document.documentElement.scrollHeight]"
    )
    assert heights[1] > 900 and heights[0] >= heights[1] - 1
    table = page.locator(".crm-contacts-table .rt-ScrollAreaViewport")
    if table.evaluate("el => el.scrollWidth > el.clientWidth"):
        table.evaluate("el => { el.scrollLeft = el.scrollWidth; }")
        name, frame = (
            page.get_by_role("link", name="Maximiliana Featherstonehaugh 29").bounding_box(),
            table.bounding_box(),
        )
        assert frame["x"] <= name["x"] and name["x"] + name["width"] <= frame["x"] + frame["width"]


def test_a_mouse_click_on_a_tab_leaves_no_focus_ring(page, live_app, clinic):
    sign_in(page, live_app, clinic["email"])
    _open(page, live_app, clinic["contact"])
    page.keyboard.press(
        "Tab"
    )  # any earlier typing makes Chrome treat script focus as keyboard focus
    notes = page.get_by_role("tab", name=re.compile("Notes"))
    notes.click()
    expect(notes).to_have_attribute("aria-selected", "true")
    page.mouse.move(0, 0)
    ring = notes.evaluate(
        "el => getComputedStyle(el.querySelector('.rt-BaseTabListTriggerInner')).outlineStyle"
    )
    assert ring == "none"
    page.keyboard.press("ArrowRight")  # the keyboard brings the ring back
    files = page.get_by_role("tab", name=re.compile("Files"))
    expect(files).to_be_focused()
    assert (
        files.evaluate(
            "el => getComputedStyle(el.querySelector('.rt-BaseTabListTriggerInner')).outlineStyle"
        )
        != "none"
    )


def test_unknown_address_gets_a_styled_404_with_a_way_back(page, live_app):
    response = page.goto(live_app.url("/no/such/page"))
    assert response.status == 404
    expect(page.get_by_role("heading", name="Page not found")).to_be_visible()
    screenshot(page, "layout-404")
    page.get_by_role("link", name="Back to the dashboard").click()
    page.wait_for_url(re.compile(r"/login"))  # signed out: the dashboard asks to sign in


def test_favicon_is_served(live_app):
    with urllib.request.urlopen(live_app.url("/favicon.ico"), timeout=10) as response:
        assert response.status == 200
        assert response.read(4) == b"\x00\x00\x01\x00"  # an ICO file
