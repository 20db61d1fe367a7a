"""The body limit and malformed-input answers on the real app (Reflex serving our API and its
own upload route on one port), over real HTTP: a chunked body is cut off while streaming, a
declared oversize upload is refused before it is sent, bad JSON is a 4xx."""

from __future__ import annotations

import socket
from urllib.parse import urlsplit

import httpx

from crm_app.api.body_limit import MAX_BODY_BYTES


def _chunks(total: int, sent: list[int]):
    chunk = b"x" * 65536
    while sent[0] < total:
        sent[0] += len(chunk)
        yield chunk


def test_a_40_mb_chunked_submission_gets_413_at_the_limit(live_app):
    sent = [0]
    try:
        response = httpx.post(
            live_app.url("/api/forms/any-form/submit"),
            content=_chunks(40 * 1024 * 1024, sent),
            headers={"content-type": "application/json"},
            timeout=60,
        )
    except httpx.HTTPError:  # the server may close the connection while the client still sends
        response = None
    if response is not None:
        assert response.status_code == 413 and "too large" in response.json()["message"]
    assert sent[0] < 40 * 1024 * 1024  # the server stopped reading long before the end
    assert sent[0] >= MAX_BODY_BYTES // 2


def test_reflex_upload_route_refuses_a_declared_oversize_body_before_it_is_sent(live_app):
    """Headers only (a raw socket: HTTP clients refuse to declare more than they send)."""
    url = urlsplit(live_app.base_url)
    with socket.create_connection((url.hostname, url.port), timeout=30) as conn:
        conn.sendall(
            (
                f"POST /_upload HTTP/1.1\r\nHost: {url.netloc}\r\n"
                "Content-Type: multipart/form-data; boundary=b\r\nreflex-client-token: t\r\n"
                "reflex-event-handler: state.app_state.contact_detail_state.upload_files\r\n"
                f"Content-Length: {400 * 1024 * 1024}\r\n\r\n"
            ).encode()
        )
        status_line = conn.makefile("rb").readline()
    assert status_line.split()[1] == b"413"


def test_malformed_json_gets_a_4xx(live_app):
    deep = "[" * 10_000 + "]" * 10_000
    for body in ('{"answers": ' + deep + "}", '{"answers": {"name": "\\ud800"}}', "{", "[]"):
        response = httpx.post(
            live_app.url("/api/forms/any-form/submit"),
            content=body.encode(),
            headers={"content-type": "application/json"},
            timeout=30,
        )
        assert 400 <= response.status_code < 500, (body[:40], response.status_code)
