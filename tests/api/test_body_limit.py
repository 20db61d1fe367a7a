"""Request bodies are counted while they stream in (crm_app/api/body_limit.py): a chunked body
without Content-Length is cut off with 413 once it passes the limit, instead of being read
whole first. Driven at the ASGI level so the test sees exactly how many bytes the app pulled.
Reflex's upload route is mounted inside our API the way rx.App(api_transformer=...) does it;
here a stand-in reads the body the way Reflex's buffered upload does (request.form())."""

from __future__ import annotations

import anyio
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from crm_app.api import body_limit, build_api
from crm_app.api.body_limit import MAX_BODY_BYTES, MAX_UPLOAD_BYTES

CHUNK = 64 * 1024


async def _upload_stand_in(request: Request):
    form = await request.form()
    sizes = {
        name: len(await value.read()) for name, value in form.items() if hasattr(value, "read")
    }
    return JSONResponse({"sizes": sizes})


def _app():
    api = build_api()
    api.mount("", Starlette(routes=[Route("/_upload", _upload_stand_in, methods=["POST"])]))
    return api


def _send(
    path: str,
    total: int,
    *,
    content_type: str,
    prefix: bytes = b"",
    suffix: bytes = b"",
    content_length: bool = False,
) -> tuple[int, int, bytes]:
    """POST a `total`-byte body in CHUNK pieces (chunked unless `content_length`); returns
    (status, bytes the app pulled from receive(), response body)."""
    pulled = 0
    sent: list[dict] = []
    filler = total - len(prefix) - len(suffix)

    def pieces():
        yield prefix
        left = filler
        while left > 0:
            n = min(CHUNK, left)
            yield b"x" * n
            left -= n
        yield suffix

    stream = pieces()
    headers = [(b"content-type", content_type.encode()), (b"host", b"testserver")]
    headers.append(
        (b"content-length", str(total).encode())
        if content_length
        else (b"transfer-encoding", b"chunked")
    )
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": b"",
        "headers": headers,
        "client": ("203.0.113.7", 5000),
        "server": ("testserver", 80),
    }
    done = False

    async def receive():
        nonlocal pulled, done
        if done:
            await anyio.sleep_forever()
        try:
            body = next(stream)
        except StopIteration:
            done = True
            return {"type": "http.request", "body": b"", "more_body": False}
        pulled += len(body)
        return {"type": "http.request", "body": body, "more_body": True}

    async def send(message):
        sent.append(message)

    async def run():
        await _app()(scope, receive, send)

    anyio.run(run)
    status = next(m["status"] for m in sent if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return status, pulled, body


FORTY_MB = 40 * 1024 * 1024


@pytest.mark.parametrize("content_type", ["application/json", "multipart/form-data; boundary=b"])
def test_a_40_mb_chunked_form_submission_is_cut_off_at_the_limit(db_env, content_type):
    prefix = (
        b'--b\r\nContent-Disposition: form-data; name="letter"; filename="a.pdf"\r\n\r\n'
        if content_type.startswith("multipart")
        else b""
    )
    status, pulled, body = _send(
        "/api/forms/some-form/submit", FORTY_MB, content_type=content_type, prefix=prefix
    )
    assert status == 413 and b"too large" in body
    assert MAX_BODY_BYTES < pulled <= MAX_BODY_BYTES + CHUNK  # not the 40 MB


def test_a_declared_length_over_the_limit_is_refused_before_reading(db_env):
    status, pulled, _ = _send(
        "/api/forms/some-form/submit",
        FORTY_MB,
        content_type="application/json",
        content_length=True,
    )
    assert status == 413 and pulled == 0


def test_reflex_upload_route_has_its_own_limit_counted_while_streaming(monkeypatch):
    head = b'--b\r\nContent-Disposition: form-data; name="files"; filename="contacts.csv"\r\n\r\n'
    tail = b"\r\n--b--\r\n"
    # Over the form limit but within the upload limit (imports, several contact files): accepted whole.
    status, pulled, body = _send(
        "/_upload",
        13 * 1024 * 1024,
        content_type="multipart/form-data; boundary=b",
        prefix=head,
        suffix=tail,
    )
    assert MAX_UPLOAD_BYTES > 13 * 1024 * 1024
    assert status == 200 and pulled == 13 * 1024 * 1024
    monkeypatch.setattr(
        body_limit, "MAX_UPLOAD_BYTES", 20 * 1024 * 1024
    )  # instead of streaming 251 MB
    status, pulled, _ = _send(
        "/_upload",
        FORTY_MB,
        content_type="multipart/form-data; boundary=b",
        prefix=head,
        suffix=tail,
    )
    assert status == 413 and 20 * 1024 * 1024 < pulled <= 20 * 1024 * 1024 + CHUNK
