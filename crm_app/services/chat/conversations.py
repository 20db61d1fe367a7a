"""A visitor's conversations with one agent: list, start, read, feedback.

Every call names the agent and the visitor (`visitor_key`: the sha256 of the visitor's
token, services/chat/visitors.py) and reaches only that visitor's conversations with that
agent; anything else is "not found". A member trying the agent in the Playground passes
`member` (their principal): the agent must be one they may work in (require_agent), their
visitor key is "member:<user_id>" and their conversations are marked `test`. Visitors
reach only Public agents; of a Restrict or Pay for Access agent, only while their visitor
key has access (services/gate/access.py: signed in, allowed by the rule or holding a live
pass), checked on every call. A signed-in visitor's conversations belong to their contact.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, select

from crm_app.models import Agent, Conversation, Message, utcnow
from crm_app.services import rate_limits
from crm_app.services.access import require_agent
from crm_app.services.chat.visitors import is_visitor_key, member_key, require_available
from crm_app.services.errors import NotFound, RateLimited, ValidationError
from crm_app.services.gate.access import Access, require_access
from crm_app.services.principal import Principal

LIST_LIMIT = 50
PREVIEW_CHARS = 80
FEEDBACK = ("", "like", "dislike")
# New conversations: a visitor can mint tokens at will, so their network is limited too.
STARTS_PER_VISITOR = rate_limits.Limit("chat-start-visitor", 10, 60)
STARTS_PER_IP = rate_limits.Limit("chat-start-ip", 30, 60)
MSG_TOO_FAST = "You're sending messages too quickly. Please wait a moment."
MSG_NOT_FOUND = "Conversation not found."


@dataclass(frozen=True)
class ConversationSummary:
    id: int
    title: str  # "" until the visitor's first message
    last_at: datetime
    preview: str


@dataclass(frozen=True)
class MessageView:
    id: int
    role: str  # visitor | agent | member
    content: str  # plain text as typed or generated (never HTML-processed)
    created_at: datetime
    feedback: str  # "" | like | dislike
    status: str  # ok | error | pending


def message_view(message: Message) -> MessageView:
    return MessageView(
        id=message.id,
        role=message.role,
        content=message.content,
        created_at=message.created_at,
        feedback=message.feedback,
        status=message.status,
    )


def as_id(value) -> int | None:
    """An id from an event or a URL (int or digits), None for anything else or out of range."""
    if isinstance(value, str) and value.isdigit() and len(value) <= 12:
        value = int(value)
    if isinstance(value, int) and not isinstance(value, bool) and 0 < value < 2**31:
        return value
    return None


def _preview(text: str) -> str:
    one = " ".join(text.split())
    return one if len(one) <= PREVIEW_CHARS else one[: PREVIEW_CHARS - 1].rstrip() + "…"


# ---------------------------------------------------------------- access


def chat_agent(
    session: Session,
    agent_id,
    visitor_key: str,
    member: Principal | None = None,
) -> Agent:
    """The agent this visitor (or Playground member) may chat with, or NotFound /
    PermissionDenied. Checks the visitor key's shape too: a member key is only a member's."""
    return chat_access(session, agent_id, visitor_key, member)[0]


def chat_access(
    session: Session,
    agent_id,
    visitor_key: str,
    member: Principal | None = None,
) -> tuple[Agent, Access | None]:
    """chat_agent, with the visitor's access (None for a Playground member): who they are
    signed in as, and the pass a Pay for Access message spends a credit of."""
    if member is not None:
        agent = require_agent(session, member, as_id(agent_id))
        if not member.is_member or visitor_key != member_key(member.user_id):
            raise NotFound(MSG_NOT_FOUND)
        return agent, None
    if not is_visitor_key(visitor_key):
        raise NotFound(MSG_NOT_FOUND)
    agent = session.get(Agent, as_id(agent_id)) if as_id(agent_id) else None
    if agent is None:
        raise NotFound("Agent not found.")
    require_available(agent)
    return agent, require_access(session, agent, visitor_key)


def conversation_of(
    session: Session,
    agent: Agent,
    visitor_key: str,
    conversation_id,
    member: Principal | None = None,
) -> Conversation:
    """The conversation if it is this visitor's with this agent (and a test one exactly
    when a member asks); NotFound otherwise."""
    conv = session.get(Conversation, as_id(conversation_id)) if as_id(conversation_id) else None
    if (
        conv is None
        or conv.agent_id != agent.id
        or conv.visitor_id != visitor_key
        or conv.test != (member is not None)
    ):
        raise NotFound(MSG_NOT_FOUND)
    return conv


# ---------------------------------------------------------------- queries


def list_conversations(
    session: Session, agent_id, visitor_key: str, *, member: Principal | None = None
) -> list[ConversationSummary]:
    """The visitor's conversations with the agent, most recent first (at most 50)."""
    agent = chat_agent(session, agent_id, visitor_key, member)
    rows = session.exec(
        select(Conversation)
        .where(
            Conversation.agent_id == agent.id,
            Conversation.visitor_id == visitor_key,
            Conversation.test == (member is not None),
        )
        .order_by(Conversation.last_message_at.desc(), Conversation.id.desc())
        .limit(LIST_LIMIT)
    ).all()
    if not rows:
        return []
    last_ids = select(func.max(Message.id)).where(
        Message.conversation_id.in_([c.id for c in rows]), Message.status != "pending"
    )
    last_ids = last_ids.group_by(Message.conversation_id)
    last = {
        m.conversation_id: m.content
        for m in session.exec(select(Message).where(Message.id.in_(last_ids)))
    }
    return [
        ConversationSummary(
            id=c.id, title=c.title, last_at=c.last_message_at, preview=_preview(last.get(c.id, ""))
        )
        for c in rows
    ]


def messages(
    session: Session,
    agent_id,
    visitor_key: str,
    conversation_id,
    *,
    member: Principal | None = None,
) -> list[MessageView]:
    """The conversation's messages, oldest first (a reply still being written is left out)."""
    agent = chat_agent(session, agent_id, visitor_key, member)
    conv = conversation_of(session, agent, visitor_key, conversation_id, member)
    rows = session.exec(
        select(Message)
        .where(Message.conversation_id == conv.id, Message.status != "pending")
        .order_by(Message.id)
    )
    return [message_view(m) for m in rows]


# ---------------------------------------------------------------- commands


def start_conversation(
    session: Session,
    agent_id,
    visitor_key: str,
    *,
    member: Principal | None = None,
    ip: str = "",
) -> ConversationSummary:
    """A new conversation whose first message is the agent's welcome message (followed by
    the first question of the agent's "Ask in chat" form, if it has one)."""
    agent, access = chat_access(session, agent_id, visitor_key, member)
    if not rate_limits.hit(STARTS_PER_VISITOR, visitor_key) or (
        ip and not rate_limits.hit(STARTS_PER_IP, ip[:64])
    ):
        raise RateLimited(MSG_TOO_FAST)
    now = utcnow()
    conv = Conversation(
        agent_id=agent.id,
        visitor_id=visitor_key,
        test=member is not None,
        member_id=member.user_id if member is not None else None,
        contact_id=access.contact_id if access is not None else None,
        created_at=now,
        updated_at=now,
        last_message_at=now,
    )
    session.add(conv)
    session.flush()
    welcome = Message(
        conversation_id=conv.id, role="agent", content=agent.welcome_message, created_at=now
    )
    session.add(welcome)
    session.flush()
    return ConversationSummary(
        id=conv.id, title="", last_at=now, preview=_preview(agent.welcome_message)
    )


def set_feedback(
    session: Session,
    agent_id,
    visitor_key: str,
    message_id,
    value: str,
    *,
    member: Principal | None = None,
) -> MessageView:
    """Like, dislike or clear ("") the feedback on one of the agent's messages."""
    if value not in FEEDBACK:
        raise ValidationError("Feedback is like, dislike or nothing.", field="feedback")
    agent = chat_agent(session, agent_id, visitor_key, member)
    message = session.get(Message, as_id(message_id)) if as_id(message_id) else None
    if message is None or message.role != "agent" or message.status == "pending":
        raise NotFound("Message not found.")
    try:
        conversation_of(session, agent, visitor_key, message.conversation_id, member)
    except NotFound:
        raise NotFound("Message not found.") from None
    message.feedback = value
    session.add(message)
    session.flush()
    return message_view(message)
