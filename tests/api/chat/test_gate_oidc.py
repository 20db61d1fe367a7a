""" "Continue with Google" for visitors of a Restrict or Pay for Access agent, end to end
through the local identity provider of tests/api/auth/test_oidc_flow.py: an allowed
contact gets a guest session `via google` and the page opens the chat; a stranger, an
unverified address and another agent's contact all get the same redirect and nothing
else; no visitor cookie, a changed cookie, a forged state or flow cookie are refused; the
page offers the button only where it can work (configured, not in the widget's iframe)."""

from __future__ import annotations

from datetime import timedelta

import httpx2
import pytest
import reflex as rx
from fastapi.testclient import TestClient
from sqlmodel import select

from crm_app import db, settings
from crm_app.api import build_api, oidc
from crm_app.models import AccessPass, Agent, Contact, GuestSession, utcnow
from crm_app.services import visitor_cookie
from crm_app.services.chat import visitors
from crm_app.services.errors import PermissionDenied
from crm_app.services.gate import access
from crm_app.state.chat.public import PublicChatState
from tests.api.auth.test_oidc_flow import BASE_URL, CLIENT_ID, CLIENT_SECRET, ISSUER, FakeIdP
from tests.unit.chat.conftest import world  # noqa: F401  (fixture)

SLUG = "reception-clinic"
PAGE = f"/a/{SLUG}"
FAILED = f"{PAGE}?signin=google_failed"
LOGIN = f"/api/chat/{SLUG}/oidc/login"
CALLBACK = "/api/chat/oidc/callback"
ANN = "ann@patients.example"
MESSAGE = "We could not sign you in with Google. Use the emailed code instead."


@pytest.fixture()
def idp(world, monkeypatch):  # noqa: F811
    monkeypatch.setenv("CRM_OIDC_ISSUER", ISSUER)
    monkeypatch.setenv("CRM_OIDC_CLIENT_ID", CLIENT_ID)
    monkeypatch.setenv("CRM_OIDC_CLIENT_SECRET", CLIENT_SECRET)
    monkeypatch.setenv("CRM_OIDC_NAME", "Google")
    monkeypatch.setenv("CRM_BASE_URL", BASE_URL)
    monkeypatch.setenv("CRM_COOKIE_SECURE", "0")
    settings.get_settings.cache_clear()
    fake = FakeIdP()
    fake.callback = CALLBACK
    monkeypatch.setattr(oidc, "http_transport", httpx2.MockTransport(fake.handler))
    oidc.reset_cache()
    with db.session_scope() as s:
        agent = s.get(Agent, world.agent_id)
        agent.access_mode = "Restrict"
        s.add(agent)
        s.add(Contact(agent_id=agent.id, email=ANN, name="Ann Lopez", source="Manual"))
        # Another organization's agent has its own contact: no way into this one.
        s.add(
            Contact(
                agent_id=world.other_agent_id,
                email="otto@shop.example",
                name="Otto",
                source="Manual",
            )
        )
    yield fake
    oidc.reset_cache()


@pytest.fixture()
def client(idp):
    with TestClient(build_api(), base_url="http://testserver", follow_redirects=False) as c:
        yield c


def new_token(client) -> str:
    """The chat page's HttpOnly visitor cookie (what POST /api/chat/visitor sets)."""
    token = visitors.new_visitor_token()
    client.cookies.set(visitor_cookie.COOKIE_NAME, token)
    return token


def start(client) -> str:
    response = client.get(LOGIN)
    assert response.status_code == 303
    assert response.headers["location"].startswith(f"{ISSUER}/authorize?")
    assert "crm_chat_oidc" in response.cookies
    return response.headers["location"]


def google(client, idp, claims: dict) -> str:
    """Start at the page's button, sign in at the provider, come back: where it lands."""
    location = start(client)
    response = client.get(CALLBACK, params=idp.authorize(location, claims))
    assert response.status_code == 303
    return response.headers["location"]


def guests() -> list[GuestSession]:
    with db.session_scope() as s:
        return list(s.exec(select(GuestSession)).all())


def access_of(agent_id: int, token: str) -> str:
    with db.session_scope() as s:
        agent = s.get(Agent, agent_id)
        return access.visitor_access(s, agent, visitors.visitor_key(token)).state


def page(monkeypatch, token: str = "", query: dict | None = None) -> PublicChatState:
    """The chat page's state after load, for a browser with this visitor cookie."""
    query = query or {}
    cookie = f"{visitor_cookie.COOKIE_NAME}={token}" if token else ""
    monkeypatch.setattr(PublicChatState, "_slug", lambda self: SLUG)
    monkeypatch.setattr(PublicChatState, "_query", lambda self, name: query.get(name, ""))
    monkeypatch.setattr(PublicChatState, "_cookie_header", lambda self: cookie)
    monkeypatch.setattr(PublicChatState, "_ip", lambda self: "203.0.113.9")
    root = rx.State(_reflex_internal_init=True)
    state = root.get_substate(PublicChatState.get_full_name().split(".")[1:])
    state.load()
    return state


def test_an_allowed_contact_signs_in_with_google_and_the_chat_opens(
    client,
    idp,
    world,  # noqa: F811
    monkeypatch,
):
    token = new_token(client)
    assert page(monkeypatch, token).view == "sign_in"
    landed = google(client, idp, {"email": "Ann@Patients.example", "email_verified": True})
    assert landed == PAGE
    (guest,) = guests()
    assert (guest.via, guest.email, guest.visitor_id, guest.agent_id) == (
        "google",
        ANN,
        visitors.visitor_key(token),
        world.agent_id,
    )
    assert timedelta(days=29, hours=23) < guest.expires_at - utcnow() <= timedelta(days=30)
    assert access_of(world.agent_id, token) == "open"
    state = page(monkeypatch, token)
    assert (state.view, state.signed_in_email, state.signed_in_name) == (
        "open",
        ANN,
        "Ann Lopez",
    )
    assert state.gate_notice == ""
    # The flow cookie is spent; the provider saw discovery, its keys and one token exchange.
    assert not client.cookies.get("crm_chat_oidc")
    assert idp.requests == ["GET /.well-known/openid-configuration", "GET /jwks", "POST /token"]


@pytest.mark.parametrize(
    "claims",
    [
        {"email": "stranger@x.example", "email_verified": True},  # not a contact
        {"email": ANN, "email_verified": False},  # a contact, but not verified
        {"email": ANN, "email_verified": "false"},
        {"email": ANN},  # the provider does not say it is verified
        {"email": "otto@shop.example", "email_verified": True},  # another agent's contact
        {"email_verified": True},  # no address at all
    ],
)
def test_everyone_else_gets_the_same_redirect_and_no_session(
    client,
    idp,
    world,  # noqa: F811
    monkeypatch,
    claims,
):
    token = new_token(client)
    assert google(client, idp, claims) == FAILED
    assert guests() == []
    assert access_of(world.agent_id, token) == "sign_in"
    assert not client.cookies.get("crm_chat_oidc")
    state = page(monkeypatch, token, {"signin": "google_failed"})
    assert (state.view, state.gate_step, state.gate_notice) == ("sign_in", "email", MESSAGE)


def test_a_blocked_or_out_of_rule_contact_gets_nothing(client, idp, world):  # noqa: F811
    with db.session_scope() as s:
        contact = s.exec(select(Contact).where(Contact.email == ANN)).one()
        contact.status = "Blocked"
        s.add(contact)
    new_token(client)
    assert google(client, idp, {"email": ANN, "email_verified": True}) == FAILED
    assert guests() == []


def test_pay_for_access_lets_in_buyers_only(client, idp, world, monkeypatch):  # noqa: F811
    with db.session_scope() as s:
        agent = s.get(Agent, world.agent_id)
        agent.access_mode = "Pay for Access"
        s.add(agent)
        s.add(Contact(agent_id=agent.id, email="bo@patients.example", name="Bo", source="Manual"))
        ann = s.exec(select(Contact).where(Contact.email == ANN)).one()
        s.add(
            AccessPass(
                agent_id=agent.id,
                contact_id=ann.id,
                email=ANN,
                expires_at=utcnow() + timedelta(days=10),
            )
        )
    new_token(client)
    # A contact that never bought a pass: the same refusal as anyone's.
    assert google(client, idp, {"email": "bo@patients.example", "email_verified": True}) == FAILED
    assert guests() == []
    # The refusal shows on the sign-in card (opened from the paywall), not the paywall.
    state = page(
        monkeypatch, client.cookies.get(visitor_cookie.COOKIE_NAME), {"signin": "google_failed"}
    )
    assert (state.view, state.from_paywall, state.gate_notice) == ("sign_in", True, MESSAGE)

    token = new_token(client)
    assert google(client, idp, {"email": ANN, "email_verified": True}) == PAGE
    (guest,) = guests()
    assert (guest.via, guest.email) == ("google", ANN)
    assert access_of(world.agent_id, token) == "open"


def test_without_the_visitor_cookie_nothing_starts(client, idp):
    response = client.get(LOGIN)
    assert response.status_code == 303 and response.headers["location"] == FAILED
    assert idp.requests == [] and "crm_chat_oidc" not in response.cookies
    client.cookies.set(visitor_cookie.COOKIE_NAME, "not-a-token")
    assert client.get(LOGIN).headers["location"] == FAILED
    assert guests() == []


def test_the_visitor_cookie_must_not_change_during_the_flow(client, idp):
    new_token(client)
    location = start(client)
    grant = idp.authorize(location, {"email": ANN, "email_verified": True})
    # Signed out in another tab meanwhile: a new token is not the one the flow started with.
    new_token(client)
    assert client.get(CALLBACK, params=grant).headers["location"] == FAILED
    # Or the cookie was dropped.
    location = start(client)
    grant = idp.authorize(location, {"email": ANN, "email_verified": True})
    client.cookies.delete(visitor_cookie.COOKIE_NAME)
    assert client.get(CALLBACK, params=grant).headers["location"] == FAILED
    assert guests() == []


def test_a_tampered_state_or_flow_cookie_is_refused(client, idp):
    new_token(client)
    location = start(client)
    grant = idp.authorize(location, {"email": ANN, "email_verified": True})
    forged = client.get(CALLBACK, params={"code": grant["code"], "state": "forged"})
    assert forged.headers["location"] == FAILED
    assert guests() == []

    # A flow cookie signed with another key: no slug to go back to, the home page.
    location = start(client)
    grant = idp.authorize(location, {"email": ANN, "email_verified": True})
    client.cookies.delete("crm_chat_oidc")
    client.cookies.set("crm_chat_oidc", client_forged_cookie(), path="/api/chat/oidc")
    assert client.get(CALLBACK, params=grant).headers["location"] == "/"
    # Another browser (no flow cookie) replaying the real state.
    client.cookies.delete("crm_chat_oidc")
    assert client.get(CALLBACK, params=grant).headers["location"] == "/"
    assert guests() == []


def test_a_members_flow_does_not_finish_as_a_visitors(client, idp):
    """Both flows share the machinery; the purpose sealed in the cookie keeps them apart."""
    new_token(client)
    idp.callback = "/api/auth/oidc/callback"
    members = client.get("/api/auth/oidc/login")
    grant = idp.authorize(members.headers["location"], {"email": ANN, "email_verified": True})
    client.cookies.set("crm_chat_oidc", members.cookies["crm_oidc"], path="/api/chat/oidc")
    assert client.get(CALLBACK, params=grant).headers["location"] == "/"
    assert guests() == [] and "POST /token" not in idp.requests  # refused before the exchange


def test_provider_refusal_and_outage_come_back_to_the_page(client, idp, monkeypatch):
    new_token(client)
    location = start(client)
    state = idp.authorize(location, {"email": ANN})["state"]
    denied = client.get(CALLBACK, params={"error": "access_denied", "state": state})
    assert denied.headers["location"] == FAILED

    def down(request):
        raise httpx2.ConnectError("no route", request=request)

    oidc.reset_cache()
    monkeypatch.setattr(oidc, "http_transport", httpx2.MockTransport(down))
    assert client.get(LOGIN).headers["location"] == FAILED
    assert guests() == []


def test_the_button_is_offered_only_where_it_works(client, idp, world, monkeypatch):  # noqa: F811
    token = new_token(client)
    state = page(monkeypatch, token)
    assert (state.google_url, state.google_name) == (LOGIN, "Google")
    # Inside the widget's iframe providers refuse to run: no button.
    assert page(monkeypatch, query={"embed": "1"}).google_url == ""
    # Not configured: no button, and the route sends the visitor back.
    monkeypatch.delenv("CRM_OIDC_ISSUER")
    settings.get_settings.cache_clear()
    assert page(monkeypatch, token).google_url == ""
    assert client.get(LOGIN).headers["location"] == FAILED
    # An agent open to everyone has no sign-in at all.
    monkeypatch.setenv("CRM_OIDC_ISSUER", ISSUER)
    settings.get_settings.cache_clear()
    with db.session_scope() as s:
        agent = s.get(Agent, world.agent_id)
        agent.access_mode = "Use for Free"
        s.add(agent)
    state = page(monkeypatch, token, {"signin": "google_failed"})
    assert (state.view, state.google_url, state.gate_notice) == ("open", "", "")
    # Switched to Restrict while the visitor chats: the refused message brings the sign-in
    # card back, with the button.
    with db.session_scope() as s:
        agent = s.get(Agent, world.agent_id)
        agent.access_mode = "Restrict"
        s.add(agent)
    assert state._gate_refused(PermissionDenied("Please sign in to chat with this agent."))
    assert (state.view, state.google_url) == ("sign_in", LOGIN)


def client_forged_cookie() -> str:
    from joserfc import jwt
    from joserfc.jwk import OctKey

    claims = {"purpose": "visitor", "slug": SLUG, "state": "x", "nonce": "y", "verifier": "z"}
    return jwt.encode({"alg": "HS256"}, claims, OctKey.import_key("wrong-key" * 4))
