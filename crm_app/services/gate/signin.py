"""Restrict sign-in: a visitor proves an email address with a 6-digit code and, when that
address is an allowed contact of the agent, gets a guest session for the agent.

- `send_code` emails a code only to an allowed contact (Restrict: the contact with that
  email passes the agent's rule; Pay for Access: a contact that ever had a pass, so a
  returning buyer can sign in and renew). Nobody can learn from this screen who is a
  contact: not from the answer, and not from its time. The request does exactly the same
  work for every address — services/auth.request_code with `deliver=False` records a code
  row that cannot match yet, and a job is queued after commit — and the job
  (`deliver_code`, on the worker) decides: for an allowed contact it gives the row a fresh
  code's hash and emails that code; for anyone else it leaves the row unmatchable and
  sends nothing. (Deciding in the request made a contact's answer ~4 ms slower on SQLite:
  the email row and its queued job; bench/bench_gate_signin.py measures both paths.)
  The limits are request_code's: 5 codes per address and purpose per 15 minutes,
  CRM_SIGN_IN_CODES_PER_IP per address of the network; and a new code for the same
  address only 60 seconds after the last (`Resend in…`).
- `verify` checks the code (services/auth.verify_code: hashed, 10 minutes, 5 guesses, once;
  30 wrong codes per network address per 15 minutes) and opens a `GuestSession` of 30 days
  for the visitor key. A wrong guess is committed before the error is raised, so the
  caller must call `verify` before it writes anything else.
- `sign_in_verified_email` opens the same session for an address an identity provider
  verified ("Continue with Google" on the chat page, api/gate_oidc.py), under the same
  rule as send_code; no code, no email.
- `sign_out` ends the visitor's session with the agent. The page also forgets the visitor
  token (a new one replaces it), so the next person on that browser starts afresh.

The purpose of an agent's codes is "agent:<id>": a code for one agent never signs in to
another agent or to the dashboard.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update
from sqlmodel import Session, select

from crm_app.jobs.queue import after_commit
from crm_app.models import AccessPass, Agent, Contact, GuestSession, LoginCode, utcnow
from crm_app.services import auth
from crm_app.services.chat.visitors import is_visitor_key
from crm_app.services.email import send_email
from crm_app.services.errors import NotFound, PermissionDenied, RateLimited
from crm_app.services.gate import rules
from crm_app.services.gate.access import PAID, RESTRICT
from crm_app.services.security import hash_secret, new_code

SESSION_DAYS = 30
CODE_MINUTES = auth.CODE_MINUTES
RESEND_SECONDS = auth.RESEND_SECONDS

MSG_NOT_GATED = "This chatbot is open to everyone: no sign-in is needed."
MSG_PRIVATE = "This agent is private."
MSG_NOT_ALLOWED = "Only people added to this agent's CRM can use this chatbot."
MSG_BAD_VISITOR = "This chat session is not valid. Please reload the page."
MSG_WAIT = "A code was just sent. Please wait a minute before asking for another one."
DELIVER_TASK = "gate.deliver_code"


def purpose_for(agent: Agent) -> str:
    return f"agent:{agent.id}"


def _gated(agent: Agent) -> None:
    if agent.visibility != "Public":
        raise PermissionDenied(MSG_PRIVATE)
    if agent.access_mode not in (RESTRICT, PAID):
        raise PermissionDenied(MSG_NOT_GATED)


def allowed_contact(session: Session, agent: Agent, email: str) -> Contact | None:
    """The agent's contact with this (normalized) email when it may sign in, else None."""
    contact = session.exec(
        select(Contact).where(Contact.agent_id == agent.id, Contact.email == email)
    ).first()
    if contact is None:
        return None
    if agent.access_mode == RESTRICT:
        return contact if rules.contact_allowed(agent, contact) else None
    if contact.archived is not False or contact.status == "Blocked":
        return None
    bought = session.exec(
        select(AccessPass.id).where(
            AccessPass.agent_id == agent.id, AccessPass.contact_id == contact.id
        )
    ).first()
    return contact if bought is not None else None


def send_code(session: Session, agent: Agent, email: str, ip: str = "") -> str:
    """Email a sign-in code when `email` is an allowed contact; the same answer (the
    normalized address) and the same work otherwise, minus the email."""
    _gated(agent)
    email = auth.normalize_email(email)
    last = session.exec(
        select(LoginCode.created_at)
        .where(LoginCode.email == email, LoginCode.purpose == purpose_for(agent))
        .order_by(LoginCode.created_at.desc())
    ).first()
    if last is not None and utcnow() - last < timedelta(seconds=RESEND_SECONDS):
        raise RateLimited(MSG_WAIT, field="email")
    auth.request_code(session, email, purpose=purpose_for(agent), ip=ip, deliver=False)
    row_id = session.exec(
        select(LoginCode.id)
        .where(LoginCode.email == email, LoginCode.purpose == purpose_for(agent))
        .order_by(LoginCode.created_at.desc(), LoginCode.id.desc())
    ).first()
    after_commit(session, DELIVER_TASK, row_id, agent.id)
    return email


def deliver_code(session: Session, code_id: int, agent_id: int) -> bool:
    """The worker's half of send_code: when the code row's address is an allowed contact of
    the agent (checked now), give the row a fresh code and email it; True if emailed."""
    row = session.get(LoginCode, code_id)
    agent = session.get(Agent, agent_id)
    if (
        row is None
        or agent is None
        or row.purpose != purpose_for(agent)
        or row.code_hash is not None
        or row.used_at is not None
        or row.expires_at <= utcnow()
        or agent.visibility != "Public"
        or agent.access_mode not in (RESTRICT, PAID)
        or allowed_contact(session, agent, row.email) is None
    ):
        return False
    code = new_code()
    row.code_hash = hash_secret(code)
    session.add(row)
    send_email(
        session,
        row.email,
        f"{code} is your {agent.name} chat code",
        f"Use this code to sign in to the chat with {agent.name}.\n\n"
        f"Your one-time code is {code}\n\n"
        f"It expires in {CODE_MINUTES} minutes and works once. "
        "If you did not ask for it, you can ignore this email.",
        hide=(code,),
    )
    return True


def verify(
    session: Session, agent: Agent, visitor_key: str, email: str, code: str, ip: str = ""
) -> GuestSession:
    """The visitor's new guest session once the code checks out, or the code's error
    (wrong, expired, "Too many attempts. Please request a new code.", rate limited)."""
    _gated(agent)
    if not is_visitor_key(visitor_key):
        raise NotFound(MSG_BAD_VISITOR)
    email = auth.normalize_email(email)
    auth.verify_code(session, email, code, purpose=purpose_for(agent), ip=ip)
    contact = allowed_contact(session, agent, email)
    if contact is None:  # moved out of the rule since the code was sent
        raise PermissionDenied(MSG_NOT_ALLOWED)
    return _open_session(session, agent, visitor_key, contact, email, "code")


def sign_in_verified_email(
    session: Session, agent: Agent, visitor_key: str, email: str, via: str = "google"
) -> GuestSession:
    """A guest session for an address someone else has verified (the ID token of
    "Continue with Google", email_verified checked by the caller), when it is an allowed
    contact (the same rule as send_code); PermissionDenied otherwise. The caller shows the
    same message either way, so the answer does not tell who is a contact."""
    _gated(agent)
    if not is_visitor_key(visitor_key):
        raise NotFound(MSG_BAD_VISITOR)
    email = auth.normalize_email(email)
    contact = allowed_contact(session, agent, email)
    if contact is None:
        raise PermissionDenied(MSG_NOT_ALLOWED)
    return _open_session(session, agent, visitor_key, contact, email, via)


def _open_session(
    session: Session, agent: Agent, visitor_key: str, contact: Contact, email: str, via: str
) -> GuestSession:
    """End the visitor's live session with the agent and open a new one of SESSION_DAYS."""
    now = utcnow()
    _end(session, agent.id, visitor_key, now)
    guest = GuestSession(
        agent_id=agent.id,
        visitor_id=visitor_key,
        contact_id=contact.id,
        email=email,
        via=via,
        created_at=now,
        expires_at=now + timedelta(days=SESSION_DAYS),
    )
    session.add(guest)
    session.flush()
    return guest


def sign_out(session: Session, agent: Agent, visitor_key: str) -> int:
    """End the visitor's live session(s) with the agent; how many were ended."""
    if not is_visitor_key(visitor_key):
        return 0
    return _end(session, agent.id, visitor_key, utcnow())


def _end(session: Session, agent_id: int, visitor_key: str, now) -> int:
    done = session.exec(
        update(GuestSession)
        .where(
            GuestSession.agent_id == agent_id,
            GuestSession.visitor_id == visitor_key,
            GuestSession.ended_at.is_(None),
        )
        .values(ended_at=now)
        .execution_options(synchronize_session=False)
    )
    return done.rowcount or 0
