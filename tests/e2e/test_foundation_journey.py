"""Issue #2's whole journey in one browser session, as a clinic owner would live it:
sign up with the code from the mailbox page, create an agent, open CRM → Settings, add a
Dropdown field with Allow for AI, reorder fields by dragging, add and reorder a stage,
invite a member who accepts and then sees only what a User may."""

from __future__ import annotations

import re
import secrets

from playwright.sync_api import Page, expect

from tests.e2e.helpers import code_input, open_page, screenshot


def _from_mailbox(context, base: str, to: str, pattern: str) -> str:
    """Read the newest mail to `to` on the development mailbox page and extract `pattern`."""
    box = context.new_page()
    try:
        open_page(box, f"{base}/dev/mailbox")
        card = box.locator("div.rt-Card").filter(has_text=f"To: {to}").first
        expect(card).to_be_visible()
        found = re.search(pattern, card.inner_text())
        assert found, card.inner_text()
        return found.group(1)
    finally:
        box.close()


def _drag(page: Page, source, target, *, above: bool = True) -> None:
    start, goal = source.bounding_box(), target.bounding_box()
    x = start["x"] + start["width"] / 2
    page.mouse.move(x, start["y"] + start["height"] / 2)
    page.mouse.down()
    page.mouse.move(x, start["y"] - 8 if above else start["y"] + 8, steps=5)
    page.mouse.move(
        goal["x"] + goal["width"] / 2, goal["y"] + (2 if above else goal["height"] - 2), steps=20
    )
    page.mouse.up()


def _order(page: Page) -> list[str]:
    handles = page.get_by_role("tabpanel").get_by_role(
        "button", name=re.compile("^Drag to reorder ")
    )
    return handles.evaluate_all(
        "els => els.map(e => [getComputedStyle(e.closest('[data-sortable-id]')).order,"
        " e.getAttribute('aria-label').replace('Drag to reorder ', '')])"
        ".sort((a, b) => Number(a[0]) - Number(b[0])).map(p => p[1])"
    )


def test_owner_builds_the_crm_and_invites_a_user(browser, live_app):
    base = live_app.base_url
    tag = secrets.token_hex(3)
    owner_email = f"maya.{tag}@lakeside-physio.example"
    member_email = f"sam.{tag}@lakeside-physio.example"

    owner_ctx = browser.new_context(base_url=base, viewport={"width": 1366, "height": 900})
    owner_ctx.set_default_timeout(15_000)
    page = owner_ctx.new_page()

    # Sign up: the code comes from the development mailbox page.
    open_page(page, f"{base}/signup")
    page.get_by_label("Organization name").fill("Lakeside Physio")
    page.get_by_label("First name").fill("Maya")
    page.get_by_label("Last name").fill("Lopez")
    page.get_by_label("Email address").fill(owner_email)
    page.get_by_role("button", name="Send code").click()
    expect(code_input(page)).to_be_visible()
    code = _from_mailbox(owner_ctx, base, owner_email, r"\b(\d{6})\b")
    code_input(page).fill(code)
    page.get_by_role("button", name="Verify").click()
    expect(page.get_by_text("Lakeside Physio").first).to_be_visible()
    expect(page.get_by_text("Maya Lopez").first).to_be_visible()

    # Create an agent.
    open_page(page, f"{base}/agents")
    page.get_by_role("button", name="Create agent").first.click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("Name", exact=True).fill("Front Desk")
    dialog.get_by_label("URL slug").fill(f"front-desk-{tag}")
    dialog.get_by_role("button", name=re.compile(r"^(Create|Save)", re.I)).click()
    expect(dialog).to_be_hidden()

    # CRM → Settings from the sidebar.
    page.get_by_role("link", name="Settings", exact=True).click()
    expect(page).to_have_url(re.compile(r"/agents/\d+/crm/settings$"))
    settings_url = page.url
    expect(page.get_by_role("button", name="Drag to reorder Gender")).to_be_visible()

    # A custom Dropdown field with Allow for AI.
    page.get_by_role("button", name="Add custom field").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("Label").fill("Insurance provider")
    dialog.get_by_label("Type").click()
    page.get_by_role("option", name="Dropdown").click()
    for option in ("Aetna", "Cigna", "Blue Cross"):
        dialog.get_by_label("New option").fill(option)
        dialog.get_by_label("New option").press("Enter")
    dialog.get_by_role("switch", name="Allow for AI").click()
    dialog.get_by_role("button", name="Save field").click()
    expect(dialog).to_be_hidden()
    expect(page.get_by_role("switch", name="Allow for AI: Insurance provider")).to_be_checked()
    assert _order(page)[-1] == "Insurance provider"

    # Reorder by dragging the new field to the top.
    _drag(
        page,
        page.get_by_role("button", name="Drag to reorder Insurance provider"),
        page.get_by_role("button", name="Drag to reorder Name"),
    )
    expect(page.get_by_text("Field order saved.").first).to_be_visible()
    open_page(page, settings_url)
    expect(page.get_by_role("button", name="Drag to reorder Insurance provider")).to_be_visible()
    assert _order(page)[0] == "Insurance provider"
    screenshot(page, "journey-fields", keep=True)

    # Add a stage and drag it to second place.
    page.get_by_role("tab", name="Pipeline Stages").click()
    page.get_by_label("New stage name").fill("Assessment booked")
    page.get_by_role("button", name="Add stage").click()
    expect(page.get_by_role("button", name="Drag to reorder Assessment booked")).to_be_visible()
    assert _order(page) == ["Lead", "Prospect", "Customer", "Old Customer", "Assessment booked"]
    _drag(
        page,
        page.get_by_role("button", name="Drag to reorder Assessment booked"),
        page.get_by_role("button", name="Drag to reorder Prospect"),
    )
    expect(page.get_by_text("Stage order saved.").first).to_be_visible()
    open_page(page, settings_url)
    page.get_by_role("tab", name="Pipeline Stages").click()
    expect(page.get_by_role("button", name="Drag to reorder Assessment booked")).to_be_visible()
    assert _order(page) == ["Lead", "Assessment booked", "Prospect", "Customer", "Old Customer"]
    screenshot(page, "journey-stages", keep=True)

    # Invite a User who works in this agent.
    open_page(page, f"{base}/settings/team")
    page.get_by_role("button", name="Invite Team Member").first.click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("Email").fill(member_email)
    dialog.get_by_label("Role").click()
    page.get_by_role("option", name="User").click()
    dialog.get_by_role("checkbox").first.click()
    dialog.get_by_role("button", name="Send invitation").click()
    expect(dialog).to_be_hidden()
    expect(page.get_by_text(member_email, exact=True)).to_be_visible()
    expect(page.get_by_text("Invited").first).to_be_visible()
    screenshot(page, "journey-team", keep=True)

    # The member accepts in a browser of their own.
    member_ctx = browser.new_context(base_url=base, viewport={"width": 1366, "height": 900})
    member_ctx.set_default_timeout(15_000)
    member = member_ctx.new_page()
    link = _from_mailbox(member_ctx, base, member_email, r"(https?://\S+/invite/\S+)")
    open_page(member, link)
    expect(member.get_by_text("Lakeside Physio").first).to_be_visible()
    member.get_by_label("First name").fill("Sam")
    member.get_by_label("Last name").fill("Reed")
    member.get_by_role("button", name="Send code").click()
    expect(code_input(member)).to_be_visible()
    code = _from_mailbox(member_ctx, base, member_email, r"\b(\d{6})\b")
    code_input(member).fill(code)
    member.get_by_role("button", name="Accept invitation").click()
    expect(member.get_by_text("Sam Reed").first).to_be_visible()
    expect(member.get_by_text("User", exact=True).first).to_be_visible()

    # What a User sees: the agent, read-only settings, no invites, no agent admin.
    open_page(member, settings_url)
    expect(member.get_by_text("Only Owners and Admins can change them.")).to_be_visible()
    expect(member.get_by_role("button", name="Add custom field")).to_have_count(0)
    expect(member.get_by_role("button", name="Drag to reorder Name")).to_be_disabled()
    screenshot(member, "journey-user-settings", keep=True)
    open_page(member, f"{base}/settings/team")
    expect(member.get_by_role("heading", name="Team")).to_be_visible()
    expect(member.get_by_role("button", name="Invite Team Member")).to_have_count(0)
    open_page(member, f"{base}/agents")
    expect(member.get_by_text("Front Desk").first).to_be_visible()
    expect(member.get_by_role("button", name="Create agent")).to_have_count(0)
    open_page(member, f"{base}/settings/audit-logs")
    expect(member.get_by_text("Your recent activity across the platform")).to_be_visible()

    # The owner now sees the member as Active.
    open_page(page, f"{base}/settings/team")
    expect(page.get_by_text("Sam Reed")).to_be_visible()
    member_ctx.close()
    owner_ctx.close()
