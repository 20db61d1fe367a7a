"""Sign in with an OpenID Connect provider, offline, against a local identity provider.

The fake IdP serves discovery, JWKS and a token endpoint returning real RS256-signed ID
tokens; it checks the client's credentials, redirect URI and PKCE verifier the way a
real provider does. Every provider call the app makes goes to it through
`crm_app.api.oidc.http_transport`.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import time
from urllib.parse import parse_qs, urlsplit

import httpx2
import pytest
from fastapi.testclient import TestClient
from joserfc import jwt
from joserfc.jwk import RSAKey
from sqlmodel import select

from crm_app import db, settings
from crm_app.api import build_api, oidc
from crm_app.models import AuditLog, AuthSession, Organization, User
from crm_app.services import sessions

ISSUER = "https://idp.example.com"
CLIENT_ID = "crm-client"
CLIENT_SECRET = "s3cret"
BASE_URL = "https://crm.example.com"


class FakeIdP:
    def __init__(self):
        self.key = RSAKey.generate_key(2048, parameters={"kid": "key-1"})
        self.codes: dict[str, dict] = {}
        self.overrides: dict = {}  # claims to change in the next ID token
        self.sign_with: RSAKey | None = None  # a foreign key: bad signature
        self.requests: list[str] = []
        self.callback = "/api/auth/oidc/callback"  # the redirect URI's path this test expects

    def authorize(self, authorize_url: str, claims: dict) -> dict:
        """What the provider does after the person signs in: remember the request, return code+state."""
        query = {k: v[0] for k, v in parse_qs(urlsplit(authorize_url).query).items()}
        assert authorize_url.startswith(f"{ISSUER}/authorize?")
        assert query["response_type"] == "code" and query["client_id"] == CLIENT_ID
        assert query["redirect_uri"] == BASE_URL + self.callback
        assert "openid" in query["scope"].split() and query["code_challenge_method"] == "S256"
        code = secrets.token_urlsafe(16)
        self.codes[code] = {"query": query, "claims": claims}
        return {"code": code, "state": query["state"]}

    def handler(self, request: httpx2.Request) -> httpx2.Response:
        self.requests.append(f"{request.method} {request.url.path}")
        if request.url.path == "/.well-known/openid-configuration":
            return httpx2.Response(
                200,
                json={
                    "issuer": ISSUER,
                    "authorization_endpoint": f"{ISSUER}/authorize",
                    "token_endpoint": f"{ISSUER}/token",
                    "jwks_uri": f"{ISSUER}/jwks",
                    "id_token_signing_alg_values_supported": ["RS256"],
                },
            )
        if request.url.path == "/jwks":
            return httpx2.Response(200, json={"keys": [self.key.as_dict(private=False)]})
        if request.url.path == "/token" and request.method == "POST":
            return self._token(request)
        return httpx2.Response(404)

    def _token(self, request: httpx2.Request) -> httpx2.Response:
        form = {k: v[0] for k, v in parse_qs(request.content.decode()).items()}
        basic = base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
        if request.headers.get("authorization") != f"Basic {basic}":
            return httpx2.Response(401, json={"error": "invalid_client"})
        grant = self.codes.pop(form.get("code", ""), None)
        if grant is None or form.get("grant_type") != "authorization_code":
            return httpx2.Response(400, json={"error": "invalid_grant"})
        query = grant["query"]
        challenge = (
            base64.urlsafe_b64encode(
                hashlib.sha256(form.get("code_verifier", "").encode()).digest()
            )
            .rstrip(b"=")
            .decode()
        )
        if (
            challenge != query["code_challenge"]
            or form.get("redirect_uri") != query["redirect_uri"]
        ):
            return httpx2.Response(400, json={"error": "invalid_grant"})
        now = int(time.time())
        claims = {
            "iss": ISSUER,
            "sub": "user-123",
            "aud": CLIENT_ID,
            "iat": now,
            "exp": now + 300,
            "nonce": query["nonce"],
            **grant["claims"],
            **self.overrides,
        }
        key = self.sign_with or self.key
        id_token = jwt.encode({"alg": "RS256", "kid": "key-1"}, claims, key)
        return httpx2.Response(
            200,
            json={
                "access_token": "at-" + secrets.token_hex(8),
                "token_type": "Bearer",
                "expires_in": 3600,
                "id_token": id_token,
            },
        )


@pytest.fixture()
def idp(engine, monkeypatch):
    monkeypatch.setenv("CRM_OIDC_ISSUER", ISSUER)
    monkeypatch.setenv("CRM_OIDC_CLIENT_ID", CLIENT_ID)
    monkeypatch.setenv("CRM_OIDC_CLIENT_SECRET", CLIENT_SECRET)
    monkeypatch.setenv("CRM_OIDC_NAME", "Google")
    monkeypatch.setenv("CRM_BASE_URL", BASE_URL)
    monkeypatch.setenv("CRM_COOKIE_SECURE", "0")
    settings.get_settings.cache_clear()
    fake = FakeIdP()
    monkeypatch.setattr(oidc, "http_transport", httpx2.MockTransport(fake.handler))
    oidc.reset_cache()
    yield fake
    oidc.reset_cache()


@pytest.fixture()
def client(idp):
    with TestClient(build_api(), base_url="http://testserver", follow_redirects=False) as c:
        yield c


CAROL = {
    "email": "Carol@Example.com",
    "email_verified": True,
    "given_name": "Carol",
    "family_name": "King",
}


def start(client) -> str:
    response = client.get("/api/auth/oidc/login")
    assert response.status_code == 303
    assert "crm_oidc" in response.cookies
    return response.headers["location"]


def callback(client, params: dict) -> httpx2.Response:
    return client.get("/api/auth/oidc/callback", params=params)


def counts():
    with db.session_scope() as s:
        return len(s.exec(select(User)).all()), len(s.exec(select(Organization)).all())


def test_good_login_creates_the_organization_and_signs_in(client, idp):
    location = start(client)
    response = callback(client, idp.authorize(location, CAROL))
    assert response.status_code == 303
    assert response.headers["location"].startswith("/api/auth/complete?ticket=")
    done = client.get(response.headers["location"])
    assert done.status_code == 303 and done.headers["location"] == "/"
    token = done.cookies["crm_session"]
    with db.session_scope() as s:
        actor = sessions.resolve_session(s, token)
        assert (actor.email, actor.role, actor.first_name) == (
            "carol@example.com",
            "Owner",
            "Carol",
        )
        assert s.get(Organization, actor.org_id).name == "Carol's organization"
        assert s.exec(select(AuditLog).where(AuditLog.action == "Login")).one()
    # The provider saw discovery, JWKS and one token exchange; the flow cookie is gone.
    assert idp.requests == ["GET /.well-known/openid-configuration", "GET /jwks", "POST /token"]
    assert "crm_oidc" not in client.cookies or not client.cookies.get("crm_oidc")


def test_an_existing_member_signs_in_to_their_organization(client, idp, make_member):
    with db.session_scope() as s:
        _, org = make_member(s, "Sunrise Clinic", "carol@example.com", role="User")
    location = start(client)
    done = client.get(callback(client, idp.authorize(location, CAROL)).headers["location"])
    with db.session_scope() as s:
        actor = sessions.resolve_session(s, done.cookies["crm_session"])
    assert (actor.org_id, actor.role) == (org.id, "User")
    assert counts() == (1, 1)


@pytest.mark.parametrize(
    "tamper,reason",
    [
        ({"nonce": "another-nonce"}, "oidc_token"),
        ({"aud": "someone-else"}, "oidc_token"),
        ({"iss": "https://evil.example.com"}, "oidc_token"),
        ({"exp": int(time.time()) - 3600, "iat": int(time.time()) - 7200}, "oidc_token"),
        ({"email_verified": False}, "oidc_email"),
    ],
)
def test_bad_id_tokens_are_refused_with_a_clear_redirect(client, idp, tamper, reason):
    idp.overrides = tamper
    location = start(client)
    response = callback(client, idp.authorize(location, CAROL))
    assert response.status_code == 303
    assert response.headers["location"] == f"/login?error={reason}"
    assert counts() == (0, 0)
    with db.session_scope() as s:
        assert s.exec(select(AuthSession)).first() is None


def test_a_token_signed_by_another_key_is_refused(client, idp):
    idp.sign_with = RSAKey.generate_key(2048, parameters={"kid": "key-1"})
    location = start(client)
    response = callback(client, idp.authorize(location, CAROL))
    assert response.headers["location"] == "/login?error=oidc_token"
    assert counts() == (0, 0)


def test_state_must_match_the_browser_that_started(client, idp):
    location = start(client)
    grant = idp.authorize(location, CAROL)
    forged = callback(client, {"code": grant["code"], "state": "forged"})
    assert forged.headers["location"] == "/login?error=oidc_state"
    client.cookies.clear()  # another browser (no flow cookie) replaying the real state
    assert callback(client, grant).headers["location"] == "/login?error=oidc_state"
    assert counts() == (0, 0)


def test_a_tampered_flow_cookie_is_refused(client, idp):
    location = start(client)
    grant = idp.authorize(location, CAROL)
    claims = json.loads(base64.urlsafe_b64decode(client.cookies["crm_oidc"].split(".")[1] + "=="))
    forged = jwt.encode(
        {"alg": "HS256"}, dict(claims, nonce="x"), oidc.OctKey.import_key("wrong-key" * 4)
    )
    # Replace the jar's cookie (whatever domain the client gave it) rather than add a second.
    client.cookies.delete("crm_oidc")
    client.cookies.set("crm_oidc", forged, path="/api/auth/oidc")
    assert callback(client, grant).headers["location"] == "/login?error=oidc_state"


def test_provider_errors_and_unreachable_provider(client, idp, monkeypatch):
    location = start(client)
    state = idp.authorize(location, CAROL)["state"]
    denied = callback(client, {"error": "access_denied", "state": state})
    assert denied.headers["location"] == "/login?error=oidc_denied"

    def down(request):
        raise httpx2.ConnectError("no route", request=request)

    oidc.reset_cache()
    monkeypatch.setattr(oidc, "http_transport", httpx2.MockTransport(down))
    assert client.get("/api/auth/oidc/login").headers["location"] == "/login?error=oidc_provider"


def test_disabled_when_not_configured(engine, monkeypatch):
    monkeypatch.delenv("CRM_OIDC_ISSUER", raising=False)
    settings.get_settings.cache_clear()
    with TestClient(build_api(), follow_redirects=False) as c:
        assert c.get("/api/auth/oidc/login").headers["location"] == "/login?error=oidc_disabled"
