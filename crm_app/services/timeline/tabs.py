"""The contact page's tabs: activity timeline, form submissions, conversations."""

from __future__ import annotations

import dataclasses

from sqlalchemy import func
from sqlmodel import Session, select

from crm_app.models import Activity, Conversation, Form, FormSubmission, Message
from crm_app.services.access import Actor
from crm_app.services.chat import history
from crm_app.services.display import fmt_time
from crm_app.services.errors import NotFound
from crm_app.services.timeline.common import (
    ACTIVITY_LIMIT,
    ACTOR_TYPE_LABELS,
    KIND_ICONS,
    contact_for,
)

CONVERSATION_LIMIT = 500


def list_activity(
    session: Session,
    actor: Actor,
    agent_id,
    contact_id,
    tz_name: str = "",
    limit: int = ACTIVITY_LIMIT,
) -> list[dict]:
    """The contact's timeline, newest first."""
    _, contact = contact_for(session, actor, agent_id, contact_id)
    rows = session.exec(
        select(Activity)
        .where(Activity.contact_id == contact.id)
        .order_by(Activity.created_at.desc(), Activity.id.desc())
        .limit(max(1, min(limit, 500)))
    )
    rows = list(rows)
    # Lines from a chat (captures, suggestions) link to their conversation while it is
    # still this contact's (the Chat Conversation tab opens it).
    linked = set()
    if any((a.data or {}).get("conversation_id") for a in rows):
        linked = set(
            session.exec(select(Conversation.id).where(Conversation.contact_id == contact.id))
        )
    out = []
    for a in rows:
        data = a.data or {}
        conversation = data.get("conversation_id")
        out.append(
            {
                "id": a.id,
                "icon": KIND_ICONS.get(a.kind, "circle"),
                "kind": a.kind,
                "message": a.message,
                "who": a.actor_label or ACTOR_TYPE_LABELS.get(a.actor_type, a.actor_type),
                "actor_type": ACTOR_TYPE_LABELS.get(a.actor_type, a.actor_type.title()),
                "time": fmt_time(a.created_at, tz_name),
                "conversation_id": str(conversation) if conversation in linked else "",
                # a suggestion: "open" (can be accepted) or "accepted"; "" for other lines
                "suggestion": str(data.get("status") or "") if a.kind == "suggestion" else "",
                "accepted_by": str(data.get("accepted_by") or "") if a.kind == "suggestion" else "",
            }
        )
    return out


def _answer_text(value) -> str:
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, dict):
        return ", ".join(f"{k}: {v}" for k, v in value.items())
    return "" if value is None else str(value)


def list_submissions(
    session: Session, actor: Actor, agent_id, contact_id, tz_name: str = ""
) -> list[dict]:
    """The contact's form submissions (newest first), each with its answers as label/value rows."""
    agent, contact = contact_for(session, actor, agent_id, contact_id)
    rows = session.exec(
        select(FormSubmission, Form)
        .join(Form, Form.id == FormSubmission.form_id)
        .where(FormSubmission.contact_id == contact.id, Form.agent_id == agent.id)
        .order_by(FormSubmission.created_at.desc(), FormSubmission.id.desc())
    ).all()
    out = []
    for sub, form in rows:
        answers = []
        for key, value in (sub.answers or {}).items():
            if isinstance(value, dict) and "label" in value:
                answers.append(
                    {"label": str(value["label"]), "value": _answer_text(value.get("value"))}
                )
            else:
                answers.append({"label": str(key), "value": _answer_text(value)})
        out.append(
            {
                "id": str(sub.id),
                "form": form.name,
                "status": sub.status,
                "time": fmt_time(sub.created_at, tz_name),
                "answers": answers,
            }
        )
    return out


def list_conversations(
    session: Session, actor: Actor, agent_id, contact_id, tz_name: str = ""
) -> list[dict]:
    """The contact's chats with the agent, newest activity first, with their message counts
    (one grouped query); Playground tests are not the contact's."""
    agent, contact = contact_for(session, actor, agent_id, contact_id)
    rows = session.exec(
        select(
            Conversation.id,
            Conversation.title,
            Conversation.last_message_at,
            func.count(Message.id),
        )
        .outerjoin(Message, Message.conversation_id == Conversation.id)
        .where(
            Conversation.agent_id == agent.id,
            Conversation.contact_id == contact.id,
            ~Conversation.test,
        )
        .group_by(Conversation.id, Conversation.title, Conversation.last_message_at)
        .order_by(Conversation.last_message_at.desc(), Conversation.id.desc())
        .limit(CONVERSATION_LIMIT)
    ).all()
    return [
        {
            "id": str(cid),
            "title": title or history.UNTITLED,
            "messages": count,
            "time": fmt_time(last_at, tz_name),
        }
        for cid, title, last_at, count in rows
    ]


def read_transcript(
    session: Session, actor: Actor, agent_id, contact_id, conversation_id, tz_name: str = ""
) -> list[dict]:
    """One conversation's messages in the order they were sent, as History shows them."""
    agent, contact = contact_for(session, actor, agent_id, contact_id)
    conv = (
        session.get(Conversation, int(conversation_id))
        if str(conversation_id).isdigit() and len(str(conversation_id)) < 19
        else None
    )
    if conv is None or conv.contact_id != contact.id or conv.agent_id != agent.id or conv.test:
        raise NotFound("Conversation not found.")
    return [
        dataclasses.asdict(m) for m in history.transcript(session, agent, conv, tz_name).messages
    ]
