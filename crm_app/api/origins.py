"""Only the app's own pages may call it with a member's cookies; the public chat and form
endpoints answer any site, without anyone's cookies.

Browsers attach cookies to requests from any page of the same site, and every port of a
host is the same site, so a page elsewhere could otherwise read exports or drive the
websocket as the member. Reflex's CORS headers come from `cors_allowed_origins`
(rxconfig.py: CRM_BASE_URL and CRM_ALLOWED_ORIGINS); this middleware refuses foreign
origins outright — before any route runs, on HTTP and on the /_event websocket alike.

The public endpoints (`PUBLIC`: the visitor chat API and a public form's questions and
submit) are meant to be called from the websites that embed them. For those the
middleware answers the CORS preflight itself, adds `Access-Control-Allow-Origin: *` (never
with credentials) and removes the Cookie header before the route sees the request, so a
visitor's request can never act with a member's session whatever page sent it.
"""

from __future__ import annotations

import re

from starlette.applications import Starlette
from starlette.datastructures import Headers, MutableHeaders
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.responses import PlainTextResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from crm_app.services.network import origin_allowed

# Health checks say nothing about anyone and may be probed from anywhere.
OPEN_PATHS = ("/ping", "/_health")
PUBLIC = re.compile(r"^/(?:widget\.js|api/public-chat/.*|api/forms/[a-z0-9-]{1,80}(?:/submit)?)$")
PUBLIC_METHODS = "GET, POST, OPTIONS"
PUBLIC_HEADERS = "Content-Type, X-Visitor-Token"


def _origin(scope: Scope) -> str | None:
    for name, value in scope.get("headers", ()):
        if name == b"origin":
            return value.decode("latin-1")
    return None


def is_public(path: str) -> bool:
    return bool(PUBLIC.match(path))


class RefuseForeignOrigins:
    """Requests without an Origin header (navigations, same-origin GETs, servers) pass."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and is_public(scope["path"]):
            await self._public(scope, receive, send)
            return
        if scope["type"] in ("http", "websocket") and scope["path"] not in OPEN_PATHS:
            origin = _origin(scope)
            if origin is not None and not origin_allowed(origin):
                if scope["type"] == "websocket":
                    await receive()  # websocket.connect; closing before accept answers 403
                    await send({"type": "websocket.close", "code": 1008})
                else:
                    await PlainTextResponse(
                        "Requests from other sites are not allowed.", status_code=403
                    )(scope, receive, send)
                return
        await self.app(scope, receive, send)

    async def _public(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = Headers(scope=scope)
        if scope["method"] == "OPTIONS" and "access-control-request-method" in headers:
            await Response(
                status_code=204,
                headers={
                    "Access-Control-Allow-Origin": "*",
                    "Access-Control-Allow-Methods": PUBLIC_METHODS,
                    "Access-Control-Allow-Headers": PUBLIC_HEADERS,
                    "Access-Control-Max-Age": "600",
                },
            )(scope, receive, send)
            return
        scope = dict(scope)
        scope["headers"] = [(k, v) for k, v in scope["headers"] if k != b"cookie"]

        async def send_with_cors(message: Message) -> None:
            if message["type"] == "http.response.start":
                out = MutableHeaders(scope=message)
                for name in ("access-control-allow-origin", "access-control-allow-credentials"):
                    del out[name]
                out["Access-Control-Allow-Origin"] = "*"
            await send(message)

        await self.app(scope, receive, send_with_cors)


class CorsExceptPublic:
    """Starlette's CORS middleware (the app's own origins, with credentials) for every route
    but the public ones, whose CORS `RefuseForeignOrigins` answers. Reflex puts its CORS
    middleware outside every transformer, where it would refuse other sites' preflights to
    the public endpoints; the app installs this class in its place (crm_app.py)."""

    def __init__(self, app: ASGIApp, **options) -> None:
        self.app = app
        self.cors = CORSMiddleware(app, **options)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and is_public(scope["path"]):
            await self.app(scope, receive, send)
        else:
            await self.cors(scope, receive, send)


def use_public_cors(app: Starlette) -> None:
    """Swap the CORS middleware Reflex added to `app` for CorsExceptPublic (same options).
    Starlette builds its middleware stack on the first request, so this runs before it."""
    app.user_middleware = [
        Middleware(CorsExceptPublic, *m.args, **m.kwargs) if m.cls is CORSMiddleware else m
        for m in app.user_middleware
    ]
