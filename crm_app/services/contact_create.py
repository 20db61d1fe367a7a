"""Inserting one new contact (save_contact's creation step, services/contacts.py).

`insert_for` gives this database's `INSERT INTO contact … ON CONFLICT DO NOTHING RETURNING
id` (PostgreSQL, SQLite); `create_contact` inserts the contact with the automations' stage
and owners, then its custom values, timeline lines (one Core INSERT when the contact went
in that way) and audit entry. See the docstring of services/contacts.py for why.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import insert as sa_insert
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import make_transient_to_detached
from sqlmodel import Session

from crm_app.models import Activity, Agent, Contact, ContactValue, utcnow
from crm_app.services import audit, automations, provenance
from crm_app.services.merge import CleanInput, Origin

_INSERTS: dict[str, Any] = {}
ACTIVITY_INSERT = sa_insert(
    Activity.__table__
)  # Core: timeline rows as plain values, no ORM objects


def insert_for(session: Session):
    """`INSERT INTO contact … ON CONFLICT DO NOTHING RETURNING id` for this database (None:
    not supported here; save_contact then matches first and inserts under a savepoint)."""
    name = session.get_bind().dialect.name
    if name not in _INSERTS:
        table = Contact.__table__
        make = {"postgresql": pg_insert, "sqlite": sqlite_insert}.get(name)
        _INSERTS[name] = (
            make(table).on_conflict_do_nothing().returning(table.c.id) if make else None
        )
    return _INSERTS[name]


_CONTACT_COLUMNS = [(attr.key, attr.columns[0].name) for attr in sa_inspect(Contact).column_attrs]


def create_contact(
    session: Session, agent: Agent, clean: CleanInput, source: str, origin: Origin, insert
) -> Contact | None:
    """Insert the contact with the automations' stage and owners, then queue its timeline and
    audit rows. With `insert` (ON CONFLICT DO NOTHING) returns None when a contact already
    has one of its unique keys; without, adds it to the session (the caller flushes)."""
    decision = automations.decide_on_create(
        session, agent, source=source, creator_id=origin.user_id
    )
    now = utcnow()
    member_set: list[str] = []
    if origin.actor_type == "member":
        member_set = sorted(k for k, v in clean.defaults.items() if v) + [
            str(fid) for fid, v in clean.custom.items() if v is not None
        ]
    texts = {k: provenance.stored_text(v) for k, v in clean.defaults.items()}
    texts.update({str(fid): v[0] for fid, v in clean.custom.items() if v is not None})
    contact = Contact(
        agent_id=agent.id,
        external_ref=clean.external_ref,
        source=source,
        created_by_id=origin.user_id if origin.actor_type in ("member", "import") else None,
        member_set=member_set,
        field_sources=provenance.updated({}, texts, origin, now),
        stage_id=decision.stage_id,
        primary_owner_id=decision.primary_owner_id,
        secondary_owner_id=decision.secondary_owner_id,
        created_at=now,
        updated_at=now,
        **{k: v for k, v in clean.defaults.items()},
    )
    contact.name_sort = (contact.name or "").lower()
    if insert is not None:
        session.flush()  # anything pending first (the insert below bypasses the unit of work)
        row = {column: getattr(contact, key) for key, column in _CONTACT_COLUMNS}
        if session.connection().execute(insert, row).first() is None:
            automations.undo_decision(decision)
            return None
        make_transient_to_detached(
            contact
        )  # it is in the database now: persistent, nothing pending
    session.add(contact)
    for field_id, stored in clean.custom.items():
        if stored is not None:
            session.add(
                ContactValue(
                    contact_id=contact.id,
                    field_id=field_id,
                    value_text=stored[0],
                    value_num=stored[1],
                    value_json=stored[2],
                )
            )
    lines = [
        {
            "contact_id": contact.id,
            "kind": "created",
            "actor_type": origin.actor_type,
            "actor_id": origin.user_id,
            "actor_label": origin.label,
            "message": (f"Created via {source}" + origin.by)[:1000],
            "data": {},
            "created_at": now,
        }
    ] + decision.activity_rows(contact.id, now)
    if (
        insert is not None
    ):  # the contact is in the database: its timeline goes straight in, one statement
        session.connection().execute(ACTIVITY_INSERT, lines)
    else:
        session.add_all([Activity(**line) for line in lines])
    if origin.actor_type != "member":  # members' own entry points audit with their name
        audit.record(
            session,
            None,
            "Create",
            "Contact",
            f"Contact {contact.id} created via {source}" + origin.by,
            org_id=agent.org_id,
            now=insert is not None,
        )
    return contact
