"""Audit Logs name contacts instead of showing their ids (issue #10): the current name as a
link for a viewer who works in the contact's agent, "a contact" for one who does not,
"an erased contact" once it is gone; one query per page, whatever its length."""

from __future__ import annotations

from sqlalchemy import event
from sqlmodel import select

from crm_app import db
from crm_app.models import AuditLog
from crm_app.services import audit, contacts, erase
from crm_app.services.audit import DescriptionPart


def _add(as_member, agent_id: int, data: dict) -> str:
    with db.session_scope() as s:
        return contacts.add_contact_manually(s, as_member("owner"), agent_id, data).id


def _page(actor):
    with db.session_scope() as s:
        rows, _ = audit.search_entries(s, actor)
        return dict(zip((r.description for r in rows), audit.describe(s, actor, rows)))


def test_entries_show_the_contacts_current_name_as_a_link(team, as_member):
    reception = team.agent_ids[0]
    maria = _add(as_member, reception, {"name": "Maria Lopez", "email": "maria@example.com"})
    nameless = _add(as_member, reception, {"email": "no.name@example.com"})
    with db.session_scope() as s:
        audit.record(
            s, None, "Create", "Contact", f"Contact {maria} created via Form", org_id=team.org_id
        )

    page = _page(as_member("admin"))
    assert page[f"Added contact {maria} via Manual"] == [
        DescriptionPart("Added contact "),
        DescriptionPart("Maria Lopez", maria, reception),
        DescriptionPart(" via Manual"),
    ]
    assert page[f"Contact {maria} created via Form"] == [
        DescriptionPart("Contact "),
        DescriptionPart("Maria Lopez", maria, reception),
        DescriptionPart(" created via Form"),
    ]
    assert page[f"Added contact {nameless} via Manual"][1] == DescriptionPart(
        "no.name@example.com", nameless, reception
    )


def test_an_erased_contact_is_named_neutrally_and_its_name_is_nowhere(team, as_member):
    reception = team.agent_ids[0]
    maria = _add(as_member, reception, {"name": "Maria Lopez", "email": "maria@example.com"})
    with db.session_scope() as s:
        audit.record(
            s, None, "Create", "Contact", f"Contact {maria} created via Form", org_id=team.org_id
        )
        erase.erase_contact(s, as_member("admin"), reception, maria)

    page = _page(as_member("owner"))
    assert page[f"Added contact {maria} via Manual"] == [
        DescriptionPart("Added an erased contact via Manual")
    ]
    assert page[f"Contact {maria} created via Form"] == [
        DescriptionPart("An erased contact created via Form")
    ]
    assert page["Erased a contact"] == [DescriptionPart("Erased a contact")]
    assert "Maria" not in repr(page)


def test_a_user_sees_no_name_of_a_contact_outside_their_agents(team, as_member):
    reception, billing = team.agent_ids
    mine = _add(as_member, reception, {"name": "Ravi Patel", "email": "ravi@example.com"})
    theirs = _add(as_member, billing, {"name": "Secret Person", "email": "secret@example.com"})
    with db.session_scope() as s:
        shop_contact = contacts.add_contact_manually(
            s,
            as_member("other_owner"),
            team.other_agent_id,
            {"name": "Bakery Customer", "email": "cake@example.com"},
        ).id
        # Users see only their own entries; these two name contacts of other agents and organizations.
        for cid in (mine, theirs, shop_contact):
            audit.record(s, as_member("user"), "Update", "Contact", f"Edited contact {cid}")

    page = _page(as_member("user"))
    assert page[f"Edited contact {mine}"] == [
        DescriptionPart("Edited contact "),
        DescriptionPart("Ravi Patel", mine, reception),
    ]
    assert page[f"Edited contact {theirs}"] == [DescriptionPart("Edited a contact")]
    assert page[f"Edited contact {shop_contact}"] == [DescriptionPart("Edited an erased contact")]
    assert "Secret" not in repr(page) and "Bakery" not in repr(page)


def test_text_without_contact_ids_is_left_alone(team, as_member):
    with db.session_scope() as s:
        audit.record(
            s,
            as_member("owner"),
            "Update",
            "Contact",
            "Changed 3 contacts: contact 12 and contacts",
        )
    assert _page(as_member("owner")) == {
        "Changed 3 contacts: contact 12 and contacts": [
            DescriptionPart("Changed 3 contacts: contact 12 and contacts")
        ]
    }


def test_names_for_a_whole_page_take_one_query(team, as_member):
    reception = team.agent_ids[0]
    for i in range(25):
        _add(as_member, reception, {"name": f"Person {i}", "email": f"person{i}@example.com"})
    owner = as_member("owner")
    with db.session_scope() as s:
        rows = list(s.exec(select(AuditLog).order_by(AuditLog.id)))
        assert len(rows) == 25
        statements = []
        listener = lambda *args: statements.append(args[2])  # noqa: E731
        event.listen(s.get_bind(), "before_cursor_execute", listener)
        try:
            described = audit.describe(s, owner, rows)
        finally:
            event.remove(s.get_bind(), "before_cursor_execute", listener)
    assert len(statements) == 1
    assert [parts[1].text for parts in described] == [f"Person {i}" for i in range(25)]
