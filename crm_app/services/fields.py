"""Contact fields of an agent: the four default fields and custom ones.

Rules kept here so every caller (settings page, imports, forms, API) gets the same:
- A key never changes once created: imports, forms, automations and the API refer to it.
- A custom field's type may change only while no contact holds a value for it; after that
  the stored values would no longer match the type.
- Default fields keep their label, type, key and options; their `Allow for AI`, required
  flag and AI hint can change.
- Deleting a custom field archives it: values are kept, it is hidden and can be restored.
  Archived keys stay taken so a restore never collides.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from crm_app.models import ContactField, ContactValue, utcnow
from crm_app.services import audit
from crm_app.services.access import Actor, require_agent
from crm_app.services.errors import Conflict, NotFound, ValidationError
from crm_app.services.field_rules import (
    DEFAULT_FIELDS,
    DEFAULT_KEYS,
    KEY_PATTERN,
    RESERVED_KEYS,
    clean_hint,
    clean_label,
    clean_options,
    clean_type,
    key_from_label,
)
from crm_app.services.ordering import checked_order, lock_agent, move_one

RESOURCE = "Contact Field"


# ---------------------------------------------------------------- helpers


def field_dto(field: ContactField, has_values: bool = False) -> dict:
    return {
        "id": field.id,
        "key": field.key,
        "label": field.label,
        "type": field.type,
        "options": list(field.options or []),
        "required": bool(field.required),
        "ai_hint": field.ai_hint or "",
        "allow_ai": bool(field.allow_ai),
        "is_default": bool(field.is_default),
        "position": field.position,
        "archived": field.archived_at is not None,
        "has_values": has_values,
    }


def _fields(session: Session, agent_id: int, include_archived: bool) -> list[ContactField]:
    query = select(ContactField).where(ContactField.agent_id == agent_id)
    if not include_archived:
        query = query.where(ContactField.archived_at.is_(None))
    return list(session.exec(query.order_by(ContactField.position, ContactField.id)))


def _field_of(session: Session, agent_id: int, field_id) -> ContactField:
    field = session.get(ContactField, field_id) if isinstance(field_id, int) else None
    if field is None or field.agent_id != agent_id:
        raise NotFound("Field not found.")
    return field


def _has_values(session: Session, field_id: int) -> bool:
    return (
        session.exec(
            select(ContactValue.contact_id).where(ContactValue.field_id == field_id).limit(1)
        ).first()
        is not None
    )


def _next_position(session: Session, agent_id: int) -> int:
    top = session.exec(
        select(func.max(ContactField.position)).where(ContactField.agent_id == agent_id)
    ).one()
    return (top if top is not None else -1) + 1


def _flush_unique(session: Session, key: str) -> None:
    try:
        session.flush()
    except IntegrityError as exc:  # a concurrent writer took the key first
        raise Conflict(f"A field with the key '{key}' already exists.", field="key") from exc


# ---------------------------------------------------------------- install and read


def install_default_fields(session: Session, agent_id: int) -> list[ContactField]:
    """Add Name, Email, Mobile Number and Gender to a new agent (called by create_agent)."""
    rows = []
    for position, spec in enumerate(DEFAULT_FIELDS):
        row = ContactField(
            agent_id=agent_id,
            key=spec["key"],
            label=spec["label"],
            type=spec["type"],
            options=list(spec["options"]),
            allow_ai=spec["allow_ai"],
            is_default=True,
            position=position,
        )
        session.add(row)
        rows.append(row)
    session.flush()
    return rows


def list_fields(
    session: Session, actor: Actor, agent_id: int, include_archived: bool = False
) -> list[dict]:
    require_agent(session, actor, agent_id)
    fields = _fields(session, agent_id, include_archived)
    with_values = set()
    if fields:
        with_values = set(
            session.exec(
                select(ContactValue.field_id)
                .where(ContactValue.field_id.in_([f.id for f in fields]))
                .distinct()
            )
        )
    return [field_dto(f, f.id in with_values) for f in fields]


# ---------------------------------------------------------------- writes


def create_custom_field(
    session: Session,
    actor: Actor,
    agent_id: int,
    *,
    label: str,
    key: str | None = None,
    type: str,
    options: Sequence[str] = (),
    required: bool = False,
    ai_hint: str = "",
    allow_ai: bool = False,
) -> dict:
    agent = require_agent(session, actor, agent_id, minimum="Admin")
    label = clean_label(label)
    key = (key or "").strip() or key_from_label(label)
    if not key:
        raise ValidationError(
            "Enter a key: lower-case letters, numbers and underscores.", field="key"
        )
    if not KEY_PATTERN.match(key):
        raise ValidationError(
            "A key starts with a lower-case letter and uses only a-z, 0-9 and _ (at most 60).",
            field="key",
        )
    type_ = clean_type(type)
    options_ = clean_options(type_, options)
    hint = clean_hint(ai_hint)
    lock_agent(session, agent.id)
    taken = session.exec(
        select(ContactField.id).where(ContactField.agent_id == agent.id, ContactField.key == key)
    ).first()
    if taken is not None or key in DEFAULT_KEYS:
        raise Conflict(f"A field with the key '{key}' already exists.", field="key")
    if key in RESERVED_KEYS:
        raise ValidationError(
            f"The key '{key}' is reserved for a built-in contact attribute.", field="key"
        )
    field = ContactField(
        agent_id=agent.id,
        key=key,
        label=label,
        type=type_,
        options=options_,
        required=bool(required),
        ai_hint=hint,
        allow_ai=bool(allow_ai),
        is_default=False,
        position=_next_position(session, agent.id),
    )
    session.add(field)
    _flush_unique(session, key)
    audit.record(
        session,
        actor,
        "Create",
        RESOURCE,
        f"Created custom field '{label}' ({key}, {type_}) in agent '{agent.name}'",
    )
    return field_dto(field)


_UNSET = object()


def update_field(
    session: Session,
    actor: Actor,
    agent_id: int,
    field_id: int,
    *,
    label=_UNSET,
    type=_UNSET,
    options=_UNSET,
    required=_UNSET,
    ai_hint=_UNSET,
    allow_ai=_UNSET,
) -> dict:
    """Change what may change (see the module docstring); arguments left out stay as they are."""
    agent = require_agent(session, actor, agent_id, minimum="Admin")
    lock_agent(session, agent.id)
    field = _field_of(session, agent.id, field_id)
    if field.archived_at is not None:
        raise ValidationError("Restore this field before editing it.")
    # Validate every argument first, then assign: a refused update changes nothing.
    new_label, new_type, new_options = field.label, field.type, list(field.options or [])
    if field.is_default:
        if (
            (label is not _UNSET and (label or "").strip() != field.label)
            or (type is not _UNSET and type != field.type)
            or (options is not _UNSET and list(options or []) != new_options)
        ):
            raise ValidationError("Default fields keep their label, type and options.")
    else:
        if type is not _UNSET and type != field.type:
            new_type = clean_type(type)
            if _has_values(session, field.id):
                raise ValidationError(
                    "Contacts already have values for this field, so its type cannot change.",
                    field="type",
                )
        if label is not _UNSET:
            new_label = clean_label(label)
        if options is not _UNSET or new_type != field.type:
            new_options = clean_options(new_type, field.options if options is _UNSET else options)
    new_required = field.required if required is _UNSET else bool(required)
    new_hint = field.ai_hint if ai_hint is _UNSET else clean_hint(ai_hint)
    new_allow_ai = field.allow_ai if allow_ai is _UNSET else bool(allow_ai)

    changes: list[str] = []
    if new_label != field.label:
        changes.append(f"label '{field.label}' → '{new_label}'")
    if new_type != field.type:
        changes.append(f"type {field.type} → {new_type}")
    if new_options != list(field.options or []):
        changes.append("options")
    if new_required != field.required:
        changes.append(f"required {'on' if new_required else 'off'}")
    if new_hint != field.ai_hint:
        changes.append("AI hint")
    if new_allow_ai != field.allow_ai:
        changes.append(f"Allow for AI {'on' if new_allow_ai else 'off'}")
    field.label, field.type, field.options = new_label, new_type, new_options
    field.required, field.ai_hint, field.allow_ai = new_required, new_hint, new_allow_ai
    if changes:
        session.add(field)
        session.flush()
        audit.record(
            session,
            actor,
            "Update",
            RESOURCE,
            f"Updated field '{field.label}' ({field.key}) in agent '{agent.name}': "
            + ", ".join(changes),
        )
    return field_dto(field, _has_values(session, field.id))


def reorder_fields(
    session: Session, actor: Actor, agent_id: int, ordered_ids: Sequence[int]
) -> list[dict]:
    """Put the agent's visible fields in `ordered_ids` order (must list each exactly once)."""
    agent = require_agent(session, actor, agent_id, minimum="Admin")
    lock_agent(session, agent.id)
    active = _fields(session, agent.id, include_archived=False)
    ids = checked_order(ordered_ids, [f.id for f in active], "field")
    _apply_order(session, agent.id, ids)
    audit.record(
        session, actor, "Update", RESOURCE, f"Reordered contact fields in agent '{agent.name}'"
    )
    return list_fields(session, actor, agent.id)


def move_field(
    session: Session, actor: Actor, agent_id: int, field_id: int, direction: str
) -> list[dict]:
    return move_one(
        session, actor, agent_id, field_id, direction, "field", _visible_ids, reorder_fields
    )


def _visible_ids(session: Session, agent_id: int) -> list[int]:
    return [f.id for f in _fields(session, agent_id, include_archived=False)]


def _apply_order(session: Session, agent_id: int, ordered_ids: list[int]) -> None:
    """Visible fields take positions 0..n-1; archived ones keep their order after them."""
    by_id = {f.id: f for f in _fields(session, agent_id, include_archived=True)}
    archived = [f.id for f in by_id.values() if f.archived_at is not None]
    for position, field_id in enumerate(ordered_ids + archived):
        field = by_id[field_id]
        if field.position != position:
            field.position = position
            session.add(field)
    session.flush()


def archive_field(session: Session, actor: Actor, agent_id: int, field_id: int) -> dict:
    agent = require_agent(session, actor, agent_id, minimum="Admin")
    lock_agent(session, agent.id)
    field = _field_of(session, agent.id, field_id)
    if field.is_default:
        raise ValidationError("Default fields cannot be deleted.")
    if field.archived_at is None:
        field.archived_at = utcnow()
        session.add(field)
        session.flush()
        audit.record(
            session,
            actor,
            "Delete",
            RESOURCE,
            f"Archived field '{field.label}' ({field.key}) in agent '{agent.name}'; values kept",
        )
    return field_dto(field)


def restore_field(session: Session, actor: Actor, agent_id: int, field_id: int) -> dict:
    agent = require_agent(session, actor, agent_id, minimum="Admin")
    lock_agent(session, agent.id)
    field = _field_of(session, agent.id, field_id)
    if field.archived_at is not None:
        field.archived_at = None
        field.position = _next_position(session, agent.id)
        session.add(field)
        session.flush()
        audit.record(
            session,
            actor,
            "Update",
            RESOURCE,
            f"Restored field '{field.label}' ({field.key}) in agent '{agent.name}'",
        )
    return field_dto(field, _has_values(session, field.id))
