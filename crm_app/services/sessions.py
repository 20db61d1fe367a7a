"""Dashboard sessions: server-side rows behind an opaque token kept in an HttpOnly cookie."""

from __future__ import annotations

from datetime import timedelta
from http.cookies import SimpleCookie

from sqlmodel import Session, select

from crm_app.models import AuthSession, Organization, SignInTicket, User, utcnow
from crm_app.services import principal
from crm_app.services.errors import NotAuthenticated, NotFound
from crm_app.services.principal import Principal
from crm_app.services.security import hash_secret, new_token

COOKIE_NAME = "crm_session"
SESSION_DAYS = 30


def create_session(
    session: Session, user: User, org_id: int, *, ip: str = "", user_agent: str = ""
) -> str:
    """Start a session and return its token (the only place the token exists in clear)."""
    token = new_token()
    session.add(
        AuthSession(
            token_hash=hash_secret(token),
            user_id=user.id,
            org_id=org_id,
            ip=ip[:64],
            user_agent=user_agent[:300],
            expires_at=utcnow() + timedelta(days=SESSION_DAYS),
        )
    )
    return token


def _live_row(session: Session, token: str | None) -> AuthSession | None:
    if not token:
        return None
    row = session.exec(
        select(AuthSession).where(AuthSession.token_hash == hash_secret(token))
    ).first()
    if row is None or row.revoked_at is not None or row.expires_at <= utcnow():
        return None
    return row


def resolve_session(session: Session, token: str | None, *, ip: str = "") -> Principal | None:
    """The signed-in member behind a token, or None (unknown, expired, revoked, removed)."""
    row = _live_row(session, token)
    if row is None:
        return None
    try:
        return principal.member(session, row.user_id, row.org_id, ip=ip)
    except NotFound:
        return None


def revoke_session(session: Session, token: str | None) -> AuthSession | None:
    row = _live_row(session, token)
    if row is not None:
        row.revoked_at = utcnow()
        session.add(row)
    return row


def org_name(session: Session, org_id: int) -> str:
    org = session.get(Organization, org_id)
    return org.name if org else ""


def token_from_cookie_header(cookie_header: str | None) -> str | None:
    if not cookie_header:
        return None
    jar = SimpleCookie()
    try:
        jar.load(cookie_header)
    except Exception:
        return None
    morsel = jar.get(COOKIE_NAME)
    return morsel.value if morsel else None


TICKET_SECONDS = 120


def issue_ticket(session: Session, user: User, org_id: int, next_path: str = "/") -> str:
    """A one-time ticket the browser trades at the sign-in route for its session cookie."""
    ticket = new_token()
    if not next_path.startswith("/") or next_path.startswith("//"):
        next_path = "/"
    session.add(
        SignInTicket(
            ticket_hash=hash_secret(ticket),
            user_id=user.id,
            org_id=org_id,
            next_path=next_path[:300],
            expires_at=utcnow() + timedelta(seconds=TICKET_SECONDS),
        )
    )
    return ticket


def redeem_ticket(
    session: Session, ticket: str, *, ip: str = "", user_agent: str = ""
) -> tuple[str, str, Principal]:
    """Trade a ticket for (session token, next path, actor); a ticket works once."""
    row = session.exec(
        select(SignInTicket).where(SignInTicket.ticket_hash == hash_secret(ticket or ""))
    ).first()
    if row is None or row.used_at is not None or row.expires_at <= utcnow():
        raise NotAuthenticated("This sign-in link has expired. Please sign in again.")
    row.used_at = utcnow()
    session.add(row)
    user = session.get(User, row.user_id)
    token = create_session(session, user, row.org_id, ip=ip, user_agent=user_agent)
    session.flush()
    actor = resolve_session(session, token, ip=ip)
    if actor is None:
        raise NotAuthenticated("You are no longer a member of this organization.")
    return token, row.next_path, actor
