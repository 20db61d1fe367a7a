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

import re
from collections.abc import Iterable, Sequence

from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from crm_app.models import Agent, ContactField, ContactValue, utcnow
from crm_app.services import audit
from crm_app.services.access import Actor, require_agent
from crm_app.services.errors import Conflict, NotFound, ValidationError

RESOURCE = "Contact Field"

FIELD_TYPES = (
    "Text",
    "Long text",
    "Number",
    "Date",
    "Dropdown",
    "Multi-select",
    "Checkbox",
    "Email",
    "Phone",
    "URL",
)
CHOICE_TYPES = ("Dropdown", "Multi-select")

DEFAULT_FIELDS: tuple[dict, ...] = (
    {"key": "name", "label": "Name", "type": "Text", "options": [], "allow_ai": True},
    {"key": "email", "label": "Email", "type": "Email", "options": [], "allow_ai": True},
    {"key": "phone", "label": "Mobile Number", "type": "Phone", "options": [], "allow_ai": True},
    {
        "key": "gender",
        "label": "Gender",
        "type": "Dropdown",
        "options": ["Female", "Male", "Non-binary", "Prefer not to say"],
        "allow_ai": False,
    },
)
DEFAULT_KEYS = frozenset(f["key"] for f in DEFAULT_FIELDS)
# Built-in contact attributes a custom key would shadow in imports, exports and the API.
RESERVED_KEYS = frozenset(
    {
        "id",
        "stage",
        "status",
        "source",
        "owner",
        "primary_owner",
        "secondary_owner",
        "archived",
        "created_at",
        "updated_at",
        "external_ref",
        "notes",
        "files",
    }
)

KEY_PATTERN = re.compile(r"^[a-z][a-z0-9_]{0,59}$")
MAX_LABEL = 80
MAX_OPTION = 100
MAX_OPTIONS = 200
MAX_AI_HINT = 500


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


def key_from_label(label: str) -> str:
    """snake_case key for a label ("Preferred clinic!" -> "preferred_clinic")."""
    key = re.sub(r"[^a-z0-9]+", "_", (label or "").strip().lower()).strip("_")
    if key and not key[0].isalpha():
        key = f"field_{key}"
    return key[:60].rstrip("_")


def _clean_label(label: str) -> str:
    label = (label or "").strip()
    if not label:
        raise ValidationError("Enter a label.", field="label")
    if len(label) > MAX_LABEL:
        raise ValidationError(f"The label can be at most {MAX_LABEL} characters.", field="label")
    return label


def _clean_type(type_: str) -> str:
    if type_ not in FIELD_TYPES:
        raise ValidationError("Choose a field type from the list.", field="type")
    return type_


def _clean_options(type_: str, options: Iterable[str] | None) -> list[str]:
    if type_ not in CHOICE_TYPES:
        return []
    cleaned: list[str] = []
    seen: set[str] = set()
    for raw in options or ():
        option = str(raw).strip()
        if not option:
            continue
        if len(option) > MAX_OPTION:
            raise ValidationError(
                f"Each option can be at most {MAX_OPTION} characters.", field="options"
            )
        if option.lower() in seen:
            raise ValidationError(f"The option '{option}' is listed twice.", field="options")
        seen.add(option.lower())
        cleaned.append(option)
    if not cleaned:
        raise ValidationError(f"A {type_} field needs at least one option.", field="options")
    if len(cleaned) > MAX_OPTIONS:
        raise ValidationError(f"A field can have at most {MAX_OPTIONS} options.", field="options")
    return cleaned


def _clean_hint(ai_hint: str | None) -> str:
    hint = (ai_hint or "").strip()
    if len(hint) > MAX_AI_HINT:
        raise ValidationError(f"The hint can be at most {MAX_AI_HINT} characters.", field="ai_hint")
    return hint


def _lock_agent(session: Session, agent_id: int) -> None:
    """Serialize field writes of one agent (row lock on PostgreSQL; SQLite locks on BEGIN)."""
    session.exec(select(Agent.id).where(Agent.id == agent_id).with_for_update()).first()


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
    label = _clean_label(label)
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
    type_ = _clean_type(type)
    options_ = _clean_options(type_, options)
    hint = _clean_hint(ai_hint)
    _lock_agent(session, agent.id)
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
    _lock_agent(session, agent.id)
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
            new_type = _clean_type(type)
            if _has_values(session, field.id):
                raise ValidationError(
                    "Contacts already have values for this field, so its type cannot change.",
                    field="type",
                )
        if label is not _UNSET:
            new_label = _clean_label(label)
        if options is not _UNSET or new_type != field.type:
            new_options = _clean_options(new_type, field.options if options is _UNSET else options)
    new_required = field.required if required is _UNSET else bool(required)
    new_hint = field.ai_hint if ai_hint is _UNSET else _clean_hint(ai_hint)
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
    _lock_agent(session, agent.id)
    active = _fields(session, agent.id, include_archived=False)
    ids = list(ordered_ids or [])
    if not all(isinstance(i, int) and not isinstance(i, bool) for i in ids) or sorted(
        ids
    ) != sorted(f.id for f in active):
        raise ValidationError("The field list changed meanwhile. Reload the page and try again.")
    _apply_order(session, agent.id, ids)
    audit.record(
        session, actor, "Update", RESOURCE, f"Reordered contact fields in agent '{agent.name}'"
    )
    return list_fields(session, actor, agent.id)


def move_field(
    session: Session, actor: Actor, agent_id: int, field_id: int, direction: str
) -> list[dict]:
    """The button/keyboard equivalent of a drag: one step up or down."""
    if direction not in ("up", "down"):
        raise ValidationError("Move a field up or down.")
    require_agent(session, actor, agent_id, minimum="Admin")
    _lock_agent(session, agent_id)  # read the order under the same lock the write takes
    ids = [f.id for f in _fields(session, agent_id, include_archived=False)]
    if field_id not in ids:
        raise NotFound("Field not found.")
    index = ids.index(field_id)
    target = index - 1 if direction == "up" else index + 1
    if 0 <= target < len(ids):
        ids[index], ids[target] = ids[target], ids[index]
    return reorder_fields(session, actor, agent_id, ids)


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
    _lock_agent(session, agent.id)
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
    _lock_agent(session, agent.id)
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
