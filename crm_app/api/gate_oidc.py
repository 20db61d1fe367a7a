""" "Continue with Google" for visitors of a Restrict or Pay for Access agent: the members'
OpenID Connect flow (api/oidc.py: state, nonce, PKCE, signed flow cookie, ID token checked
against the provider's keys) with its own callback and cookie, ending in a guest session
for the verified address when it is an allowed contact (services/gate/signin.py
`sign_in_verified_email`, the same rule as the emailed code).

GET /api/chat/{slug}/oidc/login   from the agent's own page /a/<slug> (never the widget's
    iframe: providers refuse to be framed). Needs the page's visitor cookie
    (services/visitor_cookie.py); its key is sealed into the flow.
GET /api/chat/oidc/callback       the provider's redirect (register
    <CRM_BASE_URL>/api/chat/oidc/callback beside the members' callback). The visitor cookie
    must still carry the key the flow started with, and the ID token must say
    `email_verified`.

Success and failure both go back to /a/<slug>: the page then asks services/gate as usual.
Every failure — no cookie, the provider refused, an unverified address, an address that is
not an allowed contact — gets the same `?signin=google_failed`, so the answer does not tell
who is a contact.
"""

from __future__ import annotations

import logging
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse

from crm_app import routes
from crm_app.api import oidc
from crm_app.db import session_scope
from crm_app.models import Agent
from crm_app.services import visitor_cookie
from crm_app.services.chat import visitors
from crm_app.services.errors import ServiceError
from crm_app.services.gate import signin

log = logging.getLogger("crm.oidc")
router = APIRouter(prefix=routes.API_CHAT, tags=["chat"])

VISITORS = oidc.Flow(
    "visitor", routes.API_CHAT_OIDC_CALLBACK, "crm_chat_oidc", routes.API_CHAT_OIDC
)
FAILED = "google_failed"  # the page's ?signin=… (state/chat/gate.py words it)


def _page(slug: str, failed: bool) -> RedirectResponse:
    url = routes.PUBLIC_CHAT_PREFIX + quote(slug, safe="")
    if failed:
        url += "?" + urlencode({"signin": FAILED})
    return oidc.end_flow(RedirectResponse(url, status_code=303), VISITORS)


def _visitor_key(request: Request) -> str:
    token = visitor_cookie.token_from_cookie_header(request.headers.get("cookie"))
    return visitors.visitor_key(token) if visitors.valid_token(token) else ""


def _verified(claims: dict) -> bool:
    flag = claims.get("email_verified")
    return flag is True or (isinstance(flag, str) and flag.strip().lower() == "true")


@router.get(routes.CHAT_OIDC_LOGIN)
def visitor_oidc_login(slug: str, request: Request) -> RedirectResponse:
    try:
        with session_scope(read_only=True) as session:
            agent = visitors.public_agent(session, slug)
    except ServiceError:
        return RedirectResponse(routes.PUBLIC_CHAT_PREFIX + quote(slug, safe=""), 303)
    key = _visitor_key(request)
    if not key or not agent.available or not agent.gate:
        return _page(agent.slug, failed=True)
    try:
        return oidc.start_flow(VISITORS, {"slug": agent.slug, "visitor": key})
    except oidc.OIDCFailure as failure:
        log.warning("visitor OIDC login (%s): %s", agent.slug, failure)
        return _page(agent.slug, failed=True)


@router.get(routes.CHAT_OIDC_CALLBACK)
def visitor_oidc_callback(
    request: Request, code: str = "", state: str = "", error: str = ""
) -> RedirectResponse:
    try:
        claims, sealed = oidc.finish_flow(VISITORS, request, code=code, state=state, error=error)
    except oidc.OIDCFailure as failure:
        log.warning("visitor OIDC callback refused: %s", failure)
        # The slug is known only from a flow cookie we sealed; without one, the home page.
        slug = _sealed_slug(request)
        return (
            _page(slug, failed=True)
            if slug
            else oidc.end_flow(RedirectResponse(routes.HOME, status_code=303), VISITORS)
        )
    slug = str(sealed.get("slug") or "")
    key = _visitor_key(request)
    if not key or key != sealed.get("visitor"):
        log.warning("visitor OIDC callback (%s): visitor cookie changed or missing", slug)
        return _page(slug, failed=True)
    if not _verified(claims):
        log.warning("visitor OIDC callback (%s): email not verified", slug)
        return _page(slug, failed=True)
    try:
        with session_scope() as session:
            found = visitors.public_agent(session, slug)
            agent = session.get(Agent, found.id)
            signin.sign_in_verified_email(session, agent, key, claims.get("email"), via="google")
    except ServiceError as failure:
        log.info("visitor OIDC sign-in refused (%s): %s", slug, failure.message)
        return _page(slug, failed=True)
    return _page(slug, failed=False)


def _sealed_slug(request: Request) -> str:
    """The slug of this browser's flow cookie when we sealed it (expired or not matching
    the state), to send the visitor back to the right page."""
    try:
        sealed = oidc.open_flow_cookie(request.cookies.get(VISITORS.cookie))
    except oidc.OIDCFailure:
        return ""
    return str(sealed.get("slug") or "") if sealed.get("purpose") == VISITORS.purpose else ""
