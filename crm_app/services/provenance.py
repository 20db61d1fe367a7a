"""Who set each value of a contact, and the agent's suggestions (issue #12, "Provenance
and lock").

`Contact.field_sources` maps a value's key — a default field's key (name, email, phone,
gender) or str(id) of a custom field, the keys of `Contact.member_set` — to its writer:

    {"kind": "member" | "agent" | "form" | "import" | "api" | "payment",
     "label": "Dana Whitfield" | "Reception (conversation 12)" | "Form “Book a visit”",
     "at": "2026-12-03T16:45:00+00:00",
     "v": a fingerprint of the value the entry describes,
     "conversation_id": 12, "message_id": 345,   # the agent only
     "accepted_by": "Dana Whitfield"}            # an agent's suggestion a member accepted

`save_contact` records an entry for every value it writes (on creation and on update, for
every source: chat, forms, members' edits, the API, payments), from its `Origin`. The
import's set-based writer does not (it would read and rewrite this column for every
matched contact and its undo records): a contact an import created has none, and an entry
only describes the value while that value still has the entry's fingerprint. A key with no
entry, or whose fingerprint no longer matches (an import changed the value since, or
undid a change), reads as "set at creation by the contact's source, or by an import".

The lock: a value a member typed (`member_set`) is never overwritten by an automatic path
(services/merge.py). When the agent offers a different value for a value already set, the
contact's timeline gets a *suggestion* line instead of a conflict line ("Agent suggests
Mobile Number: +1 415-555-2671"), which a member accepts with one click
(services/suggestions.py).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlmodel import Session, select

from crm_app.models import Activity, utcnow
from crm_app.services.merge import Decision, Origin, activity_row, timeline_value

KINDS = ("member", "agent", "form", "import", "api", "payment")
SUGGESTION = "suggestion"  # Activity.kind of an agent's suggestion


def fingerprint(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def stored_text(value: Any) -> str | None:
    """The text a value is kept as (a default field's value; a custom value's text)."""
    if value is None or value == "":
        return None
    return str(value)


def entry(origin: Origin, text: str, at: datetime | None = None) -> dict:
    out = {
        "kind": origin.actor_type if origin.actor_type in KINDS else "manual",
        "label": origin.label,
        "at": (at or utcnow()).isoformat(timespec="seconds"),
        "v": fingerprint(text),
    }
    if origin.conversation_id is not None:
        out["conversation_id"] = origin.conversation_id
    if origin.message_id is not None:
        out["message_id"] = origin.message_id
    return out


def updated(
    sources: Mapping[str, dict] | None,
    texts: Mapping[str, str | None],
    origin: Origin,
    at: datetime | None = None,
) -> dict:
    """A new field_sources dict: `texts` (key -> the text now stored, None once cleared)
    written by `origin`. A new dict, so the JSON column sees the change."""
    out = dict(sources or {})
    for key, text in texts.items():
        if text is None or text == "":
            out.pop(key, None)
        else:
            out[key] = entry(origin, text, at)
    return out


def source_of(sources: Mapping[str, dict] | None, key: str, text: str | None) -> dict | None:
    """The entry describing the value `text` now stored under `key`, if it still does."""
    found = (sources or {}).get(key)
    if not found or not text or found.get("v") != fingerprint(text):
        return None
    return found


def decision_text(decision: Decision) -> str | None:
    """The text a merge decision stores (custom values arrive as (text, num, json))."""
    if decision.field_id is None:
        return stored_text(decision.new)
    return stored_text(decision.new[0]) if decision.new else None


# ---------------------------------------------------------------- suggestions


def is_suggestion(origin: Origin, decision: Decision) -> bool:
    """An agent's value refused because the contact already has another one (not one that
    belongs to another contact): offered to the members instead."""
    return origin.actor_type == "agent" and not decision.applied and "kept" in decision.data


def suggestion_value(decision: Decision) -> Any:
    """What accepting the suggestion writes, as a caller would offer it to clean_input."""
    if decision.field_id is None:
        return decision.new
    text, _num, json_list = decision.new
    return json_list if json_list is not None else text


def suggestion_row(contact_id: str, origin: Origin, decision: Decision, label: str) -> dict:
    shown = timeline_value(decision.key, decision_text(decision))
    data = {
        "key": decision.key,
        "label": label,
        "value": suggestion_value(decision),
        "shown": shown,
        "kept": decision.old,
        "conversation_id": origin.conversation_id,
        "message_id": origin.message_id,
        "status": "open",
    }
    if decision.field_id is not None:
        data["field_id"] = decision.field_id
    return activity_row(contact_id, origin, SUGGESTION, f"Agent suggests {label}: {shown}", data)


def same_suggestion(data: Mapping, decision: Decision) -> bool:
    return (
        data.get("status") == "open"
        and data.get("key") == decision.key
        and data.get("value") == suggestion_value(decision)
    )


def open_suggestions(session: Session, contact_id: str) -> list[dict]:
    """The data of the contact's suggestions nobody has accepted yet."""
    rows = session.exec(
        select(Activity.data).where(Activity.contact_id == contact_id, Activity.kind == SUGGESTION)
    )
    return [data for data in rows if (data or {}).get("status") == "open"]
