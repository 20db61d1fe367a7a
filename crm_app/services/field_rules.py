"""What a contact field may be: its types, the default fields, reserved keys, limits, and
the checks of a label, type, option list and AI hint (shared by every writer of fields)."""

from __future__ import annotations

import re
from collections.abc import Iterable

from crm_app.services.errors import ValidationError
from crm_app.services.values import FIELD_TYPES

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


def key_from_label(label: str) -> str:
    """snake_case key for a label ("Preferred clinic!" -> "preferred_clinic")."""
    key = re.sub(r"[^a-z0-9]+", "_", (label or "").strip().lower()).strip("_")
    if key and not key[0].isalpha():
        key = f"field_{key}"
    return key[:60].rstrip("_")


def clean_label(label: str) -> str:
    label = (label or "").strip()
    if not label:
        raise ValidationError("Enter a label.", field="label")
    if len(label) > MAX_LABEL:
        raise ValidationError(f"The label can be at most {MAX_LABEL} characters.", field="label")
    return label


def clean_type(type_: str) -> str:
    if type_ not in FIELD_TYPES:
        raise ValidationError("Choose a field type from the list.", field="type")
    return type_


def clean_options(type_: str, options: Iterable[str] | None) -> list[str]:
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


def clean_hint(ai_hint: str | None) -> str:
    hint = (ai_hint or "").strip()
    if len(hint) > MAX_AI_HINT:
        raise ValidationError(f"The hint can be at most {MAX_AI_HINT} characters.", field="ai_hint")
    return hint
