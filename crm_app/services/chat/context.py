"""What the reply engine may know for one turn, read from the database: the agent's
Allow-for-AI fields as FieldSpecs, the values already known (the linked contact's, then
this chat's `captured`), the conversation's history and the agent's revised answers; and
the check of captured values by their field's type (the Playground's preview of capture)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlmodel import Session, select

from crm_app.agent.base import ChatMessage, FieldSpec, Revision, Turn
from crm_app.models import (
    Agent,
    Contact,
    ContactField,
    ContactValue,
    Conversation,
    Message,
    RevisedAnswer,
)
from crm_app.services import settings_cache
from crm_app.services.errors import ValidationError
from crm_app.services.values import (
    coerce_value,
    normalize_email,
    normalize_gender,
    normalize_phone,
)

HISTORY_LIMIT = 50  # the newest messages an engine sees
REVISION_LIMIT = 200
DEFAULT_KEYS = ("name", "email", "phone", "gender")


def build_turn(session: Session, agent: Agent, conv: Conversation, now: datetime) -> Turn:
    fields = ai_fields(session, agent)
    return Turn(
        agent_name=agent.name,
        welcome_message=agent.welcome_message,
        phone_region=agent.phone_region,
        fields=tuple(_spec(f) for f in fields.values()),
        known=known_values(session, agent, conv, fields),
        history=history(session, conv.id),
        revisions=revisions(session, agent.id),
        now=now,
        test=conv.test,
    )


def ai_fields(session: Session, agent: Agent) -> dict[str, ContactField]:
    fields = settings_cache.for_agent(session, agent).fields.values()
    ordered = sorted((f for f in fields if f.allow_ai), key=lambda f: (f.position, f.id))
    return {f.key: f for f in ordered}


def _spec(f: ContactField) -> FieldSpec:
    return FieldSpec(
        key=f.key,
        label=f.label,
        type=f.type,
        options=tuple(f.options or ()),
        required=bool(f.required),
        hint=f.ai_hint or "",
    )


def _stored_value(f: ContactField, row: ContactValue) -> Any:
    if f.type == "Multi-select":
        return list(row.value_json or [])
    if f.type == "Checkbox":
        return row.value_num == 1.0
    if f.type == "Number" and row.value_num is not None:
        return int(row.value_num) if row.value_num.is_integer() else row.value_num
    return row.value_text


def known_values(
    session: Session, agent: Agent, conv: Conversation, fields: Mapping[str, ContactField]
) -> dict[str, Any]:
    """The contact's values of the Allow-for-AI fields, then what this chat captured."""
    known: dict[str, Any] = {}
    contact = session.get(Contact, conv.contact_id) if conv.contact_id else None
    if contact is not None and contact.agent_id == agent.id:
        for key in DEFAULT_KEYS:
            if key in fields and getattr(contact, key):
                known[key] = getattr(contact, key)
        custom = {f.id: f for f in fields.values() if not f.is_default}
        if custom:
            rows = session.exec(
                select(ContactValue).where(
                    ContactValue.contact_id == contact.id,
                    ContactValue.field_id.in_(list(custom)),
                )
            )
            for row in rows:
                known[custom[row.field_id].key] = _stored_value(custom[row.field_id], row)
    for key, value in (conv.captured or {}).items():
        if key in fields and value not in (None, "", []):
            known[key] = value
    return known


def history(session: Session, conversation_id: int) -> tuple[ChatMessage, ...]:
    rows = session.exec(
        select(Message.role, Message.content)
        .where(Message.conversation_id == conversation_id, Message.status == "ok")
        .order_by(Message.id.desc())
        .limit(HISTORY_LIMIT)
    ).all()
    return tuple(ChatMessage(role=role, content=content) for role, content in reversed(rows))


def revisions(session: Session, agent_id: int) -> tuple[Revision, ...]:
    rows = session.exec(
        select(RevisedAnswer.question, RevisedAnswer.answer)
        .where(RevisedAnswer.agent_id == agent_id)
        .order_by(RevisedAnswer.id.desc())
        .limit(REVISION_LIMIT)
    ).all()
    return tuple(Revision(question=q, answer=a) for q, a in rows)


def validate_values(
    agent: Agent, fields: Mapping[str, ContactField], values: Mapping[str, Any]
) -> tuple[dict[str, Any], list[list[str]]]:
    """Each raw value checked by its Allow-for-AI field's type: (key -> value as the engine
    sees it in `known`, [[key, why], ...] for what was dropped)."""
    valid: dict[str, Any] = {}
    dropped: list[list[str]] = []
    for key, raw in values.items():
        f = fields.get(key)
        if f is None:
            dropped.append([str(key)[:60], "not an Allow-for-AI field"])
            continue
        try:
            value = _clean(agent, f, raw)
        except ValidationError as exc:
            dropped.append([key, exc.message])
            continue
        if value not in (None, "", []):
            valid[key] = value
    return valid, dropped


def _clean(agent: Agent, f: ContactField, raw: Any) -> Any:
    if f.key == "name":
        name = " ".join(str(raw or "").split())
        if len(name) > 200:
            raise ValidationError("Name is at most 200 characters.", field="name")
        return name
    if f.key == "email":
        return normalize_email(None if raw is None else str(raw))
    if f.key == "phone":
        return normalize_phone(None if raw is None else str(raw), agent.phone_region)
    if f.key == "gender":
        return normalize_gender(None if raw is None else str(raw))
    stored = coerce_value(f.type, raw, list(f.options or []), agent.phone_region, field=f.key)
    if stored is None:
        return None
    text, number, items = stored
    if f.type == "Multi-select":
        return items
    if f.type == "Checkbox":
        return number == 1.0
    if f.type == "Number":
        return int(number) if number.is_integer() else number
    return text
