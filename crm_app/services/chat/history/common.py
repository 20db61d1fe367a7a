"""What the parts of History share: the member-only access check, user keys (a contact's id,
or "v:" + a visitor id) and the names of Playground members.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_
from sqlmodel import Session, select

from crm_app.models import Agent, Conversation, User
from crm_app.services.access import Actor, require_agent
from crm_app.services.chat import visitors
from crm_app.services.errors import NotFound, PermissionDenied

ANONYMOUS = "Anonymous User"
UNTITLED = "Untitled Conversation"
PLAYGROUND = visitors.MEMBER_PREFIX  # a Playground visitor id: "member:<user_id>"
VISITOR = "v:"  # a visitor's user key: "v:" + the first KEY_CHARS of their visitor id
KEY_CHARS = 16
HEX = frozenset("0123456789abcdef")


@dataclass(frozen=True)
class HistoryUser:
    key: str  # the contact's id, or "v:<visitor>" (anonymous visitor or Playground member)
    name: str
    contact_id: str | None
    last_at: datetime
    time: str
    chats: int
    test: bool = False  # a member trying the agent in the Playground


def member_agent(session: Session, actor: Actor, agent_id, minimum: str = "User") -> Agent:
    if not actor.is_member:
        raise PermissionDenied("Only team members can open History.")
    return require_agent(session, actor, agent_id if isinstance(agent_id, int) else None, minimum)


def user_key(conversation: Conversation) -> str:
    if conversation.contact_id and not conversation.test:
        return conversation.contact_id
    return visitor_key(conversation.visitor_id)


def visitor_key(visitor_id: str) -> str:
    if visitor_id.startswith(PLAYGROUND):
        return VISITOR + visitor_id
    return VISITOR + visitor_id[:KEY_CHARS]


def visitor_match(key: str):
    """The conversations of a "v:" key: a Playground member's exactly, a visitor's by the
    prefix of their visitor id (an index range)."""
    raw = key[len(VISITOR) :]
    if raw.startswith(PLAYGROUND):
        if not raw[len(PLAYGROUND) :].isdigit():
            raise NotFound("User not found.")
        return and_(Conversation.test, Conversation.visitor_id == raw)
    if not raw or len(raw) > KEY_CHARS or not set(raw) <= HEX:
        raise NotFound("User not found.")
    upper = raw[:-1] + chr(ord(raw[-1]) + 1)
    return and_(
        ~Conversation.test,
        Conversation.contact_id.is_(None),
        Conversation.visitor_id >= raw,
        Conversation.visitor_id < upper,
    )


def member_names(session: Session, org_visitors: list[str]) -> dict[str, str]:
    """Playground visitor id -> the member's name, in one query."""
    ids = {int(v[len(PLAYGROUND) :]) for v in org_visitors if v[len(PLAYGROUND) :].isdigit()}
    if not ids:
        return {}
    users = session.exec(select(User).where(User.id.in_(ids))).all()
    return {PLAYGROUND + str(u.id): u.display_name for u in users}


def asker_roles(conv: Conversation) -> tuple[str, ...]:
    """Who asks the questions: the visitor (in the Playground, the member trying it)."""
    return ("visitor", "member") if conv.test else ("visitor",)


def get_by_id(session: Session, model, value):
    """The `model` row whose id is `value` (an int or a string of digits), None for anything
    else."""
    if not str(value).isdigit() or len(str(value)) >= 19:
        return None
    return session.get(model, int(value))
