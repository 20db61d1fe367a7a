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
and members these steps need come from services/settings_cache.py. The insert itself is
services/contact_create.py.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from crm_app.models import Activity, Agent, Contact, ContactField, ContactValue, utcnow
from crm_app.services import audit, events, provenance
from crm_app.services.access import Actor, require_agent
from crm_app.services.contact_create import create_contact, insert_for
from crm_app.services.contact_input import agent_fields, clean_input, match_contact
from crm_app.services.errors import Conflict, NotFound, ValidationError
from crm_app.services.merge import (
    POLICIES,
    CleanInput,
    Origin,
    activity_row,
    merge_fields,
)
from crm_app.services.values import (
    normalize_email,
    normalize_phone,
)

SOURCES = ("Chat", "Form", "Manual", "Import", "API", "Payment")
STATUSES = ("Active", "Inactive", "Blocked")
DEFAULT_KEYS = ("name", "email", "phone", "gender")


@dataclass
class SaveResult:
    contact: Contact
    created: bool
    changed: list[str] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)
    suggested: list[str] = field(default_factory=list)  # the agent's values offered instead


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
    into: Contact | None = None,
) -> SaveResult:
    """Create or update one contact of `agent` from `data` (field key -> raw value).

    policy for a matched contact: `skip` leaves it alone, `fill` fills only empty values
    and never overwrites one a team member typed (conflicts go to the timeline),
    `overwrite` replaces values. With allow_match False a match is a Conflict instead.
    `into`: the contact the values are for (a chat already linked to it): no matching.
    """
    assert source in SOURCES and policy in POLICIES
    clean = clean_input(session, agent, data, fields)
    if into is not None:
        assert into.agent_id == agent.id
        return _update(session, agent, into, clean, origin, policy)
    email, phone = clean.defaults.get("email"), clean.defaults.get("phone")
    insert_first = insert_for(session) if (email or phone) else None
    if insert_first is not None:
        # Insert first; no row back means the person exists (see the module docstring).
        contact = None
        for _ in range(3):  # a fresh random id if it ever collided with another contact's
            contact = create_contact(session, agent, clean, source, origin, insert_first)
            if contact is not None:
                return _created(session, contact, clean)
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
                contact = create_contact(session, agent, clean, source, origin, None)
                session.flush()
            return _created(session, contact, clean)
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


def _created(session: Session, contact: Contact, clean: CleanInput) -> SaveResult:
    changed = sorted(clean.defaults) + [str(k) for k in clean.custom]
    events.emit(
        session,
        contact.agent_id,
        "contact.created",
        {"contact_id": contact.id, "source": contact.source},
    )
    return SaveResult(contact, True, changed=changed)


def _update(
    session: Session, agent: Agent, contact: Contact, clean: CleanInput, origin: Origin, policy: str
) -> SaveResult:
    """The merge rule (services/merge.py) applied to one stored contact."""
    result = SaveResult(contact, False)
    if policy == "skip":
        return result
    rows = (
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
    merge = merge_fields(
        {key: getattr(contact, key) for key in DEFAULT_KEYS},
        {field_id: row.value_text for field_id, row in rows.items()},
        clean,
        policy,
        origin=origin,
        member_set=contact.member_set,
        external_ref=contact.external_ref,
        custom_labels=labels_by_id or {},
        taken=lambda key, value: _taken(session, agent.id, contact.id, key, value),
    )
    if merge.external_ref:
        contact.external_ref = merge.external_ref
    open_suggestions = None
    for decision in merge.decisions:
        row = activity_row(contact.id, origin, decision.kind, decision.message, decision.data)
        if provenance.is_suggestion(origin, decision):
            result.suggested.append(decision.key)
            if open_suggestions is None:  # the agent repeating itself adds no second line
                open_suggestions = provenance.open_suggestions(session, contact.id)
            if any(provenance.same_suggestion(d, decision) for d in open_suggestions):
                continue
            label = clean.labels.get(decision.key) or (labels_by_id or {}).get(
                decision.field_id, decision.key
            )
            row = provenance.suggestion_row(contact.id, origin, decision, label)
        session.add(Activity(**row))
        if not decision.applied:
            continue
        if decision.field_id is None:
            setattr(contact, decision.key, decision.new)
            continue
        store_value(
            session, contact.id, decision.field_id, rows.get(decision.field_id), decision.new
        )
    result.changed, result.conflicts = merge.changed, merge.conflicts
    if result.changed:
        if origin.actor_type == "member":
            contact.member_set = sorted(set(contact.member_set or []) | set(result.changed))
        contact.field_sources = provenance.updated(
            contact.field_sources,
            {d.key: provenance.decision_text(d) for d in merge.decisions if d.applied},
            origin,
        )
        contact.name_sort = (contact.name or "").lower()
        contact.updated_at = utcnow()
        session.add(contact)
        session.flush()
        events.emit(
            session,
            agent.id,
            "contact.updated",
            {"contact_id": contact.id, "changed": sorted(result.changed)},
        )
    return result


def store_value(
    session: Session, contact_id: str, field_id: int, row: ContactValue | None, stored
) -> None:
    """Set (stored = (text, num, json)) or clear (None) one custom value of a contact, given
    its current row (None when it has none)."""
    if stored is None:
        if row is not None:
            session.delete(row)
    elif row is None:
        session.add(
            ContactValue(
                contact_id=contact_id,
                field_id=field_id,
                value_text=stored[0],
                value_num=stored[1],
                value_json=stored[2],
            )
        )
    else:
        row.value_text, row.value_num, row.value_json = stored
        session.add(row)


def _taken(session: Session, agent_id: int, contact_id: str, key: str, value: str) -> bool:
    """Whether another contact of the agent has this email, phone or external reference."""
    column = getattr(Contact, key)
    with session.no_autoflush:
        other = session.exec(
            select(Contact.id).where(Contact.agent_id == agent_id, column == value)
        ).first()
    return other is not None and other != contact_id


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
