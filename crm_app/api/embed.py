"""The public chat page must work inside the widget's iframe even where the browser denies
that iframe its storage.

Chrome's Incognito windows (and any browser set to block third-party cookies) throw a
SecurityError on every `localStorage` / `sessionStorage` access in a third-party iframe.
Reflex's front end reads both while it starts, so the page would stay blank. For /a/<slug>
pages this layer puts a small script first in the page's <head>, before any of Reflex's: it
checks both storages and, where access is denied, puts an in-memory stand-in in its
place. The chat then works; the visitor is only not remembered after the page closes
(which is what such a browser asked for).

The page's HTML comes from Reflex's static files (precompressed, possibly sent by the
server straight from disk): for these paths the request asks for the plain file through
this layer, and the script is added to it.
"""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from crm_app import routes

GUARD = (
    "<script>(function(){function m(){var d={};return{getItem:function(k){"
    "return Object.prototype.hasOwnProperty.call(d,k)?d[k]:null},setItem:function(k,v){"
    "d[k]=String(v)},removeItem:function(k){delete d[k]},clear:function(){d={}},"
    "key:function(i){return Object.keys(d)[i]||null},get length(){return Object.keys(d).length}}}"
    "['localStorage','sessionStorage'].forEach(function(n){try{window[n].getItem('crm')}"
    "catch(e){try{Object.defineProperty(window,n,{value:m(),configurable:true})}catch(x){}}})})();"
    "</script>"
)
_GUARD = GUARD.encode()
_SKIP_REQUEST = {b"accept-encoding", b"range", b"if-range"}


class ChatPageStorageGuard:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope.get("method") not in ("GET", "HEAD")
            or not scope.get("path", "").startswith(routes.PUBLIC_CHAT_PREFIX)
        ):
            await self.app(scope, receive, send)
            return
        scope = dict(scope)
        scope["headers"] = [(k, v) for k, v in scope["headers"] if k not in _SKIP_REQUEST]
        # The file's bytes must pass through here (not a "send this path" shortcut).
        extensions = dict(scope.get("extensions") or {})
        extensions.pop("http.response.pathsend", None)
        scope["extensions"] = extensions
        start: Message | None = None
        chunks: list[bytes] = []

        async def inject(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                html = headers.get("content-type", "").startswith("text/html")
                if not html or "content-encoding" in headers or scope["method"] == "HEAD":
                    await send(message)
                    return
                start = message
                return
            if start is None:  # not an HTML page: passed through untouched
                await send(message)
                return
            chunks.append(message.get("body", b""))
            if message.get("more_body"):
                return
            body = b"".join(chunks)
            at = body.find(b"<head>")
            body = body[: at + 6] + _GUARD + body[at + 6 :] if at >= 0 else _GUARD + body
            headers = MutableHeaders(scope=start)
            headers["content-length"] = str(len(body))
            await send(start)
            await send({"type": "http.response.body", "body": body, "more_body": False})

        await self.app(scope, receive, inject)
