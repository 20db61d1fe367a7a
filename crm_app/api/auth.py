"""Dashboard sign-in hand-off and sign-out: the only places the session cookie is set."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import PlainTextResponse, RedirectResponse

from crm_app import routes
from crm_app.api.deps import ClientIp, Db, from_our_pages
from crm_app.db import session_scope
from crm_app.services import audit, sessions
from crm_app.services.errors import NotAuthenticated
from crm_app.settings import get_settings

# The sign-in hand-off and sign-out are the dashboard's own: not a public API.
router = APIRouter(prefix=routes.API_AUTH, tags=["sign-in"])


def set_session_cookie(response: RedirectResponse, token: str) -> None:
    response.set_cookie(
        sessions.COOKIE_NAME,
        token,
        max_age=sessions.SESSION_DAYS * 86400,
        httponly=True,
        secure=get_settings().cookie_secure,
        samesite="lax",
        path="/",
    )


@router.get(routes.SIGN_IN_COMPLETE)
def complete_sign_in(request: Request, ip: ClientIp, ticket: str = "") -> RedirectResponse:
    try:
        # Its own unit of work: a refused ticket rolls back before the redirect is sent.
        with session_scope() as session:
            token, next_path, actor = sessions.redeem_ticket(
                session,
                ticket,
                ip=ip,
                user_agent=request.headers.get("user-agent", ""),
            )
            audit.record(session, actor, "Login", "Session", f"{actor.email} signed in")
    except NotAuthenticated:
        return RedirectResponse(routes.LOGIN + "?expired=1", status_code=303)
    response = RedirectResponse(next_path, status_code=303)
    set_session_cookie(response, token)
    return response


@router.post(routes.SIGN_OUT, response_model=None)
def sign_out(request: Request, session: Db, ip: ClientIp) -> RedirectResponse | PlainTextResponse:
    if not from_our_pages(request):
        return PlainTextResponse("Sign out from the app's own pages.", status_code=403)
    token = request.cookies.get(sessions.COOKIE_NAME)
    actor = sessions.resolve_session(session, token, ip=ip)
    if sessions.revoke_session(session, token) is not None and actor is not None:
        audit.record(session, actor, "Logout", "Session", f"{actor.email} signed out")
    response = RedirectResponse(routes.LOGIN, status_code=303)
    response.delete_cookie(sessions.COOKIE_NAME, path="/")
    return response
