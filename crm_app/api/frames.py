"""Which of our pages other sites may show in a frame.

The public chat (/a/<slug>, the widget's iframe) and the public form (/f/<slug>) may be
framed by any site. Every other response says it may not (X-Frame-Options for old
browsers, CSP frame-ancestors for the rest), so no site can frame the dashboard to trick a
member into clicking in it. This wraps the whole app on its single port, so it covers the
pages' HTML (served by Reflex's static mount in production), the API and the assets.
With `reflex run` in development the pages come from the separate front-end dev server,
which this does not see.
"""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from crm_app import routes

FRAMEABLE = (routes.PUBLIC_CHAT_PREFIX, "/f/", routes.WIDGET_JS)


def frameable(path: str) -> bool:
    return path.startswith(FRAMEABLE)


class FrameGuard:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or frameable(scope.get("path", "")):
            await self.app(scope, receive, send)
            return

        async def guarded(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.setdefault("X-Frame-Options", "DENY")
                csp = headers.get("content-security-policy")
                if csp is None:
                    headers["Content-Security-Policy"] = "frame-ancestors 'none'"
                elif "frame-ancestors" not in csp:
                    headers["Content-Security-Policy"] = csp + "; frame-ancestors 'none'"
            await send(message)

        await self.app(scope, receive, guarded)
