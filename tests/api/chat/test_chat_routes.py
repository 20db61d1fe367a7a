"""The public chat's HTTP side through the whole ASGI app: the visitor cookie hand-off (our
pages only), /widget.js for any site, and which responses may be framed."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from crm_app.services import security, visitor_cookie
from crm_app.services.security import new_token

OWN = "http://localhost:3000"  # CRM_BASE_URL's default


@pytest.fixture()
def client(asgi_app, db_env):
    with TestClient(asgi_app, base_url=OWN) as c:
        yield c


def test_a_signed_ticket_from_our_page_sets_the_httponly_cookie(client):
    token = new_token()
    response = client.post(
        "/api/chat/visitor",
        json={"ticket": visitor_cookie.issue_ticket(token)},
        headers={"Origin": OWN},
    )
    assert response.status_code == 204
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(f"{visitor_cookie.COOKIE_NAME}={token};")
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Path=/" in cookie
    assert "Secure" not in cookie  # http://localhost: CRM_COOKIE_SECURE defaults off


@pytest.mark.parametrize(
    "ticket",
    [
        "",
        "made-up",
        new_token() + ".1.abc",
        security.sign("another-purpose", new_token()),
        security.sign("chat-visitor-cookie", new_token(), now=1_000_000),  # long expired
    ],
    # Fixed ids: the tickets are random, and pytest-xdist's workers must collect the same names.
    ids=["empty", "made-up", "unsigned", "other-purpose", "expired"],
)
def test_forged_or_stale_tickets_set_nothing(client, ticket):
    response = client.post("/api/chat/visitor", json={"ticket": ticket}, headers={"Origin": OWN})
    assert response.status_code == 400 and "set-cookie" not in response.headers


@pytest.mark.parametrize("origin", ["https://evil.example", "http://localhost:8000", None])
def test_other_sites_cannot_set_a_visitors_cookie(client, origin):
    headers = {"Origin": origin} if origin else {}
    response = client.post(
        "/api/chat/visitor",
        json={"ticket": visitor_cookie.issue_ticket(new_token())},
        headers=headers,
    )
    assert response.status_code == 403 and "set-cookie" not in response.headers


@pytest.mark.parametrize("origin", [None, "https://clinic.example"])
def test_any_site_loads_the_widget_script(client, origin):
    response = client.get("/widget.js", headers={"Origin": origin} if origin else {})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/javascript")
    assert "max-age" in response.headers["cache-control"]
    assert "data-agent" in response.text and "?embed=1&close=1" in response.text
    assert "x-frame-options" not in response.headers


def test_only_public_pages_are_frameable(client):
    assert client.get("/ping").headers["x-frame-options"] == "DENY"
    assert "frame-ancestors 'none'" in client.get("/ping").headers["content-security-policy"]
    export = client.get("/api/agents/1/contacts/export")
    assert export.headers["x-frame-options"] == "DENY"
    for path in ("/a/front-desk", "/a/front-desk?embed=1", "/f/intake"):
        assert "x-frame-options" not in client.get(path).headers, path
