"""The storage guard put first in the chat page's <head> (api/embed.py)."""

from __future__ import annotations

import asyncio

from starlette.responses import FileResponse

from crm_app.api.embed import GUARD, ChatPageStorageGuard

PAGE = b'<!DOCTYPE html><html lang="en"><head><meta charSet="utf-8"/></head><body></body></html>'


def _call(app, path: str, *, pathsend: bool = True, method: str = "GET"):
    scope = {
        "type": "http",
        "method": method,
        "path": path,
        "headers": [(b"accept-encoding", b"gzip, br"), (b"range", b"bytes=0-10")],
        "extensions": {"http.response.pathsend": {}} if pathsend else {},
        "query_string": b"",
        "asgi": {"version": "3.0", "spec_version": "2.4"},
    }
    sent = []

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message):
        sent.append(message)

    asyncio.run(app(scope, receive, send))
    return scope, sent


def test_the_guard_comes_first_in_head_even_when_the_server_would_send_the_file_itself(tmp_path):
    page = tmp_path / "index.html"
    page.write_bytes(PAGE)
    seen = {}

    async def static(scope, receive, send):
        seen.update(scope)
        await FileResponse(page, media_type="text/html; charset=utf-8")(scope, receive, send)

    _, sent = _call(ChatPageStorageGuard(static), "/a/front-desk")
    assert "http.response.pathsend" not in seen["extensions"]
    assert all(k not in (b"accept-encoding", b"range") for k, _ in seen["headers"])
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    assert body.startswith(b'<!DOCTYPE html><html lang="en"><head>' + GUARD.encode() + b"<meta")
    length = dict(sent[0]["headers"])[b"content-length"]
    assert int(length) == len(body)


def test_other_paths_and_files_pass_untouched(tmp_path):
    page = tmp_path / "index.html"
    page.write_bytes(PAGE)

    async def static(scope, receive, send):
        await FileResponse(page, media_type="text/html")(scope, receive, send)

    scope, sent = _call(ChatPageStorageGuard(static), "/agents", pathsend=False)
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    # (the Range header reached the file server and was honoured)
    assert body == PAGE[:11] and any(k == b"accept-encoding" for k, _ in scope["headers"])
