"""The visitor's self-service over HTTP, through the whole ASGI app: the JSON download by
token (any site, no cookies) and by the chat page's cookie (our pages only), the erasure
request; 403 without a signed-in visitor; nothing for another agent."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient
from sqlmodel import select

from crm_app import db
from crm_app.models import AuditLog, ErasureRequest
from crm_app.services import visitor_cookie
from tests.unit.self_service.conftest import (  # noqa: F401  (fixture)
    MARIA_TOKEN,
    NOBODY_TOKEN,
    PEDRO_TOKEN,
    world,
)

OWN = "http://localhost:3000"  # CRM_BASE_URL's default
SITE = "https://www.sunrise-clinic.example"  # the clinic's website with the widget
BASE = "/api/public-chat/reception"


@pytest.fixture()
def client(asgi_app, world):  # noqa: F811
    with TestClient(asgi_app, base_url=OWN) as c:
        yield c


def _attachment(response) -> dict:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/json")
    disposition = response.headers["content-disposition"]
    assert disposition.startswith('attachment; filename="my-data-reception-')
    assert "no-store" in response.headers["cache-control"]
    return json.loads(response.content)


def test_a_signed_in_visitor_downloads_their_data_from_any_site(client, world):  # noqa: F811
    response = client.get(
        f"{BASE}/me/data", headers={"X-Visitor-Token": MARIA_TOKEN, "Origin": SITE}
    )
    assert response.headers["access-control-allow-origin"] == "*"
    assert "access-control-allow-credentials" not in response.headers
    data = _attachment(response)
    assert data["contact"]["id"] == world.maria_id and data["contact"]["name"] == "Maria Lopez"
    with db.session_scope(read_only=True) as s:
        entry = s.exec(select(AuditLog).where(AuditLog.action == "Read")).one()
        assert entry.description == f"Contact {world.maria_id} downloaded their data"


@pytest.mark.parametrize(
    "headers, status",
    [
        ({}, 401),  # no token
        ({"X-Visitor-Token": "short"}, 401),  # not a token we issue
        ({"X-Visitor-Token": NOBODY_TOKEN}, 403),  # a visitor who never signed in
        ({"X-Visitor-Token": PEDRO_TOKEN}, 403),  # signed in to billing, not reception
    ],
)
def test_without_a_signed_in_visitor_nothing_is_told(client, headers, status):
    for response in (
        client.get(f"{BASE}/me/data", headers=headers),
        client.post(f"{BASE}/me/erasure", headers=headers),
    ):
        assert response.status_code == status
        assert "Maria" not in response.text
    with db.session_scope(read_only=True) as s:
        assert s.exec(select(ErasureRequest)).all() == []


def test_the_cookie_never_reaches_the_token_routes(client):
    """On /api/public-chat/ the Cookie header is stripped: a page on another site cannot
    use the visitor's cookie there."""
    client.cookies.set(visitor_cookie.COOKIE_NAME, MARIA_TOKEN)
    response = client.get(f"{BASE}/me/data", headers={"Origin": "https://evil.example"})
    assert response.status_code == 401


def test_the_chat_page_downloads_by_its_cookie(client, world):  # noqa: F811
    client.cookies.set(visitor_cookie.COOKIE_NAME, MARIA_TOKEN)
    assert _attachment(client.get("/api/chat/reception/my-data"))["contact"]["id"] == world.maria_id
    same_site = client.get("/api/chat/reception/my-data", headers={"Origin": OWN})
    assert same_site.status_code == 200
    # Another site's script asking with the visitor's cookie is refused before the route.
    foreign = client.get("/api/chat/reception/my-data", headers={"Origin": "https://evil.example"})
    assert foreign.status_code == 403 and "Maria" not in foreign.text
    # The cookie of a visitor signed in elsewhere, and another agent: 403 / 403.
    assert client.get("/api/chat/billing/my-data").status_code == 403
    assert client.get("/api/chat/nowhere/my-data").status_code == 404


def test_the_cookie_route_refuses_a_visitor_without_a_cookie(client):
    response = client.get("/api/chat/reception/my-data")
    assert response.status_code == 403 and "Sign in" in response.json()["error"]["message"]
    client.cookies.set(visitor_cookie.COOKIE_NAME, NOBODY_TOKEN)
    assert client.get("/api/chat/reception/my-data").status_code == 403


def test_asking_for_erasure_twice_makes_one_request(client, world):  # noqa: F811
    me = {"X-Visitor-Token": MARIA_TOKEN, "Origin": SITE}
    first = client.post(f"{BASE}/me/erasure", headers=me)
    again = client.post(f"{BASE}/me/erasure", headers=me)
    assert first.status_code == 201 and again.status_code == 200
    assert first.json()["data"]["id"] == again.json()["data"]["id"]
    assert again.json()["data"]["created"] is False
    with db.session_scope(read_only=True) as s:
        rows = s.exec(select(ErasureRequest)).all()
        assert [(r.contact_id, r.status) for r in rows] == [(world.maria_id, "open")]


def test_the_public_preflight_allows_the_token_header(client):
    response = client.options(
        f"{BASE}/me/erasure",
        headers={
            "Origin": SITE,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "X-Visitor-Token",
        },
    )
    assert response.status_code == 204
    assert response.headers["access-control-allow-origin"] == "*"
    assert "X-Visitor-Token" in response.headers["access-control-allow-headers"]
