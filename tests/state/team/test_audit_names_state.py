"""Audit Logs page state: contacts appear by name, linked to their page (issue #10)."""

from __future__ import annotations

from dataclasses import asdict

from crm_app import db
from crm_app.services import audit, contacts, principal
from crm_app.state.audit import AuditState


def test_entries_link_the_contact_by_name_and_hide_other_agents_contacts(world, make_state):
    reception, billing = world.agent_ids
    with db.session_scope() as s:
        owner = principal.member(s, world.owner_id, world.org_id)
        maria = contacts.add_contact_manually(
            s, owner, reception, {"name": "Maria Lopez", "email": "m@example.com"}
        ).id
        hidden = contacts.add_contact_manually(
            s, owner, billing, {"name": "Hidden Person", "email": "h@example.com"}
        ).id
        user = principal.member(s, world.user_id, world.org_id)
        audit.record(s, user, "Update", "Contact", f"Edited contact {maria}")
        audit.record(s, user, "Update", "Contact", f"Edited contact {hidden}")

    state = make_state(AuditState, "owner")
    added = next(
        e
        for e in state.entries
        if e.description[0].text == "Added contact " and e.description[1].text == "Maria Lopez"
    )
    assert [asdict(p) for p in added.description] == [
        {"text": "Added contact ", "href": ""},
        {"text": "Maria Lopez", "href": f"/agents/{reception}/crm/contacts/{maria}"},
        {"text": " via Manual", "href": ""},
    ]

    state = make_state(AuditState, "user")
    assert [[asdict(p) for p in e.description] for e in state.entries] == [
        [{"text": "Edited a contact", "href": ""}],
        [
            {"text": "Edited contact ", "href": ""},
            {"text": "Maria Lopez", "href": f"/agents/{reception}/crm/contacts/{maria}"},
        ],
    ]
