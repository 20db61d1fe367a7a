"""The merge rule: what an incoming set of values does to an existing contact.

One function, used by every save of a single contact (services/contacts.py) and by the
import's set-based batch (services/imports/batch.py), so the two can never disagree:

- `skip`: nothing changes.
- `fill`: only empty values are filled; a value that differs from a stored one is not
  applied and becomes a conflict line on the timeline.
- `overwrite`: values are replaced (an empty incoming value clears the stored one) — except
  the values a team member typed (`member_set`), which only a member may overwrite.
- An email or mobile number that belongs to another contact is never taken over (a
  conflict), and a contact never loses both its email and its mobile number.
- A missing external reference is filled when no other contact has it.

`merge_fields` decides and describes; the caller applies the decisions to its own storage
(ORM objects for one contact, plain dicts and bulk statements for an import).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from crm_app.models import utcnow
from crm_app.services.errors import ValidationError
from crm_app.services.values import format_phone

POLICIES = ("skip", "fill", "overwrite")
NEEDS_EMAIL_OR_PHONE = "A contact needs at least an email or a mobile number."


@dataclass(frozen=True)
class Origin:
    """Who or what is writing: shown in the Activity timeline and the audit log."""

    actor_type: str  # member | agent | form | import | api | payment | automation
    label: str
    user_id: int | None = None  # the member behind it (the creator for manual/import)
    # The agent capturing from a chat: where the values came from (field provenance, the
    # suggestions a member-typed value turns them into).
    conversation_id: int | None = None
    message_id: int | None = None

    @classmethod
    def member(cls, actor) -> Origin:
        return cls("member", actor.display_name, actor.user_id)

    @property
    def by(self) -> str:
        """ " by <label>", the end of a timeline line (empty without a label)."""
        return f" by {self.label}" if self.label else ""


@dataclass(frozen=True)
class CleanInput:
    """Validated incoming values: default fields by key, custom fields by id."""

    defaults: dict[str, Any]
    custom: dict[int, tuple]  # field id -> (text, num, json) or None to clear
    external_ref: str | None
    labels: dict[str, str]
    labels_by_id: dict[int, str] | None = None  # custom field id -> label (None: read when needed)


@dataclass(frozen=True)
class Decision:
    """One incoming value: applied (`field` on the timeline) or not (`conflict`)."""

    key: str  # a default field's key, or str(field id) of a custom field
    applied: bool
    old: Any  # the stored value (a custom field: its text)
    new: Any  # the incoming value (a custom field: (text, num, json) or None)
    message: str
    data: dict
    field_id: int | None = None

    @property
    def kind(self) -> str:
        return "field" if self.applied else "conflict"


@dataclass
class Merge:
    decisions: list[Decision] = field(default_factory=list)
    external_ref: str | None = None  # to set: the contact had none and no one else has it

    @property
    def changed(self) -> list[str]:
        return [d.key for d in self.decisions if d.applied]

    @property
    def conflicts(self) -> list[str]:
        return [d.key for d in self.decisions if not d.applied]


def timeline_value(key: str, value):
    """A default field's value as the timeline shows it (phones in the display format)."""
    return format_phone(value) if key == "phone" else value


def merge_fields(
    defaults: Mapping[str, Any],
    custom: Mapping[int, str | None],
    incoming: CleanInput,
    policy: str,
    *,
    origin: Origin,
    member_set: list[str] | None,
    external_ref: str | None,
    custom_labels: Mapping[int, str],
    taken: Callable[[str, str], bool],
) -> Merge:
    """Decide every incoming value against the stored ones.

    `defaults` holds the contact's default fields by key, `custom` the text of its custom
    values by field id; `taken(key, value)` says whether another contact has that email,
    phone or external reference. Raises ValidationError (field = the key) when the values
    would leave the contact with neither an email nor a mobile number.
    """
    assert policy in POLICIES
    out = Merge()
    if policy == "skip":
        return out
    if (
        incoming.external_ref
        and not external_ref
        and not taken("external_ref", incoming.external_ref)
    ):
        out.external_ref = incoming.external_ref
    protected = set(member_set or []) if origin.actor_type != "member" else set()
    staged = dict(defaults)
    # Default fields by key, then custom fields by id (their key is str(id)); `value` is what
    # gets stored, `new` what is compared and shown (a custom value's text).
    offered = [(key, None, new, new) for key, new in incoming.defaults.items()] + [
        (str(field_id), field_id, stored[0] if stored else None, stored)
        for field_id, stored in incoming.custom.items()
    ]
    for key, field_id, new, value in offered:
        old = staged.get(key) if field_id is None else custom.get(field_id)
        empty = new is None or (new == "" and field_id is None)
        if new == old or (empty and policy != "overwrite"):
            continue
        if field_id is None:
            label, ref = incoming.labels.get(key, key), {"field": key}
        else:
            label, ref = custom_labels.get(field_id, key), {"field_id": field_id}
        shown_new, shown_old = timeline_value(key, new), timeline_value(key, old)
        refused = None
        if old not in (None, "") and (policy == "fill" or key in protected):
            refused = (f"was not applied; kept '{shown_old}'", {"kept": old, "offered": new})
        elif key in ("email", "phone") and field_id is None:
            if new is None and not staged.get("phone" if key == "email" else "email"):
                raise ValidationError(NEEDS_EMAIL_OR_PHONE, field=key)
            if new and taken(key, new):
                refused = ("belongs to another contact; not applied", {"offered": new})
        if refused is not None:
            message = f"{label} '{shown_new}' from {origin.label} {refused[0]}"
            out.decisions.append(
                Decision(key, False, old, value, message, ref | refused[1], field_id)
            )
            continue
        if field_id is None:
            staged[key] = new
        message = f"{label} changed from '{shown_old or '—'}' to '{shown_new or '—'}'" + origin.by
        data = ref | {"from": old, "to": new}
        out.decisions.append(Decision(key, True, old, value, message, data, field_id))
    return out


def activity_row(contact_id: str, origin: Origin, kind: str, message: str, data: dict) -> dict:
    """A timeline line as plain column values (for a Core insert or Activity(**row))."""
    return {
        "contact_id": contact_id,
        "kind": kind,
        "actor_type": origin.actor_type,
        "actor_id": origin.user_id,
        "actor_label": origin.label,
        "message": message[:1000],
        "data": data or {},
        "created_at": utcnow(),
    }
