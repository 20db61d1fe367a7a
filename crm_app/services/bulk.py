"""Bulk actions on the contacts list: on a selection or "all N matching".

Everything is validated before anything is written; the change itself is set-based SQL
(one INSERT ... SELECT for the timeline entries, one UPDATE for the contacts), so changing
a million contacts never loads them. Deleting works in chunks of ids, each chunk removing
the contacts' dependent rows first, all in the caller's transaction; private files are
removed from disk only after that transaction commits.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Table, and_, delete, insert, literal, or_, select, update
from sqlalchemy.types import JSON, Integer, String
from sqlmodel import Session, SQLModel

from crm_app.models import Activity, Contact, ContactFile, Stage, User, UTCDateTime, utcnow
from crm_app.services import audit, events, files
from crm_app.services.access import Actor, require_agent
from crm_app.services.contact_list import ListQuery, build_filter
from crm_app.services.contacts import STATUSES
from crm_app.services.errors import ValidationError
from crm_app.services.export import clean_ids
from crm_app.services.principal import membership_of

ASSIGN_OWNER = "assign_owner"
CHANGE_STAGE = "change_stage"
CHANGE_STATUS = "change_status"
ARCHIVE = "archive"
UNARCHIVE = "unarchive"
DELETE = "delete"
ACTIONS = (ASSIGN_OWNER, CHANGE_STAGE, CHANGE_STATUS, ARCHIVE, UNARCHIVE, DELETE)
DELETE_CHUNK = 2000
# The attribute a `contact.updated` event names for each change.
_CHANGED = {
    ASSIGN_OWNER: "owner",
    CHANGE_STAGE: "stage",
    CHANGE_STATUS: "status",
    ARCHIVE: "archived",
    UNARCHIVE: "archived",
}


def bulk_update(
    session: Session,
    actor: Actor,
    agent_id: int,
    *,
    ids: Sequence[str] | None = None,
    query: ListQuery | None = None,
    action: str,
    value=None,
) -> int:
    """Apply `action` to the contacts in `ids` (a selection) or matching `query`; returns
    how many contacts changed. Exactly one of ids / query is given.

    value: the owner's user id (assign_owner; None unassigns), a stage id of this agent
    (change_stage) or Active/Inactive/Blocked (change_status); unused otherwise.
    Delete needs Admin or Owner.
    """
    if action not in ACTIONS:
        raise ValidationError("Choose an action.", field="action")
    agent = require_agent(session, actor, agent_id, "Admin" if action == DELETE else "User")
    if (ids is None) == (query is None):
        raise ValidationError("Select contacts or choose all matching.", field="ids")
    if ids is not None:
        where = and_(Contact.agent_id == agent.id, Contact.id.in_(clean_ids(ids)))
    else:
        where = build_filter(session, agent.id, query)
    if action == DELETE:
        return _delete(session, actor, agent, where)

    column, new, kind, describe = _validated_change(session, actor, agent, action, value)
    # Only contacts whose value actually changes get a timeline entry and are counted.
    target = and_(
        where, or_(column != new, column.is_(None)) if new is not None else column.is_not(None)
    )
    now = utcnow()
    message = describe + f" by {actor.display_name} (bulk action)"
    session.execute(
        insert(Activity).from_select(
            [
                "contact_id",
                "kind",
                "actor_type",
                "actor_id",
                "actor_label",
                "message",
                "data",
                "created_at",
            ],
            select(
                Contact.id,
                literal(kind, String()),
                literal(actor.activity_type, String()),
                literal(actor.activity_id, Integer()),
                literal(actor.display_name[:120], String()),
                literal(message[:1000], String()),
                literal({"bulk": True, "to": new}, JSON()),
                literal(now, UTCDateTime()),
            ).where(target),
        )
    )
    changed = session.scalars(
        update(Contact)
        .where(target)
        .values({column.key: new, "updated_at": now})
        .returning(Contact.id)
        .execution_options(synchronize_session=False)
    ).all()
    count = len(changed)
    events.emit_many(
        session,
        agent.id,
        "contact.updated",
        [{"contact_id": cid, "changed": [_CHANGED[action]]} for cid in changed],
    )
    audit.record(
        session,
        actor,
        "Update",
        "Contact",
        f"{describe[0].upper()}{describe[1:]} of {count:,} contact{'s' if count != 1 else ''}"
        if action in (ASSIGN_OWNER, CHANGE_STAGE, CHANGE_STATUS)
        else f"{'Archived' if action == ARCHIVE else 'Unarchived'} {count:,} contact{'s' if count != 1 else ''}",
    )
    session.expire_all()
    return count


def _validated_change(session: Session, actor: Actor, agent, action: str, value):
    """(column, new value, activity kind, description) — or a ValidationError."""
    if action == ASSIGN_OWNER:
        if value in (None, ""):
            return Contact.primary_owner_id, None, "owner", "changed owner to nobody"
        user_id = _int(value, "owner")
        membership = membership_of(session, agent.org_id, user_id) if user_id is not None else None
        if membership is None or (
            membership.role == "User" and agent.id not in (membership.agent_ids or [])
        ):
            raise ValidationError("Choose a member who works in this agent.", field="owner")
        user = session.get(User, user_id)
        return Contact.primary_owner_id, user_id, "owner", f"changed owner to {user.display_name}"
    if action == CHANGE_STAGE:
        stage_id = _int(value, "stage")
        stage = session.get(Stage, stage_id) if stage_id is not None else None
        if stage is None or stage.agent_id != agent.id:
            raise ValidationError("Choose a stage of this agent.", field="stage")
        return Contact.stage_id, stage.id, "stage", f"changed stage to {stage.name}"
    if action == CHANGE_STATUS:
        if value not in STATUSES:
            raise ValidationError(f"Status must be one of {', '.join(STATUSES)}.", field="status")
        return Contact.status, value, "status", f"changed status to {value}"
    archived = action == ARCHIVE
    return Contact.archived, archived, "archived", "archived" if archived else "unarchived"


def _int(value, name: str) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ValidationError(f"Choose a valid {name}.", field=name) from None


# ---------------------------------------------------------------- delete


def _dependents() -> list[tuple[Table, object, bool]]:
    """Every (table, column, nullable) that points at contact.id: nullable links (form
    submissions, conversations) are cleared, the rest (values, notes, files, activity,
    access passes, tables added later) are deleted with the contact."""
    contact_table = Contact.__table__
    found = []
    for table in SQLModel.metadata.sorted_tables:
        for fk in table.foreign_keys:
            if fk.column.table is contact_table and table is not contact_table:
                found.append((table, fk.parent, fk.parent.nullable))
    return found


def _delete(session: Session, actor: Actor, agent, where) -> int:
    dependents = _dependents()
    storage_keys: list[str] = []
    count = 0
    while True:
        chunk = list(session.execute(select(Contact.id).where(where).limit(DELETE_CHUNK)).scalars())
        if not chunk:
            break
        storage_keys.extend(
            session.execute(
                select(ContactFile.storage_key).where(ContactFile.contact_id.in_(chunk))
            ).scalars()
        )
        for table, column, nullable in dependents:
            if nullable:
                session.execute(update(table).where(column.in_(chunk)).values({column.key: None}))
            else:
                session.execute(delete(table).where(column.in_(chunk)))
        session.execute(
            delete(Contact)
            .where(Contact.id.in_(chunk))
            .execution_options(synchronize_session=False)
        )
        events.emit_many(
            session, agent.id, "contact.deleted", [{"contact_id": cid} for cid in chunk]
        )
        count += len(chunk)
        if len(chunk) < DELETE_CHUNK:
            break
    audit.record(
        session,
        actor,
        "Delete",
        "Contact",
        f"Deleted {count:,} contact{'s' if count != 1 else ''} of the agent {agent.name}",
    )
    session.expire_all()
    if storage_keys:
        files.remove_stored(session, storage_keys)
    return count
