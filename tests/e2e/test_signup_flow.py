"""A new clinic owner signs up, lands in the dashboard, creates an agent and opens its CRM."""

from __future__ import annotations

import re
import secrets

from playwright.sync_api import expect

from tests.e2e.helpers import open_page, screenshot, sign_up


def test_new_owner_signs_up_creates_agent_and_opens_crm_settings(page, live_app):
    email = f"maya.{secrets.token_hex(3)}@sunrise-dental.example"
    sign_up(page, live_app, email, org="Sunrise Dental", first="Maya", last="Lopez")

    # The dashboard shell shows who is signed in and their organization.
    expect(page.get_by_text("Sunrise Dental").first).to_be_visible()
    expect(page.get_by_text("Maya Lopez").first).to_be_visible()
    screenshot(page, "signup-dashboard")

    open_page(page, live_app.url("/agents"))
    page.get_by_role("button", name="Create agent").first.click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_visible()
    dialog.get_by_label("Name", exact=True).fill("Front Desk")
    dialog.get_by_label("URL slug").fill("front-desk")
    dialog.get_by_role("button", name=re.compile(r"^(Create|Save)", re.I)).click()
    expect(dialog).to_be_hidden()
    expect(page.get_by_text("Front Desk").first).to_be_visible()
    screenshot(page, "signup-agent-created")

    # CRM → Settings of the new agent, from the sidebar.
    page.get_by_role("link", name="Settings", exact=True).click()
    expect(page).to_have_url(re.compile(r"/agents/\d+/crm/settings$"))
    expect(page.get_by_role("heading", name="CRM Settings")).to_be_visible()
    # A new agent's CRM starts with the default contact fields and pipeline stages.
    expect(page.get_by_text("Mobile Number", exact=True)).to_be_visible()
    screenshot(page, "signup-crm-settings")
    page.get_by_role("tab", name="Pipeline Stages").click()
    for stage in ("Lead", "Prospect", "Customer", "Old Customer"):
        expect(page.get_by_text(stage, exact=True).first).to_be_visible()
