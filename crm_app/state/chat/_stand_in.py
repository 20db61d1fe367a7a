"""TEMPORARY stand-in for CORE's crm_app/services/chat (visitors, conversations, turn) with
the names of /work/notes/chat-design.md, so the chat UI runs before CORE lands. Delete at
integration (crm_app/state/chat/backend.py then imports the real services)."""

from __future__ import annotations

import hashlib
import re
import secrets
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import select

from crm_app.db import session_scope
from crm_app.models import Agent, Conversation, Message
from crm_app.services.errors import NotFound, ValidationError

_FEEDBACK: dict[int, str] = {}
MAX_CHARS = 4000


def new_visitor_token() -> str:
    return secrets.token_urlsafe(32)


def visitor_key(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def valid_token(token) -> bool:
    return isinstance(token, str) and bool(re.fullmatch(r"[A-Za-z0-9_-]{43}", token))


@dataclass
class PublicAgent:
    id: int
    name: str
    slug: str
    welcome_message: str
    avatar_url: str
    available: bool
    reason: str


def public_agent(session, slug: str) -> PublicAgent:
    agent = session.exec(select(Agent).where(Agent.slug == (slug or "").lower())).first()
    if agent is None:
        raise NotFound("This agent does not exist.")
    reason = ""
    if agent.visibility != "Public":
        reason = "private"
    elif agent.access_mode == "Restrict":
        reason = "restricted"
    elif agent.access_mode == "Pay for Access":
        reason = "paid"
    return PublicAgent(
        agent.id,
        agent.name,
        agent.slug,
        agent.welcome_message,
        agent.avatar_url,
        reason == "",
        reason,
    )


@dataclass
class ConversationSummary:
    id: int
    title: str
    last_at: datetime
    preview: str


@dataclass
class MessageView:
    id: int
    role: str
    content: str
    created_at: datetime
    feedback: str = ""
    status: str = "ok"


def _summary(session, c: Conversation) -> ConversationSummary:
    last = session.exec(
        select(Message).where(Message.conversation_id == c.id).order_by(Message.id.desc())
    ).first()
    return ConversationSummary(
        c.id, c.title or "Untitled Conversation", c.updated_at, (last.content if last else "")[:80]
    )


def list_conversations(session, agent_id: int, key: str) -> list[ConversationSummary]:
    rows = session.exec(
        select(Conversation)
        .where(Conversation.agent_id == agent_id, Conversation.visitor_id == key)
        .order_by(Conversation.updated_at.desc(), Conversation.id.desc())
    ).all()
    return [_summary(session, c) for c in rows]


def start_conversation(session, agent_id: int, key: str, *, member=None) -> ConversationSummary:
    agent = session.get(Agent, agent_id)
    c = Conversation(agent_id=agent_id, visitor_id=key)
    session.add(c)
    session.flush()
    session.add(Message(conversation_id=c.id, role="agent", content=agent.welcome_message))
    session.flush()
    return _summary(session, c)


def _own(session, agent_id, key, conversation_id) -> Conversation:
    c = session.get(Conversation, conversation_id)
    if c is None or c.agent_id != agent_id or c.visitor_id != key:
        raise NotFound("Conversation not found.")
    return c


def messages(session, agent_id, key, conversation_id) -> list[MessageView]:
    _own(session, agent_id, key, conversation_id)
    rows = session.exec(
        select(Message).where(Message.conversation_id == conversation_id).order_by(Message.id)
    ).all()
    return [
        MessageView(m.id, m.role, m.content, m.created_at, _FEEDBACK.get(m.id, "")) for m in rows
    ]


def set_feedback(session, agent_id, key, message_id, value) -> None:
    m = session.get(Message, message_id)
    if m is None or m.role != "agent":
        raise NotFound("Message not found.")
    _own(session, agent_id, key, m.conversation_id)
    _FEEDBACK[m.id] = value if value in ("like", "dislike") else ""


@dataclass
class Accepted:
    visitor: MessageView
    reply_id: int


@dataclass
class Delta:
    text: str


@dataclass
class Done:
    reply: MessageView
    captured: list[str] = field(default_factory=list)


_LAST: dict[str, float] = {}


def chat_turn(agent_id, key, conversation_id, text, *, ip="", member=None, engine=None) -> Iterator:
    text = (text or "").strip()
    if not text:
        raise ValidationError("Please type a message.")
    if len(text) > MAX_CHARS:
        raise ValidationError("Messages can be at most 4,000 characters.")
    with session_scope() as session:
        c = _own(session, agent_id, key, conversation_id)
        if not c.title:
            c.title = text[:60]
        v = Message(conversation_id=c.id, role="visitor", content=text)
        session.add(v)
        session.flush()
        visitor = MessageView(v.id, v.role, v.content, v.created_at)
    yield Accepted(visitor, 0)
    reply = f"Thanks! You said: **{text[:200]}** — *stand-in reply*, streamed word by word."
    for word in reply.split(" "):
        time.sleep(0.03)
        yield Delta(word + " ")
    with session_scope() as session:
        c = session.get(Conversation, conversation_id)
        m = Message(conversation_id=c.id, role="agent", content=reply)
        session.add(m)
        c.updated_at = m.created_at
        session.flush()
        done = MessageView(m.id, m.role, m.content, m.created_at)
    yield Done(done, ["Name: (stand-in)"] if member is not None else [])
