"""What one visitor of an agent may do right now: chat, sign in first, or pay first.

`visitor_access` is asked by the chat page, the public chat HTTP API and every chat turn
(services/chat/turn.py), so the answer is the same everywhere and re-checked on each
message. `spend_credit` uses one message credit of a Pay for Access pass atomically, in
the transaction that stores the visitor's message.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, update
from sqlmodel import Session, select

from crm_app.models import AccessPass, Agent, Contact, GuestSession, utcnow
from crm_app.services.errors import PermissionDenied
from crm_app.services.gate import rules

RESTRICT = "Restrict"
PAID = "Pay for Access"

MSG_SIGN_IN = "Please sign in to chat with this agent."
MSG_PAY = "Your access to this agent has ended. Renew it to keep chatting."
MSG_PRIVATE = "This agent is private."
MSG_LOST = "You no longer have access to this chatbot. Sign in again with an email the team allows."


@dataclass(frozen=True)
class Access:
    state: str  # open | private | sign_in | paywall
    contact_id: str | None = None
    name: str = ""
    email: str = ""
    pass_id: int | None = None
    credits_left: int | None = None
    expires_at: datetime | None = None
    pass_ended: str = ""  # "" | expired | used_up | refunded (the paywall offers renewal)
    lost: bool = False  # signed in, but the contact no longer passes the rule (Restrict)

    @property
    def signed_in(self) -> bool:
        return self.contact_id is not None


def live_session(session: Session, agent_id: int, visitor_key: str) -> GuestSession | None:
    now = utcnow()
    return session.exec(
        select(GuestSession)
        .where(
            GuestSession.agent_id == agent_id,
            GuestSession.visitor_id == visitor_key,
            GuestSession.ended_at.is_(None),
            GuestSession.expires_at > now,
        )
        .order_by(GuestSession.created_at.desc(), GuestSession.id.desc())
    ).first()


def _live_pass(now: datetime):
    return (
        AccessPass.revoked_at.is_(None),
        or_(AccessPass.expires_at.is_(None), AccessPass.expires_at > now),
        or_(AccessPass.credits_left.is_(None), AccessPass.credits_left > 0),
    )


def current_pass(session: Session, agent_id: int, contact_id: str) -> AccessPass | None:
    """The contact's live pass for the agent (the one ending last), or None."""
    now = utcnow()
    return session.exec(
        select(AccessPass)
        .where(AccessPass.agent_id == agent_id, AccessPass.contact_id == contact_id)
        .where(*_live_pass(now))
        .order_by(AccessPass.expires_at.desc(), AccessPass.id.desc())
    ).first()


def _ended_reason(session: Session, agent_id: int, contact_id: str) -> str:
    last = session.exec(
        select(AccessPass)
        .where(AccessPass.agent_id == agent_id, AccessPass.contact_id == contact_id)
        .order_by(AccessPass.starts_at.desc(), AccessPass.id.desc())
    ).first()
    if last is None:
        return ""
    if last.revoked_at is not None:
        return "refunded"
    if last.credits_left is not None and last.credits_left <= 0:
        return "used_up"
    return "expired"


def visitor_access(session: Session, agent: Agent, visitor_key: str) -> Access:
    if agent.visibility != "Public":
        return Access("private")
    if agent.access_mode not in (RESTRICT, PAID):
        return Access("open")
    guest = live_session(session, agent.id, visitor_key)
    contact = session.get(Contact, guest.contact_id) if guest is not None else None
    if contact is None or contact.agent_id != agent.id or contact.archived is not False:
        lost = guest is not None and agent.access_mode == RESTRICT
        return Access("sign_in" if agent.access_mode == RESTRICT else "paywall", lost=lost)
    who = {"contact_id": contact.id, "name": contact.name, "email": guest.email}
    if agent.access_mode == RESTRICT:
        if not rules.contact_allowed(agent, contact):
            return Access("sign_in", lost=True)
        return Access("open", **who)
    if contact.status == "Blocked":
        return Access("paywall")
    live = current_pass(session, agent.id, contact.id)
    if live is None:
        return Access("paywall", pass_ended=_ended_reason(session, agent.id, contact.id), **who)
    return Access(
        "open",
        pass_id=live.id,
        credits_left=live.credits_left,
        expires_at=live.expires_at,
        **who,
    )


def require_access(session: Session, agent: Agent, visitor_key: str) -> Access:
    """The visitor's access when they may chat; PermissionDenied (with what to do) if not."""
    access = visitor_access(session, agent, visitor_key)
    if access.state == "open":
        return access
    if access.state == "private":
        raise PermissionDenied(MSG_PRIVATE)
    if access.state == "sign_in":
        raise PermissionDenied(MSG_LOST if access.lost else MSG_SIGN_IN)
    raise PermissionDenied(MSG_PAY)


def spend_credit(session: Session, access: Access) -> None:
    """Use one message credit of the visitor's pass (no-op without a credit limit), or
    PermissionDenied when none is left: concurrent messages never spend more than there is."""
    if access.pass_id is None or access.credits_left is None:
        return
    now = utcnow()
    done = session.exec(
        update(AccessPass)
        .where(AccessPass.id == access.pass_id, AccessPass.credits_left > 0)
        .where(*_live_pass(now))
        .values(credits_left=AccessPass.credits_left - 1)
    )
    if done.rowcount != 1:
        raise PermissionDenied(MSG_PAY)
