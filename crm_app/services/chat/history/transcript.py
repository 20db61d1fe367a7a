"""A chat's transcript: its messages, each agent message with its question and revised answer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, select

from crm_app.models import Agent, Contact, Conversation, Message, RevisedAnswer
from crm_app.services.access import Actor
from crm_app.services.chat.history.common import (
    ANONYMOUS,
    UNTITLED,
    asker_roles,
    get_by_id,
    member_agent,
    member_names,
    user_key,
)
from crm_app.services.display import contact_name, fmt_time
from crm_app.services.errors import NotFound

MESSAGES_LIMIT = 2000  # a transcript's newest messages


@dataclass(frozen=True)
class MessageView:
    id: int
    role: str  # visitor | agent | member
    who: str
    content: str
    created_at: datetime
    time: str
    feedback: str  # "" | like | dislike
    status: str  # ok | error | pending
    error: str  # the provider's error detail (members only)
    question: str  # an agent message: the visitor message just before it
    revised: str  # the team's revised answer to that question ("" when none)


@dataclass(frozen=True)
class Transcript:
    id: int
    title: str
    test: bool
    user_key: str
    user_name: str
    contact_id: str | None
    messages: list[MessageView]


def _conversation(session: Session, agent: Agent, conversation_id) -> Conversation:
    conv = get_by_id(session, Conversation, conversation_id)
    if conv is None or conv.agent_id != agent.id:
        raise NotFound("Conversation not found.")
    return conv


def transcript(session: Session, agent: Agent, conv: Conversation, tz_name: str = "") -> Transcript:
    """A conversation's messages in order (its newest MESSAGES_LIMIT), each agent message with
    its question and revised answer: three queries whatever its length. The caller has
    checked that the actor may read `conv`."""
    rows = list(
        session.exec(
            select(Message)
            .where(Message.conversation_id == conv.id)
            .order_by(Message.created_at.desc(), Message.id.desc())
            .limit(MESSAGES_LIMIT)
        )
    )
    rows.reverse()
    contact = session.get(Contact, conv.contact_id) if conv.contact_id else None
    if conv.test:
        visitor = member_names(session, [conv.visitor_id]).get(conv.visitor_id, "Team member")
    else:
        visitor = contact_name(contact) if contact else ANONYMOUS
    askers = asker_roles(conv)
    questions: dict[int, str] = {}
    asked = ""
    for m in rows:
        if m.role in askers:
            asked = m.content
        elif m.role == "agent":
            questions[m.id] = asked
    wanted = {q for q in questions.values() if q}
    revised = (
        {
            r.question: r.answer
            for r in session.exec(
                select(RevisedAnswer).where(
                    RevisedAnswer.agent_id == agent.id, RevisedAnswer.question.in_(wanted)
                )
            )
        }
        if wanted
        else {}
    )
    labels = {
        "visitor": visitor,
        "agent": agent.name,
        "member": visitor if conv.test else "Team member",
    }
    messages = [
        MessageView(
            id=m.id,
            role=m.role,
            who=labels.get(m.role, m.role),
            content=m.content,
            created_at=m.created_at,
            time=fmt_time(m.created_at, tz_name),
            feedback=m.feedback or "",
            status=m.status or "ok",
            error=str((m.data or {}).get("error") or "") if m.status == "error" else "",
            question=questions.get(m.id, ""),
            revised=revised.get(questions.get(m.id, ""), "") if m.role == "agent" else "",
        )
        for m in rows
    ]
    return Transcript(
        id=conv.id,
        title=conv.title or UNTITLED,
        test=bool(conv.test),
        user_key=user_key(conv),
        user_name=visitor,
        contact_id=contact.id if contact and not conv.test else None,
        messages=messages,
    )


def history_transcript(
    session: Session, actor: Actor, agent_id, conversation_id, *, tz_name: str = ""
) -> Transcript:
    agent = member_agent(session, actor, agent_id)
    return transcript(session, agent, _conversation(session, agent, conversation_id), tz_name)
