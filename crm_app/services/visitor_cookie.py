"""The chat visitor's identity on the public page /a/<slug>: an opaque token (made by
services/chat/visitors.new_visitor_token) in an HttpOnly cookie.

A page event cannot set an HttpOnly cookie, so the chat state hands the browser a
short-lived signed ticket naming the token, and the browser trades it at
POST /api/chat/visitor (api/chat.py), which sets the cookie. Later visits read the cookie
from the page's websocket headers. Only the token's hash (visitor key) is stored.

Inside the widget's iframe on another site, browsers block third-party cookies: there the
token lives in the iframe's own localStorage instead (state/chat/public.py)."""

from __future__ import annotations

from http.cookies import SimpleCookie

from crm_app.services.security import sign, unsign

COOKIE_NAME = "crm_chat_visitor"
COOKIE_DAYS = 365
TICKET_SECONDS = 120
_PURPOSE = "chat-visitor-cookie"


def issue_ticket(token: str) -> str:
    return sign(_PURPOSE, token)


def redeem_ticket(ticket) -> str | None:
    """The token a ticket names, if it is ours and younger than TICKET_SECONDS."""
    return unsign(_PURPOSE, ticket, TICKET_SECONDS)


def token_from_cookie_header(cookie_header: str | None) -> str:
    if not cookie_header:
        return ""
    jar = SimpleCookie()
    try:
        jar.load(cookie_header)
    except Exception:
        return ""
    morsel = jar.get(COOKIE_NAME)
    return morsel.value if morsel else ""
