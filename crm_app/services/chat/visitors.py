"""Who chats: an anonymous visitor is an opaque, unguessable token the browser keeps (an
HttpOnly cookie on /a/<slug>, the iframe's own storage inside the widget); the database
keeps only its sha256 (`visitor_key`), so a leaked table names no live token. A member in
the Playground is "member:<user_id>" instead (services/chat/conversations.py).

`public_agent` is what the public chat page may show of an agent, and whether it chats.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass

from sqlmodel import Session, select

from crm_app.models import Agent
from crm_app.services.errors import NotFound, PermissionDenied, ValidationError

TOKEN_BYTES = 32  # token_urlsafe(32): 43 characters, 256 bits
_TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{32,128}$")
_KEY_RE = re.compile(r"^[0-9a-f]{64}$")
MEMBER_PREFIX = "member:"

MSG_BAD_TOKEN = "This chat session is not valid. Please reload the page."
REASON_MESSAGES = {"private": "This agent is private."}
GATED_MODES = ("Restrict", "Pay for Access")


def new_visitor_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def valid_token(token: object) -> bool:
    """A token we could have issued: URL-safe base64, 32 to 128 characters."""
    return isinstance(token, str) and bool(_TOKEN_RE.match(token))


def visitor_key(token: str) -> str:
    """What the database stores for a visitor token (sha256 hex); ValidationError when the
    token is not one we could have issued."""
    if not valid_token(token):
        raise ValidationError(MSG_BAD_TOKEN)
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def is_visitor_key(key: object) -> bool:
    return isinstance(key, str) and bool(_KEY_RE.match(key))


def member_key(user_id: int | None) -> str:
    return f"{MEMBER_PREFIX}{user_id}"


@dataclass(frozen=True)
class PublicAgent:
    id: int
    name: str
    slug: str
    welcome_message: str
    avatar_url: str
    available: bool
    reason: str  # "" | "private"
    gate: str = ""  # "" (Use for Free) | "Restrict" | "Pay for Access": who may chat is per visitor


def availability(agent: Agent) -> tuple[bool, str]:
    """Whether the agent talks to visitors at all: Public, whatever its mode. Which visitor
    may chat with a Restrict or Pay for Access agent is decided per visitor
    (services/gate/access.py), on every message."""
    if agent.visibility != "Public":
        return False, "private"
    return True, ""


def gate_of(agent: Agent) -> str:
    """ "Restrict" or "Pay for Access" for a gated Public agent, "" otherwise."""
    if agent.visibility == "Public" and agent.access_mode in GATED_MODES:
        return agent.access_mode
    return ""


def require_available(agent: Agent) -> None:
    available, reason = availability(agent)
    if not available:
        raise PermissionDenied(REASON_MESSAGES[reason])


_SLUG = re.compile(r"[a-z0-9-]{1,60}")


def public_agent(session: Session, slug: str) -> PublicAgent:
    """The agent at /a/<slug>; NotFound for an unknown slug."""
    slug = slug.strip().lower() if isinstance(slug, str) else ""
    # Only what a slug can be reaches SQL (PostgreSQL refuses NUL in text: a 500 otherwise).
    valid = bool(_SLUG.fullmatch(slug))
    agent = session.exec(select(Agent).where(Agent.slug == slug)).first() if valid else None
    if agent is None:
        raise NotFound("Agent not found.")
    available, reason = availability(agent)
    return PublicAgent(
        id=agent.id,
        name=agent.name,
        slug=agent.slug,
        welcome_message=agent.welcome_message,
        avatar_url=agent.avatar_url,
        available=available,
        reason=reason,
        gate=gate_of(agent),
    )
