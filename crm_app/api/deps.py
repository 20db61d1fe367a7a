"""What the HTTP routes share: a database session per request, who is asking (the signed-in
member from the session cookie), the client's address, and the JSON envelope every typed
service error (services/errors.py) is answered with."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Annotated

from fastapi import Depends, Request
from fastapi.responses import FileResponse, JSONResponse
from sqlmodel import Session

from crm_app.api.schemas import ErrorEnvelope
from crm_app.db import session_scope
from crm_app.services import sessions
from crm_app.services.errors import NotAuthenticated, ServiceError, ValidationError
from crm_app.services.network import origin_allowed
from crm_app.services.principal import Principal
from crm_app.settings import get_settings, origin_of

NO_STORE = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"}


def client_ip(request: Request) -> str:
    """The visitor's address: the connection's peer, or — behind CRM_TRUSTED_PROXY_HOPS
    reverse proxies — the address the outermost trusted proxy saw in X-Forwarded-For (the
    rule Reflex applies to dashboard events with the same setting). Without trusted
    proxies the header is ignored: any client can write it."""
    peer = request.client.host if request.client else ""
    hops = get_settings().trusted_proxy_hops
    if hops:
        forwarded = [
            ip.strip() for ip in request.headers.get("x-forwarded-for", "").split(",") if ip.strip()
        ]
        if len(forwarded) >= hops:
            return forwarded[-hops][:64]
    return peer


ClientIp = Annotated[str, Depends(client_ip)]


def from_our_pages(request: Request) -> bool:
    """A state-changing browser request (CSRF check): its Origin — or, when a browser
    leaves that out, its Referer — is the app's own. Browsers send one of them with
    every POST; a request carrying neither is refused."""
    origin = request.headers.get("origin") or origin_of(request.headers.get("referer") or "")
    return origin_allowed(origin)


def iso_date(raw: str | None, name: str) -> date | None:
    """A YYYY-MM-DD query parameter (None when empty); a ValidationError naming it otherwise."""
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise ValidationError(f"'{raw[:20]}' is not a date (use YYYY-MM-DD).", field=name) from None


def private_attachment(path: Path, filename: str, content_type: str) -> FileResponse:
    """A stored file sent as a download that no cache keeps and no browser renders."""
    return FileResponse(
        path,
        media_type=content_type,
        filename=filename,
        content_disposition_type="attachment",
        headers={
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "private, no-store",
            "Content-Security-Policy": "default-src 'none'; sandbox",
        },
    )


# ---------------------------------------------------------------- database sessions


def _session() -> Iterator[Session]:
    with session_scope() as session:
        yield session


def _snapshot() -> Iterator[Session]:
    with session_scope(read_only=True) as session:
        yield session


# scope="function": the transaction commits (or rolls back on an error) before the response
# is sent, so a client never sees a success its data does not have.
Db = Annotated[Session, Depends(_session, scope="function")]
DbSnapshot = Annotated[Session, Depends(_snapshot, scope="function")]  # reads, no write lock


# ---------------------------------------------------------------- who is asking


def signed_in_member(
    session: Session, request: Request, message: str = "Please sign in again."
) -> Principal:
    """The member behind the request's session cookie, checked on every request."""
    member = sessions.resolve_session(
        session, request.cookies.get(sessions.COOKIE_NAME), ip=client_ip(request)
    )
    if member is None:
        raise NotAuthenticated(message)
    return member


class SignedIn:
    """Dependency: the signed-in member as the route's principal; 401 with `message` when
    there is none. Resolved in the route's own session."""

    def __init__(self, message: str = "Please sign in again."):
        self.message = message

    def __call__(self, request: Request, session: Db) -> Principal:
        return signed_in_member(session, request, self.message)


class SignedInReading(SignedIn):
    """The same, for routes that only read (their session is a snapshot)."""

    def __call__(self, request: Request, session: DbSnapshot) -> Principal:
        return signed_in_member(session, request, self.message)


Member = Annotated[Principal, Depends(SignedIn())]


# ---------------------------------------------------------------- errors


def error_response(exc: ServiceError) -> JSONResponse:
    """The JSON envelope: {"error": {"message": ..., "field": ...}}, the field only when one
    input is at fault."""
    body = ErrorEnvelope.of(exc.message, exc.field).model_dump(exclude_none=True)
    return JSONResponse(body, status_code=exc.status, headers=NO_STORE)


async def service_error_handler(_request: Request, exc: ServiceError) -> JSONResponse:
    """The app's one handler for typed service errors raised by any route."""
    return error_response(exc)


ERRORS = {status: {"model": ErrorEnvelope} for status in (401, 403, 404, 409, 422, 429)}
