"""Request body limits for every HTTP route, counted while the body streams in.

A Content-Length over the limit is refused before anything is read. A body without one
(chunked) is counted chunk by chunk as the route reads it: once past the limit the route's
next read fails and the client gets 413, so a 40 MB chunked body costs at most the limit
plus one chunk, never the whole body in memory or on disk. This covers our routes (the
public form submission) and Reflex's own upload route, which spools whatever it is sent
(contact files and CSV imports come in there, so it gets their larger limit).

Why not FastAPI's `max_body_size` (Starlette's RequestBodyLimitMiddleware): it answers 413
too, but leaves the connection open, so the server goes on reading and discarding the rest
of the body — measured: all 40 MB of a chunked body were read for a 12 MB limit. This 413
says `Connection: close`, and the server stops reading (the client got to ~15 MB).
"""

from __future__ import annotations

import json

from reflex.constants import Endpoint
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from crm_app.services.csv_reader import MAX_BYTES as MAX_IMPORT_BYTES
from crm_app.services.files import MAX_FILE_BYTES

MB = 1024 * 1024
MAX_BODY_BYTES = 12 * MB  # a public form submission: answers and files of up to 10 MB
# Reflex's upload route (spooled to disk past 1 MB): a CSV import of up to 50 MB, or the
# contact page's drop of up to 10 files of 25 MB, plus the multipart framing.
MAX_UPLOAD_BYTES = max(MAX_IMPORT_BYTES, 10 * MAX_FILE_BYTES) + MB


class BodyTooLarge(Exception):
    """Raised from receive() once the body passed the route's limit."""


def _limit_for(path: str) -> int:
    return MAX_UPLOAD_BYTES if path == str(Endpoint.UPLOAD) else MAX_BODY_BYTES


def _declared_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers") or ():
        if name == b"content-length":
            return int(value) if value.isdigit() else None
    return None


async def _too_large(send: Send, limit: int) -> None:
    body = json.dumps(
        {"ok": False, "message": f"This request is too large (at most {limit // MB} MB)."}
    ).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
                (b"cache-control", b"no-store"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


class BodyLimit:
    """ASGI middleware: 413 for bodies over the route's limit, counted while streaming."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = _limit_for(scope["path"])
        declared = _declared_length(scope)
        if declared is not None and declared > limit:
            await _too_large(send, limit)
            return
        received = 0
        exceeded = replied = substituted = False

        async def counting_receive() -> Message:
            nonlocal received, exceeded
            if exceeded:
                raise BodyTooLarge()
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    exceeded = True
                    raise BodyTooLarge()
            return message

        async def guarded_send(message: Message) -> None:
            # Past the limit, whatever the route answers (an error it made of the failed read)
            # becomes the 413, unless it had already started answering.
            nonlocal replied, substituted
            if substituted:
                return
            if message["type"] == "http.response.start":
                if exceeded and not replied:
                    replied = substituted = True
                    await _too_large(send, limit)
                    return
                replied = True
            await send(message)

        try:
            await self.app(scope, counting_receive, guarded_send)
        except BodyTooLarge:
            if not replied:
                await _too_large(send, limit)
