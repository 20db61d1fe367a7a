"""Audit Logs in Chromium: a contact shows by name and links to its page; an erased one is
"an erased contact" (issue #10)."""

from __future__ import annotations

import re
import secrets

from playwright.sync_api import expect

from tests.e2e.helpers import live_db, screenshot, sign_in


def test_audit_log_names_contacts_and_links_to_them(page, live_app, monkeypatch):
    from crm_app.services import agents, contacts, erase

    tag = secrets.token_hex(3)
    email = f"owner.{tag}@audit-clinic.example"
    with live_db(live_app, monkeypatch) as s:
        owner = agents.create_owner(s, email, "Audit Clinic", "Ada", "Moss")
        agent_id = agents.create_agent(s, owner, "Reception", f"reception-{tag}").id
        kept = contacts.add_contact_manually(
            s, owner, agent_id, {"name": "Maria Lopez", "email": "maria@example.com"}
        ).id
        gone = contacts.add_contact_manually(
            s, owner, agent_id, {"name": "Tom Gone", "email": "tom@example.com"}
        ).id
        erase.erase_contact(s, owner, agent_id, gone)

    sign_in(page, live_app, email)
    page.goto(live_app.url("/settings/audit-logs"))
    link = page.get_by_role("link", name="Maria Lopez")
    expect(link).to_be_visible()
    expect(page.get_by_role("cell", name="Added an erased contact via Manual")).to_be_visible()
    expect(page.get_by_text(kept)).to_have_count(0)
    expect(page.get_by_text(gone)).to_have_count(0)
    screenshot(page, "audit-log-contact-names")
    link.click()
    page.wait_for_url(re.compile(rf"/agents/{agent_id}/crm/contacts/{kept}$"))
    expect(page.get_by_role("heading", name="Maria Lopez")).to_be_visible()
