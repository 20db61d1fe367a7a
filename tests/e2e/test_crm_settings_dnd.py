"""CRM → Settings in Chromium: reorder contact fields by mouse drag and by keyboard
(Space, ArrowDown, Space) and see the order survive a reload; a User sees it read-only."""

from __future__ import annotations

import re
import secrets

import pytest
from playwright.sync_api import Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
from sqlmodel import Session

from crm_app.db import make_engine, session_scope
from crm_app.models import Agent, Membership, Organization, User
from crm_app.services import fields, sessions, stages
from tests.conftest import clear_config_caches
from tests.e2e.helpers import expect_announced, lift_with_keyboard, open_page, screenshot

pytestmark = pytest.mark.e2e


def _seed(database_url: str) -> dict:
    """An organization with an Owner, a User and one agent (default fields and stages)."""
    tag = secrets.token_hex(4)
    engine = make_engine(database_url)
    try:
        with Session(engine, expire_on_commit=False) as s:
            org = Organization(name=f"Sunrise Clinic {tag}")
            owner = User(email=f"owner-{tag}@clinic.example", first_name="Dana", last_name="Owner")
            staff = User(email=f"staff-{tag}@clinic.example", first_name="Sam", last_name="Staff")
            s.add_all([org, owner, staff])
            s.flush()
            agent = Agent(org_id=org.id, name="Reception", slug=f"reception-{tag}")
            s.add(agent)
            s.flush()
            fields.install_default_fields(s, agent.id)
            stages.install_default_stages(s, agent.id)
            s.add_all(
                [
                    Membership(org_id=org.id, user_id=owner.id, role="Owner"),
                    Membership(org_id=org.id, user_id=staff.id, role="User", agent_ids=[agent.id]),
                ]
            )
            s.commit()
            return {
                "engine_url": database_url,
                "org_id": org.id,
                "owner": owner,
                "staff": staff,
                "agent_id": agent.id,
            }
    finally:
        engine.dispose()


def _sign_in_as(page: Page, live_app, world: dict, user: User, next_path: str, monkeypatch) -> None:
    """A sign-in ticket issued under the server's settings (its secret key hashes the ticket)."""
    monkeypatch.setenv("CRM_DATA_DIR", str(live_app.data_dir))
    monkeypatch.setenv("CRM_DATABASE_URL", live_app.database_url)
    clear_config_caches()
    try:
        with session_scope() as s:
            ticket = sessions.issue_ticket(s, user, world["org_id"], next_path)
    finally:
        monkeypatch.undo()
        clear_config_caches()
    open_page(page, live_app.url(f"/api/auth/complete?ticket={ticket}"))
    expect(page).to_have_url(re.compile(re.escape(next_path) + "$"))


def _handle_order(page: Page) -> list[str]:
    handles = page.get_by_role("tabpanel").get_by_role(
        "button", name=re.compile("^Drag to reorder ")
    )
    return [
        label.removeprefix("Drag to reorder ")
        for label in handles.evaluate_all(
            "els => els.map(e => [getComputedStyle(e.closest('[data-sortable-id]')).order, e.getAttribute('aria-label')])"
            ".sort((a, b) => Number(a[0]) - Number(b[0])).map(p => p[1])"
        )
    ]


# The handle labels of the open tab in their shown order (the list shows a dropped order
# through CSS `order` until the server sends the new one), compared with `expected`.
_SHOWN_ORDER_IS = """expected => {
    const panel = document.querySelector('[role=tabpanel][data-state=active]');
    if (!panel) return false;
    const shown = [...panel.querySelectorAll('[aria-label^="Drag to reorder "]')]
        .map(e => [Number(getComputedStyle(e.closest('[data-sortable-id]')).order),
                   e.getAttribute('aria-label').slice('Drag to reorder '.length)])
        .sort((a, b) => a[0] - b[0]).map(p => p[1]);
    return JSON.stringify(shown) === JSON.stringify(expected);
}"""


def _expect_order(page: Page, expected: list[str]) -> None:
    """Wait until the open tab shows the rows in `expected` order."""
    try:
        page.wait_for_function(_SHOWN_ORDER_IS, arg=expected)
    except PlaywrightTimeoutError:
        assert _handle_order(page) == expected


def test_owner_reorders_fields_by_mouse_and_keyboard(page: Page, live_app, monkeypatch):
    world = _seed(live_app.database_url)
    path = f"/agents/{world['agent_id']}/crm/settings"
    _sign_in_as(page, live_app, world, world["owner"], path, monkeypatch)

    expect(page.get_by_role("heading", name="CRM Settings")).to_be_visible()
    expect(page.get_by_role("tab", name="Contact Fields")).to_be_visible()
    gender = page.get_by_role("button", name="Drag to reorder Gender")
    expect(gender).to_be_visible()
    assert _handle_order(page) == ["Name", "Email", "Mobile Number", "Gender"]

    # Mouse: press the handle, move in steps above the first row, release.
    start = gender.bounding_box()
    target = page.get_by_role("button", name="Drag to reorder Name").bounding_box()
    page.mouse.move(start["x"] + start["width"] / 2, start["y"] + start["height"] / 2)
    page.mouse.down()
    page.mouse.move(start["x"] + start["width"] / 2, start["y"] - 10, steps=5)
    page.mouse.move(target["x"] + target["width"] / 2, target["y"] + 2, steps=20)
    page.mouse.up()
    saved = page.get_by_text("Field order saved.")
    expect(saved.first).to_be_visible()
    _expect_order(page, ["Gender", "Name", "Email", "Mobile Number"])
    # Toasts leave after a few seconds: once this one is gone, the next is the keyboard move's.
    expect(saved).to_have_count(0, timeout=15_000)

    # Keyboard: focus the handle, Space to lift, ArrowDown, Space to drop.
    name = page.get_by_role("button", name="Drag to reorder Name")
    lift_with_keyboard(page, name)
    page.keyboard.press("ArrowDown")
    expect_announced(page, "Name is over position 3 of 4")
    page.keyboard.press("Space")
    expect_announced(page, "Dropped Name at position 3 of 4")
    _expect_order(page, ["Gender", "Email", "Name", "Mobile Number"])
    expect(saved.first).to_be_visible()

    open_page(page, live_app.url(path))
    expect(page.get_by_role("button", name="Drag to reorder Gender")).to_be_visible()
    _expect_order(page, ["Gender", "Email", "Name", "Mobile Number"])
    screenshot(page, "crm-settings-fields")

    # The stages tab lists the default pipeline with contact counts.
    page.get_by_role("tab", name="Pipeline Stages").click()
    expect(page.get_by_role("button", name="Drag to reorder Old Customer")).to_be_visible()
    expect(page.get_by_text("0 contacts").first).to_be_visible()
    screenshot(page, "crm-settings-stages")
    page.get_by_role("button", name="Remove Lead").click()
    alert = page.get_by_role("alertdialog")
    expect(alert.get_by_text("No contacts are in this stage.")).to_be_visible()
    screenshot(page, "crm-settings-remove-stage")
    alert.get_by_role("button", name="Remove stage").click()
    expect(page.get_by_text("Stage Lead removed.")).to_be_visible()
    expect(page.get_by_role("button", name="Drag to reorder Lead")).to_have_count(0)

    page.get_by_role("tab", name="Defaults").click()
    expect(page.get_by_text("Default phone region")).to_be_visible()
    screenshot(page, "crm-settings-defaults")

    # Adding a field whose key exists shows the error next to the Key input.
    page.get_by_role("tab", name="Contact Fields").click()
    page.get_by_role("button", name="Add custom field").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("Label").fill("Email")
    dialog.get_by_role("button", name="Save field").click()
    expect(dialog.get_by_role("alert")).to_have_text("A field with the key 'email' already exists.")
    screenshot(page, "crm-settings-field-dialog")
    dialog.get_by_label("Label").fill("Preferred clinic")
    expect(dialog.get_by_label("Key")).to_have_value("preferred_clinic")
    dialog.get_by_role("button", name="Save field").click()
    expect(page.get_by_text("Custom field Preferred clinic added.")).to_be_visible()
    expect(page.get_by_role("button", name="Drag to reorder Preferred clinic")).to_be_visible()


def test_user_role_sees_settings_read_only(page: Page, live_app, monkeypatch):
    world = _seed(live_app.database_url)
    path = f"/agents/{world['agent_id']}/crm/settings"
    _sign_in_as(page, live_app, world, world["staff"], path, monkeypatch)
    expect(page.get_by_text("Only Owners and Admins can change them.")).to_be_visible()
    expect(page.get_by_role("button", name="Drag to reorder Name")).to_be_disabled()
    expect(page.get_by_role("button", name="Add custom field")).to_have_count(0)
    expect(page.get_by_role("switch", name="Allow for AI: Name")).to_be_disabled()
    screenshot(page, "crm-settings-read-only")
