"""One user's chats with an agent."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, select

from crm_app.models import Contact, Conversation, Message
from crm_app.services.access import Actor
from crm_app.services.chat.history.common import (
    ANONYMOUS,
    PLAYGROUND,
    UNTITLED,
    VISITOR,
    HistoryUser,
    member_agent,
    member_names,
    visitor_match,
)
from crm_app.services.display import contact_name, fmt_time
from crm_app.services.errors import NotFound

CHATS_LIMIT = 200  # a user's newest chats


@dataclass(frozen=True)
class ChatSummary:
    id: int
    title: str
    last_at: datetime
    time: str
    messages: int
    test: bool


@dataclass(frozen=True)
class UserChats:
    user: HistoryUser
    chats: list[ChatSummary]


def _chat_rows(session: Session, where, limit: int):
    """Conversations with their message counts in one grouped query, newest first."""
    query = (
        select(
            Conversation.id,
            Conversation.title,
            Conversation.last_message_at,
            Conversation.test,
            func.count(Message.id),
        )
        .outerjoin(Message, Message.conversation_id == Conversation.id)
        .where(*where)
        .group_by(
            Conversation.id, Conversation.title, Conversation.last_message_at, Conversation.test
        )
        .order_by(Conversation.last_message_at.desc(), Conversation.id.desc())
        .limit(limit)
    )
    return session.exec(query).all()


def history_chats(
    session: Session, actor: Actor, agent_id, key: str, *, tz_name: str = ""
) -> UserChats:
    """One user's chats with the agent ("<Name>'s Chats"), newest first, each with its
    title (`Untitled Conversation` when it has none), last activity and message count."""
    agent = member_agent(session, actor, agent_id)
    key = str(key or "")[:100]
    contact_id = None
    test = False
    if key.startswith(VISITOR):
        where = [Conversation.agent_id == agent.id, visitor_match(key)]
        raw = key[len(VISITOR) :]
        test = raw.startswith(PLAYGROUND)
        name = member_names(session, [raw]).get(raw, "Team member") if test else ANONYMOUS
    else:
        contact = session.get(Contact, key) if key else None
        if contact is None or contact.agent_id != agent.id:
            raise NotFound("User not found.")
        contact_id, name = contact.id, contact_name(contact)
        where = [
            Conversation.agent_id == agent.id,
            Conversation.contact_id == contact.id,
            ~Conversation.test,
        ]
    rows = _chat_rows(session, where, CHATS_LIMIT)
    if not rows:
        raise NotFound("User not found.")
    chats = [
        ChatSummary(cid, title or UNTITLED, at, fmt_time(at, tz_name), n, bool(is_test))
        for cid, title, at, is_test, n in rows
    ]
    last = max(c.last_at for c in chats)
    user = HistoryUser(key, name, contact_id, last, fmt_time(last, tz_name), len(chats), test)
    return UserChats(user, chats)
