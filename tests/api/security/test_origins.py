"""Only the app's own pages may call it with a member's cookies: the whole ASGI app as
Reflex composes it (CORS middleware, our routes, /ping, the /_event websocket)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from crm_app import db, settings
from crm_app.api import build_api
from crm_app.models import User
from crm_app.services import agents, forms, principal, sessions

OWN = "http://localhost:3000"  # CRM_BASE_URL's default
FOREIGN = ("http://localhost:8000", "http://127.0.0.1:3001", "https://evil.example", "null")


@pytest.fixture()
def member(db_env):
    with db.session_scope() as s:
        owner = agents.create_owner(s, "rosa@clinic.example", "Clinic", "Rosa", "Alvarez")
        agent_id = agents.create_agent(s, owner, "Front Desk", "front-desk").id
        token = sessions.create_session(s, s.get(User, owner.user_id), owner.org_id)
    return {
        "token": token,
        "export": f"/api/agents/{agent_id}/contacts/export",
        "agent_id": agent_id,
        "user_id": owner.user_id,
        "org_id": owner.org_id,
    }


@pytest.fixture()
def client(asgi_app, member):
    with TestClient(asgi_app, base_url=OWN) as c:
        c.cookies.set(sessions.COOKIE_NAME, member["token"])
        yield c


def test_own_pages_read_the_export_with_cors_headers_for_their_origin_only(client, member):
    response = client.get(member["export"], headers={"Origin": OWN})
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    assert response.headers["access-control-allow-origin"] == OWN
    assert response.headers["access-control-allow-credentials"] == "true"
    # Same-origin navigations and downloads send no Origin header at all.
    assert client.get(member["export"]).status_code == 200


@pytest.mark.parametrize("origin", FOREIGN)
def test_other_origins_are_refused_before_any_route_runs(client, member, origin):
    response = client.get(member["export"], headers={"Origin": origin})
    assert response.status_code == 403 and "access-control-allow-origin" not in response.headers
    assert "Rosa" not in response.text
    preflight = client.options(
        member["export"], headers={"Origin": origin, "Access-Control-Request-Method": "GET"}
    )
    assert preflight.status_code == 400 and "access-control-allow-origin" not in preflight.headers


@pytest.mark.parametrize("origin", FOREIGN)
def test_health_checks_answer_everyone(client, origin):
    for path in ("/ping", "/_health"):
        assert client.get(path, headers={"Origin": origin}).status_code == 200


def _event_socket(client, origin: str):
    return client.websocket_connect(
        "/_event/?EIO=4&transport=websocket",
        headers={"Origin": origin, "Upgrade": "websocket", "Connection": "Upgrade"},
    )


def test_the_event_websocket_accepts_only_our_origin(client):
    with _event_socket(client, OWN) as ws:
        assert ws.receive_text().startswith("0")  # Engine.IO open packet
    for origin in FOREIGN:
        with pytest.raises(WebSocketDisconnect), _event_socket(client, origin) as ws:
            ws.receive_text()


def test_configured_extra_origins_are_allowed(client, member, monkeypatch):
    monkeypatch.setenv("CRM_ALLOWED_ORIGINS", "https://app.clinic.example, http://localhost:8000")
    settings.get_settings.cache_clear()
    assert (
        client.get(member["export"], headers={"Origin": "http://localhost:8000"}).status_code == 200
    )
    assert (
        client.get(member["export"], headers={"Origin": "https://evil.example"}).status_code == 403
    )


def test_allowed_origins_are_the_base_url_its_loopback_aliases_and_the_extras(monkeypatch):
    monkeypatch.setenv("CRM_BASE_URL", "http://localhost:3000/")
    monkeypatch.setenv(
        "CRM_ALLOWED_ORIGINS", "https://Embed.Example:443/, not a url, ftp://x.example"
    )
    settings.get_settings.cache_clear()
    assert settings.get_settings().allowed_origins == (
        "http://localhost:3000",
        "http://127.0.0.1:3000",
        "http://[::1]:3000",
        "https://embed.example",
    )
    monkeypatch.setenv("CRM_BASE_URL", "https://crm.example.com")
    monkeypatch.delenv("CRM_ALLOWED_ORIGINS")
    settings.get_settings.cache_clear()
    assert settings.get_settings().allowed_origins == ("https://crm.example.com",)
    settings.get_settings.cache_clear()


@pytest.mark.parametrize(
    "dev_mode,client,status",
    [
        ("", ("127.0.0.1", 50000), 404),  # production
        ("1", ("127.0.0.1", 50000), 200),  # development, a browser on this machine
        ("1", ("::1", 50000), 200),
        ("1", ("203.0.113.9", 50000), 404),  # development, someone on the network
    ],
    ids=["production", "dev-loopback", "dev-loopback-v6", "dev-remote"],
)
def test_internal_api_docs_exist_only_in_development_mode_on_this_machine(
    db_env, monkeypatch, dev_mode, client, status
):
    monkeypatch.setenv("CRM_DEV_MODE", dev_mode)
    settings.get_settings.cache_clear()
    with TestClient(build_api(), client=client) as c:
        assert c.get("/api/openapi.json").status_code == status
        assert c.get("/api/docs").status_code == status
        if status == 200:
            assert "/api/auth/signout" in c.get("/api/openapi.json").json()["paths"]
        # Behind a proxy on this machine the visitor is elsewhere.
        assert c.get("/api/docs", headers={"X-Forwarded-For": "127.0.0.1"}).status_code == 404
    settings.get_settings.cache_clear()


def _published_form(member) -> tuple[str, int]:
    with db.session_scope() as s:
        owner = principal.member(s, member["user_id"], member["org_id"])
        form = forms.create_form(s, owner, member["agent_id"], "Contact us")
        draft = {
            "elements": [{"id": "email", "type": "email", "label": "Email", "required": True}],
            "settings": {},
        }
        forms.save_draft(s, owner, member["agent_id"], form.id, draft)
        forms.publish(s, owner, member["agent_id"], form.id)
        return form.slug, form.id


@pytest.mark.parametrize("origin", FOREIGN)
def test_public_form_endpoints_answer_any_site_without_cookies(client, member, origin):
    slug, form_id = _published_form(member)
    preflight = client.options(
        f"/api/forms/{slug}/submit",
        headers={"Origin": origin, "Access-Control-Request-Method": "POST"},
    )
    assert preflight.status_code == 204
    assert preflight.headers["access-control-allow-origin"] == "*"
    assert "access-control-allow-credentials" not in preflight.headers
    described = client.get(f"/api/forms/{slug}", headers={"Origin": origin})
    assert described.status_code == 200 and described.headers["access-control-allow-origin"] == "*"
    assert "access-control-allow-credentials" not in described.headers
    # The member's own routes under the same prefix stay closed to other sites.
    assert client.get(f"/api/forms/{form_id}/qr.png", headers={"Origin": origin}).status_code == 403


def test_public_routes_never_see_the_members_cookie(asgi_app):
    from crm_app.api.origins import RefuseForeignOrigins

    seen = {}

    async def app(scope, receive, send):
        seen["headers"] = dict(scope["headers"])
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    c = TestClient(RefuseForeignOrigins(app), base_url=OWN)  # no lifespan for this stub
    c.cookies.set(sessions.COOKIE_NAME, "secret")
    response = c.get("/api/public-chat/front-desk/conversations", headers={"Origin": FOREIGN[2]})
    assert response.headers["access-control-allow-origin"] == "*"
    assert b"cookie" not in seen["headers"]
    c.get("/api/agents/1/contacts/export")
    assert b"cookie" in seen["headers"]
