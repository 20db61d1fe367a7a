"""Settings → Team, Profile and Audit Logs in the browser: invite with an inline error,
the pending invitation in the list, revoke it, rename yourself (sidebar follows), and see
both changes in the audit log with its action filter."""

from __future__ import annotations

import secrets

from playwright.sync_api import expect

from tests.e2e.helpers import screenshot, sign_up


def test_owner_invites_renames_and_reads_the_audit_log(page, live_app):
    tag = secrets.token_hex(3)
    sign_up(
        page,
        live_app,
        f"rosa.{tag}@lakeside.example",
        org="Lakeside Dental",
        first="Rosa",
        last="Diaz",
    )

    # Plain navigation, then wait for content only the loaded state renders (so events
    # reach Python): open_page's wait for the first websocket frame can miss a fast one.
    page.goto(live_app.url("/settings/team"))
    expect(page.get_by_text("Invite and manage your team members and their roles")).to_be_visible()
    expect(page.get_by_role("columnheader", name="Members")).to_be_visible()
    expect(page.get_by_text(f"rosa.{tag}@lakeside.example")).to_be_visible()
    page.get_by_role("button", name="Invite Team Member").first.click()
    dialog = page.get_by_role("dialog")
    expect(dialog.get_by_text("Invite Team Member")).to_be_visible()
    dialog.get_by_label("Email").fill("not-an-email")
    dialog.get_by_role("button", name="Send invitation").click()
    expect(dialog.get_by_text("Enter a valid email address.")).to_be_visible()
    dialog.get_by_label("Email").fill(f"sam.{tag}@lakeside.example")
    dialog.get_by_role("combobox", name="Role").click()
    page.get_by_role("option", name="Admin").click()
    screenshot(page, "team-invite-dialog")
    dialog.get_by_role("button", name="Send invitation").click()
    expect(dialog).to_be_hidden()
    expect(page.get_by_text(f"Invitation sent to sam.{tag}@lakeside.example")).to_be_visible()
    expect(page.get_by_text("Invited", exact=True)).to_be_visible()
    screenshot(page, "team-list", keep=True)

    page.get_by_role("button", name=f"Actions for sam.{tag}@lakeside.example").click()
    page.get_by_role("menuitem", name="Revoke invitation").click()
    expect(page.get_by_text(f"Invitation to sam.{tag}@lakeside.example revoked")).to_be_visible()
    expect(page.get_by_text("Invited", exact=True)).to_be_hidden()

    page.goto(live_app.url("/settings/profile"))
    first = page.get_by_label("First name")
    expect(first).to_have_value("Rosa")
    save = page.get_by_role("button", name="Save")
    expect(save).to_be_disabled()
    first.fill("")
    save.click()
    expect(page.get_by_text("First name is required.")).to_be_visible()
    first.fill("Rosalind")
    save.click()
    expect(page.get_by_text("Profile updated successfully")).to_be_visible()
    expect(save).to_be_disabled()
    expect(page.get_by_text("Rosalind Diaz").first).to_be_visible()
    screenshot(page, "profile", keep=True)

    page.goto(live_app.url("/settings/audit-logs"))
    expect(page.get_by_text("Activity across your organization")).to_be_visible()
    expect(page.get_by_text(f"Invited sam.{tag}@lakeside.example as Admin")).to_be_visible()
    expect(page.get_by_text("Updated their name to Rosalind Diaz")).to_be_visible()
    screenshot(page, "audit-logs", keep=True)
    page.get_by_role("combobox", name="Filter by action").click()
    page.get_by_role("option", name="Delete").click()
    expect(
        page.get_by_text(f"Revoked the invitation to sam.{tag}@lakeside.example")
    ).to_be_visible()
    expect(page.get_by_text("Updated their name to Rosalind Diaz")).to_be_hidden()
