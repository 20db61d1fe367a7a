"""What every dashboard HTTP route needs: who is asking (from the session cookie), the
client's address, and the JSON error envelope for service errors."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import JSONResponse
from sqlmodel import Session

from crm_app.services import sessions
from crm_app.services.access import Actor
from crm_app.services.errors import NotAuthenticated, ServiceError
from crm_app.services.network import origin_allowed
from crm_app.settings import get_settings, origin_of


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


def from_our_pages(request: Request) -> bool:
    """A state-changing browser request (CSRF check): its Origin — or, when a browser
    leaves that out, its Referer — is the app's own. Browsers send one of them with
    every POST; a request carrying neither is refused."""
    origin = request.headers.get("origin") or origin_of(request.headers.get("referer") or "")
    return origin_allowed(origin)


def signed_in_member(
    session: Session, request: Request, message: str = "Please sign in again."
) -> Actor:
    """The member behind the request's session cookie, checked on every request."""
    actor = sessions.resolve_session(
        session, request.cookies.get(sessions.COOKIE_NAME), ip=client_ip(request)
    )
    if actor is None:
        raise NotAuthenticated(message)
    return actor


def error_response(exc: ServiceError, headers: dict | None = None) -> JSONResponse:
    return JSONResponse(
        {"error": {"message": exc.message, "field": exc.field}},
        status_code=exc.status,
        headers=headers,
    )
