"""The cookie hand-off after a verified sign-in, and sign-out."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlmodel import select

from crm_app import db
from crm_app.api import build_api
from crm_app.models import AuditLog, AuthSession, SignInTicket, utcnow
from crm_app.services import sessions

OWN_ORIGIN = {"Origin": "http://localhost:3000"}  # CRM_BASE_URL's default


@pytest.fixture()
def client(engine):
    with TestClient(build_api(), base_url="http://testserver", follow_redirects=False) as c:
        yield c


@pytest.fixture()
def ticket(engine, make_member):
    with db.session_scope() as s:
        user, org = make_member(s, "Clinic", "ann@clinic.example")
        return sessions.issue_ticket(s, user, org.id, "/agents")


def test_ticket_sets_an_httponly_session_cookie_once(client, ticket):
    response = client.get("/api/auth/complete", params={"ticket": ticket})
    assert response.status_code == 303 and response.headers["location"] == "/agents"
    set_cookie = response.headers["set-cookie"]
    assert (
        set_cookie.startswith("crm_session=")
        and "HttpOnly" in set_cookie
        and "samesite=lax" in set_cookie.lower()
    )
    token = response.cookies["crm_session"]
    with db.session_scope() as s:
        assert sessions.resolve_session(s, token).email == "ann@clinic.example"
        login = s.exec(select(AuditLog).where(AuditLog.action == "Login")).one()
        assert "ann@clinic.example" in login.description
    client.cookies.clear()
    replay = client.get("/api/auth/complete", params={"ticket": ticket})
    assert replay.status_code == 303 and replay.headers["location"] == "/login?expired=1"
    assert "crm_session" not in replay.cookies
    with db.session_scope() as s:
        assert len(s.exec(select(AuthSession)).all()) == 1


def test_expired_or_unknown_ticket_goes_back_to_login(client, ticket):
    with db.session_scope() as s:
        row = s.exec(select(SignInTicket)).one()
        row.expires_at = utcnow() - timedelta(seconds=1)
        s.add(row)
    for value in (ticket, "made-up", ""):
        response = client.get("/api/auth/complete", params={"ticket": value})
        assert response.headers["location"] == "/login?expired=1"
        assert "crm_session" not in response.cookies
    with db.session_scope() as s:
        assert s.exec(select(AuthSession)).first() is None


def test_sign_out_revokes_the_session_row_and_clears_the_cookie(client, ticket):
    token = client.get("/api/auth/complete", params={"ticket": ticket}).cookies["crm_session"]
    client.cookies.set("crm_session", token)
    response = client.post("/api/auth/signout", headers=OWN_ORIGIN)
    assert response.status_code == 303 and response.headers["location"] == "/login"
    assert (
        'crm_session=""' in response.headers["set-cookie"]
        or "Max-Age=0" in response.headers["set-cookie"]
    )
    with db.session_scope() as s:
        row = s.exec(select(AuthSession)).one()
        assert row.revoked_at is not None
        assert sessions.resolve_session(s, token) is None
        assert s.exec(select(AuditLog).where(AuditLog.action == "Logout")).one().user_label
    # A stolen copy of the old cookie no longer works, and signing out again is harmless.
    again = client.post("/api/auth/signout", headers=OWN_ORIGIN)
    assert again.status_code == 303
    with db.session_scope() as s:
        assert len(s.exec(select(AuditLog).where(AuditLog.action == "Logout")).all()) == 1


def _session_alive(token: str) -> bool:
    with db.session_scope() as s:
        return sessions.resolve_session(s, token) is not None


@pytest.mark.parametrize(
    "headers",
    [
        {
            "Origin": "http://localhost:8000"
        },  # another port of the same host: same site, other origin
        {"Origin": "https://evil.example"},
        {"Origin": "null"},
        {"Referer": "http://localhost:3001/page"},
        {},  # neither Origin nor Referer
    ],
    ids=["other-port", "other-site", "null-origin", "foreign-referer", "no-origin"],
)
def test_sign_out_from_another_page_is_refused(client, ticket, headers):
    token = client.get("/api/auth/complete", params={"ticket": ticket}).cookies["crm_session"]
    client.cookies.set("crm_session", token)
    response = client.post("/api/auth/signout", headers=headers)
    assert response.status_code == 403 and "crm_session" not in response.headers.get(
        "set-cookie", ""
    )
    assert _session_alive(token)


def test_sign_out_is_not_a_get(client, ticket):
    token = client.get("/api/auth/complete", params={"ticket": ticket}).cookies["crm_session"]
    client.cookies.set("crm_session", token)
    # An <img src> or link on any page would send this GET with the member's cookie.
    assert client.get("/api/auth/signout", headers=OWN_ORIGIN).status_code == 405
    assert _session_alive(token)


def test_sign_out_accepts_the_referer_of_our_own_page(client, ticket):
    token = client.get("/api/auth/complete", params={"ticket": ticket}).cookies["crm_session"]
    client.cookies.set("crm_session", token)
    response = client.post("/api/auth/signout", headers={"Referer": "http://localhost:3000/agents"})
    assert response.status_code == 303 and not _session_alive(token)
