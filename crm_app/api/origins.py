"""Only the app's own pages may call it with a member's cookies.

Browsers attach cookies to requests from any page of the same site, and every port of a
host is the same site, so a page elsewhere could otherwise read exports or drive the
websocket as the member. Reflex's CORS headers come from `cors_allowed_origins`
(rxconfig.py: CRM_BASE_URL and CRM_ALLOWED_ORIGINS); this middleware refuses foreign
origins outright — before any route runs, on HTTP and on the /_event websocket alike.
"""

from __future__ import annotations

from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from crm_app.services.network import origin_allowed

# Health checks say nothing about anyone and may be probed from anywhere.
OPEN_PATHS = ("/ping", "/_health")


def _origin(scope: Scope) -> str | None:
    for name, value in scope.get("headers", ()):
        if name == b"origin":
            return value.decode("latin-1")
    return None


class RefuseForeignOrigins:
    """Requests without an Origin header (navigations, same-origin GETs, servers) pass."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
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
