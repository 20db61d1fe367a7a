"""Contacts: the single creation/update path every source uses.

`save_contact` validates and normalizes, matches an existing contact (external reference,
then email, then phone), creates or updates it, runs the automations on creation and
writes activity and audit entries — all inside the caller's transaction. The database's
unique constraints (agent+email, agent+phone, agent+external ref) make duplicates
impossible even for concurrent callers: a losing insert is retried as an update.

On PostgreSQL and SQLite a contact with an email or phone is inserted first with
`INSERT … ON CONFLICT DO NOTHING RETURNING id` (no savepoint, no lookup on the common
path): a row back means no contact shared any unique key, i.e. nothing matched; no row
means someone has one of them (committed, or just committed by a concurrent caller the
insert waited for), so it is matched and updated instead. The automations are decided
before that insert so it carries the stage and owners, and a round-robin turn taken for a
person who turned out to exist is given back. The new contact's timeline lines then go in
with one plain INSERT (no ORM objects); its audit entry likewise. The fields, stages, rules
and members these steps need come from services/settings_cache.py.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import insert as sa_insert
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import make_transient_to_detached
from sqlmodel import Session, select

from crm_app.models import Activity, Agent, Contact, ContactField, ContactValue, utcnow
from crm_app.services import audit, automations, settings_cache
from crm_app.services.access import Actor, require_agent
from crm_app.services.errors import Conflict, NotFound, ValidationError
from crm_app.services.values import (
    coerce_value,
    format_phone,
    normalize_email,
    normalize_gender,
    normalize_phone,
)

SOURCES = ("Chat", "Form", "Manual", "Import", "API", "Payment")
STATUSES = ("Active", "Inactive", "Blocked")
DEFAULT_KEYS = ("name", "email", "phone", "gender")
POLICIES = ("skip", "fill", "overwrite")


@dataclass(frozen=True)
class Origin:
    """Who or what is writing: shown in the Activity timeline and the audit log."""

    actor_type: str  # member | agent | form | import | api | payment | automation
    label: str
    user_id: int | None = None  # the member behind it (the creator for manual/import)

    @classmethod
    def member(cls, actor: Actor) -> Origin:
        return cls("member", actor.display_name, actor.user_id)


@dataclass
class SaveResult:
    contact: Contact
    created: bool
    changed: list[str] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class CleanInput:
    defaults: dict[str, Any]
    custom: dict[int, tuple]  # field id -> (text, num, json) or None to clear
    external_ref: str | None
    labels: dict[str, str]
    labels_by_id: dict[int, str] | None = None  # custom field id -> label (None: read when needed)


def agent_fields(session: Session, agent_id: int) -> dict[str, ContactField]:
    rows = session.exec(
        select(ContactField).where(
            ContactField.agent_id == agent_id, ContactField.archived_at.is_(None)
        )
    )
    return {f.key: f for f in rows}


def clean_input(
    session: Session,
    agent: Agent,
    data: Mapping[str, Any],
    fields: dict[str, ContactField] | None = None,
) -> CleanInput:
    """Validate every value by its field; raises ValidationError naming the field key."""
    fields = fields if fields is not None else settings_cache.for_agent(session, agent).fields
    defaults: dict[str, Any] = {}
    custom: dict[int, tuple] = {}
    labels = {k: f.label for k, f in fields.items()}
    external_ref = None
    for key, raw in data.items():
        if key == "external_ref":
            external_ref = (str(raw).strip() or None) if raw is not None else None
            if external_ref and len(external_ref) > 100:
                raise ValidationError("External reference is at most 100 characters.", field=key)
        elif key == "name":
            name = " ".join(str(raw or "").split())
            if len(name) > 200:
                raise ValidationError("Name is at most 200 characters.", field=key)
            defaults["name"] = name
        elif key == "email":
            defaults["email"] = normalize_email(raw)
        elif key == "phone":
            defaults["phone"] = normalize_phone(raw, agent.phone_region)
        elif key == "gender":
            defaults["gender"] = normalize_gender(raw)
        elif key in fields and not fields[key].is_default:
            f = fields[key]
            custom[f.id] = coerce_value(f.type, raw, f.options or [], agent.phone_region, field=key)
        else:
            raise ValidationError(f"Unknown field '{key}'.", field=key)
    return CleanInput(
        defaults, custom, external_ref, labels, {f.id: f.label for f in fields.values()}
    )


def match_contact(
    session: Session,
    agent_id: int,
    *,
    external_ref: str | None = None,
    email: str | None = None,
    phone: str | None = None,
) -> Contact | None:
    """External reference first, then email, then phone."""
    for column, value in (
        (Contact.external_ref, external_ref),
        (Contact.email, email),
        (Contact.phone, phone),
    ):
        if value:
            found = session.exec(
                select(Contact).where(Contact.agent_id == agent_id, column == value)
            ).first()
            if found is not None:
                return found
    return None


def timeline_value(key: str, value):
    """A default field's value as the timeline shows it (phones in the display format)."""
    return format_phone(value) if key == "phone" else value


def save_contact(
    session: Session,
    agent: Agent,
    data: Mapping[str, Any],
    *,
    source: str,
    origin: Origin,
    policy: str = "fill",
    allow_match: bool = True,
    fields: dict[str, ContactField] | None = None,
) -> SaveResult:
    """Create or update one contact of `agent` from `data` (field key -> raw value).

    policy for a matched contact: `skip` leaves it alone, `fill` fills only empty values
    and never overwrites one a team member typed (conflicts go to the timeline),
    `overwrite` replaces values. With allow_match False a match is a Conflict instead.
    """
    assert source in SOURCES and policy in POLICIES
    clean = clean_input(session, agent, data, fields)
    email, phone = clean.defaults.get("email"), clean.defaults.get("phone")
    insert_first = _insert_for(session) if (email or phone) else None
    if insert_first is not None:
        # Insert first; no row back means the person exists (see the module docstring).
        contact = None
        for _ in range(3):  # a fresh random id if it ever collided with another contact's
            contact = _create(session, agent, clean, source, origin, insert_first)
            if contact is not None:
                return SaveResult(
                    contact, True, changed=sorted(clean.defaults) + [str(k) for k in clean.custom]
                )
            existing = match_contact(
                session, agent.id, external_ref=clean.external_ref, email=email, phone=phone
            )
            if existing is not None:
                break
        else:
            raise Conflict("The contact could not be saved. Please try again.")
    else:
        existing = match_contact(
            session, agent.id, external_ref=clean.external_ref, email=email, phone=phone
        )
    if existing is None:
        if not email and not phone:
            raise ValidationError(
                "A contact needs at least an email or a mobile number.", field="email"
            )
        try:
            with session.begin_nested():
                contact = _create(session, agent, clean, source, origin, None)
                session.flush()
            return SaveResult(
                contact, True, changed=sorted(clean.defaults) + [str(k) for k in clean.custom]
            )
        except IntegrityError:
            # A concurrent caller created the same person first: update theirs instead.
            existing = match_contact(
                session, agent.id, external_ref=clean.external_ref, email=email, phone=phone
            )
            if existing is None:
                raise
    if not allow_match:
        raise Conflict("A user with similar details already exists.", field="email")
    return _update(session, agent, existing, clean, origin, policy)


_INSERTS: dict[str, Any] = {}
ACTIVITY_INSERT = sa_insert(
    Activity.__table__
)  # Core: timeline rows as plain values, no ORM objects


def _insert_for(session: Session):
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


def _create(
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
    contact = Contact(
        agent_id=agent.id,
        external_ref=clean.external_ref,
        source=source,
        created_by_id=origin.user_id if origin.actor_type in ("member", "import") else None,
        member_set=member_set,
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
            "message": (f"Created via {source}" + _by(origin))[:1000],
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
            f"Contact {contact.id} created via {source}" + _by(origin),
            org_id=agent.org_id,
            now=insert is not None,
        )
    return contact


def _update(
    session: Session, agent: Agent, contact: Contact, clean: CleanInput, origin: Origin, policy: str
) -> SaveResult:
    result = SaveResult(contact, False)
    if policy == "skip":
        return result
    protected = set(contact.member_set or []) if origin.actor_type != "member" else set()
    if clean.external_ref and not contact.external_ref:
        contact.external_ref = clean.external_ref
    for key, new in clean.defaults.items():
        old = getattr(contact, key)
        if new == old or (new in (None, "") and policy != "overwrite"):
            continue
        if old not in (None, "") and (policy == "fill" or key in protected):
            result.conflicts.append(key)
            _activity(
                session,
                contact,
                "conflict",
                origin,
                f"{clean.labels.get(key, key)} '{timeline_value(key, new)}' from {origin.label} was not applied; "
                f"kept '{timeline_value(key, old)}'",
                {"field": key, "kept": old, "offered": new},
            )
            continue
        if (
            key in ("email", "phone")
            and new is None
            and not (contact.phone if key == "email" else contact.email)
        ):
            raise ValidationError(
                "A contact needs at least an email or a mobile number.", field=key
            )
        if key in ("email", "phone") and new and _taken(session, agent.id, contact.id, key, new):
            result.conflicts.append(key)
            _activity(
                session,
                contact,
                "conflict",
                origin,
                f"{clean.labels.get(key, key)} '{timeline_value(key, new)}' from {origin.label} belongs to "
                "another contact; not applied",
                {"field": key, "offered": new},
            )
            continue
        setattr(contact, key, new)
        result.changed.append(key)
        _activity(
            session,
            contact,
            "field",
            origin,
            f"{clean.labels.get(key, key)} changed from '{timeline_value(key, old) or '—'}' to "
            f"'{timeline_value(key, new) or '—'}'" + _by(origin),
            {"field": key, "from": old, "to": new},
        )
    current = (
        {
            v.field_id: v
            for v in session.exec(select(ContactValue).where(ContactValue.contact_id == contact.id))
        }
        if clean.custom
        else {}
    )
    labels_by_id = clean.labels_by_id
    if clean.custom and labels_by_id is None:
        labels_by_id = {f.id: f.label for f in agent_fields(session, agent.id).values()}
    for field_id, stored in clean.custom.items():
        row = current.get(field_id)
        old = row.value_text if row else None
        new = stored[0] if stored else None
        if new == old or (new is None and policy != "overwrite"):
            continue
        label = labels_by_id.get(field_id, str(field_id))
        if old not in (None, "") and (policy == "fill" or str(field_id) in protected):
            result.conflicts.append(str(field_id))
            _activity(
                session,
                contact,
                "conflict",
                origin,
                f"{label} '{new}' from {origin.label} was not applied; kept '{old}'",
                {"field_id": field_id, "kept": old, "offered": new},
            )
            continue
        if stored is None:
            session.delete(row)
        elif row is None:
            session.add(
                ContactValue(
                    contact_id=contact.id,
                    field_id=field_id,
                    value_text=stored[0],
                    value_num=stored[1],
                    value_json=stored[2],
                )
            )
        else:
            row.value_text, row.value_num, row.value_json = stored
            session.add(row)
        result.changed.append(str(field_id))
        _activity(
            session,
            contact,
            "field",
            origin,
            f"{label} changed from '{old or '—'}' to '{new or '—'}'" + _by(origin),
            {"field_id": field_id, "from": old, "to": new},
        )
    if result.changed:
        if origin.actor_type == "member":
            contact.member_set = sorted(set(contact.member_set or []) | set(result.changed))
        contact.name_sort = (contact.name or "").lower()
        contact.updated_at = utcnow()
        session.add(contact)
        session.flush()
    return result


def _taken(session: Session, agent_id: int, contact_id: str, key: str, value: str) -> bool:
    column = Contact.email if key == "email" else Contact.phone
    with session.no_autoflush:
        other = session.exec(
            select(Contact.id).where(Contact.agent_id == agent_id, column == value)
        ).first()
    return other is not None and other != contact_id


def _by(origin: Origin) -> str:
    return f" by {origin.label}" if origin.label else ""


def _activity(
    session: Session,
    contact: Contact,
    kind: str,
    origin: Origin,
    message: str,
    data: dict | None = None,
):
    session.add(
        Activity(
            contact_id=contact.id,
            kind=kind,
            actor_type=origin.actor_type,
            actor_id=origin.user_id,
            actor_label=origin.label,
            message=message[:1000],
            data=data or {},
        )
    )


# ------------------------------------------------------------------ member-facing entry points


def add_contact_manually(
    session: Session, actor: Actor, agent_id: int, data: Mapping[str, Any]
) -> Contact:
    """Add Contact → Add a Single Person: source `via Manual`, a match is refused."""
    agent = require_agent(session, actor, agent_id)
    result = save_contact(
        session, agent, data, source="Manual", origin=Origin.member(actor), allow_match=False
    )
    audit.record(
        session, actor, "Create", "Contact", f"Added contact {result.contact.id} via Manual"
    )
    return result.contact


def edit_contact(
    session: Session, actor: Actor, agent_id: int, contact_id: str, data: Mapping[str, Any]
) -> SaveResult:
    """`Edit details` by a team member: overwrites, and marks the values as member-typed."""
    agent = require_agent(session, actor, agent_id)
    contact = get_contact(session, agent, contact_id)
    clean = clean_input(session, agent, data)
    for key in ("email", "phone", "external_ref"):
        value = clean.external_ref if key == "external_ref" else clean.defaults.get(key)
        if value:
            other = match_contact(session, agent.id, **{key: value})
            if other is not None and other.id != contact.id:
                raise Conflict("A user with similar details already exists.", field=key)
    result = _update(session, agent, contact, clean, Origin.member(actor), "overwrite")
    if result.changed:
        audit.record(session, actor, "Update", "Contact", f"Edited contact {contact.id}")
    return result


def get_contact(session: Session, agent: Agent, contact_id: str) -> Contact:
    contact = session.get(Contact, contact_id) if contact_id else None
    if contact is None or contact.agent_id != agent.id:
        raise NotFound("Contact not found.")
    return contact


def find_similar(
    session: Session, actor: Actor, agent_id: int, *, email: str = "", phone: str = ""
) -> dict | None:
    """The add-contact dialog's live duplicate warning: the first match, if any."""
    agent = require_agent(session, actor, agent_id)
    try:
        e = normalize_email(email) if email else None
    except ValidationError:
        e = None
    try:
        p = normalize_phone(phone, agent.phone_region) if phone else None
    except ValidationError:
        p = None
    match = match_contact(session, agent.id, email=e, phone=p)
    if match is None:
        return None
    return {"id": match.id, "name": match.name or match.email or match.phone}
