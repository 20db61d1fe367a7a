"""Agents page in the browser: create with an auto-filled slug, a taken slug shown at the
field, rename, and delete only after typing the agent's name; the sidebar switcher follows."""

from __future__ import annotations

import re
import secrets

from playwright.sync_api import expect

from tests.e2e.helpers import screenshot, sign_up


def test_owner_creates_renames_and_deletes_an_agent(page, live_app):
    tag = secrets.token_hex(3)
    sign_up(
        page, live_app, f"lee.{tag}@harbor-vet.example", org="Harbor Vet", first="Lee", last="Park"
    )
    page.get_by_role("link", name="Agents", exact=True).click()
    expect(page).to_have_url(re.compile(r"/agents$"))
    expect(page.get_by_text("No agents yet")).to_be_visible()
    screenshot(page, "agents-empty")

    page.get_by_role("button", name="Create agent").first.click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("Name", exact=True).fill(f"Vet Desk {tag}")
    expect(dialog.get_by_label("URL slug")).to_have_value(f"vet-desk-{tag}")
    dialog.get_by_label("Welcome message").fill("Hi! Need to book a visit for your pet?")
    screenshot(page, "agents-create-dialog")
    dialog.get_by_role("button", name="Create agent").click()
    expect(dialog).to_be_hidden()
    card_title = page.get_by_text(f"Vet Desk {tag}", exact=True)
    expect(card_title.first).to_be_visible()
    expect(page.get_by_text("0 contacts")).to_be_visible()

    # The same slug again is refused next to the field.
    page.get_by_role("button", name="Create agent").first.click()
    dialog.get_by_label("Name", exact=True).fill("Copy")
    expect(dialog.get_by_label("URL slug")).to_have_value("copy")  # the slug suggestion arrived
    dialog.get_by_label("URL slug").fill(f"vet-desk-{tag}")
    dialog.get_by_role("button", name="Create agent").click()
    expect(dialog.get_by_text("This URL slug is taken.")).to_be_visible()
    screenshot(page, "agents-slug-taken")
    dialog.get_by_role("button", name="Cancel").click()

    page.get_by_role("button", name="Rename").first.click()
    rename = page.get_by_role("dialog")
    rename.get_by_label("New name").fill(f"Harbor Desk {tag}")
    rename.get_by_role("button", name="Save").click()
    expect(page.get_by_text(f"Harbor Desk {tag}", exact=True).first).to_be_visible()
    screenshot(page, "agents-renamed", keep=True)

    page.get_by_role("button", name="Delete", exact=True).first.click()
    confirm = page.get_by_role("alertdialog")
    delete_button = confirm.get_by_role("button", name="Delete agent")
    expect(delete_button).to_be_disabled()
    confirm.get_by_label("Agent name to confirm").fill(f"harbor desk {tag}")
    expect(delete_button).to_be_disabled()
    confirm.get_by_label("Agent name to confirm").fill(f"Harbor Desk {tag}")
    screenshot(page, "agents-delete-confirm")
    delete_button.click()
    expect(confirm).to_be_hidden()
    expect(page.get_by_text("No agents yet")).to_be_visible()
    expect(page.get_by_role("button", name=re.compile("Create your first agent"))).to_be_visible()
