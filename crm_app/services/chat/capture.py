"""Capture: what a visitor tells the agent becomes the contact's field values (issue #12).

`capture(session, agent, conversation, message_id, values)` is called by the chat turn
(services/chat/turn.py) with the values the reply engine extracted from one visitor
message (field key -> value), in the turn's transaction, never around a model call:

1. Only fields with `Allow for AI` on are kept, whatever the engine or the visitor says;
   anything else is rejected ("not allowed for AI", "unknown field") and never written.
2. Each value is validated by its field with the rules every other path uses
   (contact_input.clean_input: the same normalization as a form, an import or a member);
   a value of the wrong type is rejected ("invalid").
3. The valid values join `conversation.captured` (what this chat has captured so far).
4. Once an email or a mobile number is known, everything captured is saved through the
   single contact path, `save_contact(source="Chat", policy="fill")` with the agent as the
   origin: the contact is matched by email, then phone (§3.2) or created (`via Chat`, the
   automations' `Agent captured contact` rules pick its owners and stage), and the
   conversation is linked to it. Later values go to that linked contact. The database's
   unique keys make one contact of the same email however many chats give it at once.
5. `fill` never replaces a value: a different value for a field that already has one (and
   above all one a member typed) is not written; it becomes an Activity suggestion that a
   member accepts with one click (services/suggestions.py).
6. The contact's timeline gets a "Captured via chat" line naming the fields filled, with
   the conversation and message (the page links to them); each value records the agent,
   conversation and message as its source (services/provenance.py).

The result says what happened to every key, for the caller to store on the message.
A test conversation (the Playground) validates and remembers but writes no contact.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import update
from sqlmodel import Session

from crm_app.models import Activity, Agent, Contact, ContactField, Conversation
from crm_app.services import settings_cache
from crm_app.services.contact_input import clean_input
from crm_app.services.contacts import save_contact
from crm_app.services.errors import NotFound, ValidationError
from crm_app.services.merge import Origin, activity_row
from crm_app.services.suggestions import accept_suggestion

__all__ = ["CaptureResult", "accept_suggestion", "capture", "captured_values"]

NOT_ALLOWED = "not allowed for AI"
UNKNOWN = "unknown field"
INVALID = "invalid"
CAPTURE_KIND = "capture"  # Activity.kind of a "Captured via chat" line


@dataclass
class CaptureResult:
    contact_id: str | None = None
    created: bool = False
    filled: list[str] = field(default_factory=list)  # field keys written to the contact
    suggested: list[str] = field(default_factory=list)  # field keys offered as suggestions
    rejected: list[tuple[str, str]] = field(default_factory=list)  # (key, reason)
    captured: dict[str, Any] = field(default_factory=dict)  # this call's valid values
    labels: dict[str, str] = field(default_factory=dict)  # key -> field label


def captured_values(conversation: Conversation) -> dict[str, Any]:
    """What the conversation has captured so far (field key -> validated value)."""
    return dict(conversation.captured or {})


def _type_ok(f: ContactField, raw: Any) -> bool:
    """JSON types a field can take before its own validation reads the value."""
    if isinstance(raw, dict):
        return False
    if isinstance(raw, list):
        return f.type == "Multi-select" and all(isinstance(i, str) for i in raw)
    if isinstance(raw, bool):
        return f.type == "Checkbox"
    if isinstance(raw, (int, float)):
        return f.type in ("Number", "Text", "Long text", "Phone")
    return isinstance(raw, str)


def _empty(raw: Any) -> bool:
    return raw is None or raw == [] or (isinstance(raw, str) and not raw.strip())


def _validated(
    session: Session, agent: Agent, f: ContactField, raw: Any, fields: dict[str, ContactField]
) -> Any:
    """The value as clean_input keeps it (re-validates to itself); ValidationError if bad."""
    if not _type_ok(f, raw):
        raise ValidationError("This value does not fit the field.", field=f.key)
    clean = clean_input(session, agent, {f.key: raw}, fields)
    if f.key in clean.defaults:
        return clean.defaults[f.key]
    stored = clean.custom.get(f.id)
    if stored is None:
        raise ValidationError("Empty value.", field=f.key)
    text, _num, json_list = stored
    return json_list if json_list is not None else text


def _sort_valid(
    session: Session,
    agent: Agent,
    values: Mapping[str, Any],
    fields: dict[str, ContactField],
    result: CaptureResult,
) -> dict[str, Any]:
    """The Allow-for-AI, valid values; everything else goes to result.rejected."""
    valid: dict[str, Any] = {}
    for key, raw in values.items():
        key = str(key)[:60]
        f = fields.get(key)
        if f is None:
            result.rejected.append((key, UNKNOWN))
        elif not f.allow_ai:
            result.rejected.append((key, NOT_ALLOWED))
        elif not _empty(raw):
            try:
                valid[key] = _validated(session, agent, f, raw, fields)
            except ValidationError:
                result.rejected.append((key, INVALID))
    return valid


def capture(
    session: Session,
    agent: Agent,
    conversation: Conversation,
    message_id: int | None,
    values: Mapping[str, Any],
) -> CaptureResult:
    """Apply one message's extracted values (see the module docstring)."""
    if conversation.agent_id != agent.id:
        raise NotFound("Conversation not found.")
    result = CaptureResult(contact_id=conversation.contact_id)
    fields = settings_cache.for_agent(session, agent).fields
    valid = _sort_valid(session, agent, values or {}, fields, result)
    result.captured = valid
    result.labels = {k: fields[k].label for k in valid}
    if not valid:
        return result
    captured = captured_values(conversation) | valid
    conversation.captured = captured  # a new dict: the JSON column sees the change
    session.add(conversation)
    if conversation.test:  # the Playground: what would be captured
        result.filled = list(valid)
        return result
    contact = session.get(Contact, conversation.contact_id) if conversation.contact_id else None
    if contact is not None and contact.agent_id != agent.id:
        contact = None
    if contact is None:
        if not captured.get("email") and not captured.get("phone"):
            return result  # remembered; applied once an email or a phone is known
        # Earlier values again, as the fields are now (a field may have been switched off).
        data = _sort_valid(session, agent, captured, fields, CaptureResult())
    else:
        data = valid
    if not data or (contact is None and not data.get("email") and not data.get("phone")):
        return result
    label = f"{agent.name} (conversation {conversation.id})"[:120]
    origin = Origin("agent", label, conversation_id=conversation.id, message_id=message_id)
    saved = save_contact(
        session,
        agent,
        data,
        source="Chat",
        origin=origin,
        policy="fill",
        fields=fields,
        into=contact,
    )
    conversation.contact_id = saved.contact.id
    session.add(conversation)
    if not conversation.test:
        # The same browser's earlier chats with this agent were this person's too.
        session.exec(
            update(Conversation)
            .where(
                Conversation.agent_id == agent.id,
                Conversation.visitor_id == conversation.visitor_id,
                Conversation.contact_id.is_(None),
                Conversation.test.is_(False),
            )
            .values(contact_id=saved.contact.id)
            .execution_options(synchronize_session=False)
        )
    by_id = {str(f.id): k for k, f in fields.items()}
    result.contact_id, result.created = saved.contact.id, saved.created
    result.filled = [by_id.get(k, k) for k in saved.changed]
    result.suggested = [by_id.get(k, k) for k in saved.suggested]
    result.labels.update({k: fields[k].label for k in result.filled if k in fields})
    if result.filled:
        names = ", ".join(result.labels.get(k, k) for k in result.filled)
        data_line = {
            "conversation_id": conversation.id,
            "message_id": message_id,
            "fields": result.filled,
        }
        session.add(
            Activity(
                **activity_row(
                    saved.contact.id,
                    origin,
                    CAPTURE_KIND,
                    f"Captured via chat: {names}",
                    data_line,
                )
            )
        )
    return result
