"""The visitor chat API of a Restrict agent: access state, send a code (the same answer for
anyone), verify, chat as the contact, sign out; clear 4xx errors."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlmodel import func, select

from crm_app import db
from crm_app.api import build_api
from crm_app.api.origins import RefuseForeignOrigins
from crm_app.models import Agent, Contact, Conversation, SentEmail
from crm_app.services.chat import turn
from crm_app.services.gate import signin
from tests.mailbox import code_in, inbox
from tests.unit.chat.conftest import FakeEngine, world  # noqa: F401  (fixture)

SITE = "https://www.harbor-clinic.example"
BASE = "/api/public-chat/reception-clinic"
ANN = "ann@patients.example"


@pytest.fixture()
def client(world, monkeypatch):  # noqa: F811
    from crm_app import settings

    monkeypatch.setenv("CRM_DEV_MODE", "1")
    settings.get_settings.cache_clear()
    monkeypatch.setattr(signin, "RESEND_SECONDS", 0)
    fake = FakeEngine(reply_text="Happy to help.")
    monkeypatch.setattr(turn, "_engine_factory", lambda: lambda config: fake)
    with db.session_scope() as s:
        agent = s.get(Agent, world.agent_id)
        agent.access_mode = "Restrict"
        s.add(Contact(agent_id=agent.id, email=ANN, name="Ann Lopez", source="Manual"))
    return TestClient(RefuseForeignOrigins(build_api()), base_url="http://localhost:3000")


def _visitor(client) -> dict:
    response = client.post(f"{BASE}/visitors", headers={"Origin": SITE})
    return {"X-Visitor-Token": response.json()["data"]["token"], "Origin": SITE}


def _mails() -> int:
    with db.session_scope() as s:
        return s.exec(select(func.count()).select_from(SentEmail)).one()


def test_a_contact_signs_in_chats_and_signs_out(client, world):  # noqa: F811
    about = client.get(BASE, headers={"Origin": SITE}).json()["data"]
    assert about["available"] is True and about["gate"] == "Restrict"
    me = _visitor(client)
    state = client.get(f"{BASE}/access", headers=me)
    assert state.status_code == 200 and state.headers["access-control-allow-origin"] == "*"
    assert state.json()["data"]["state"] == "sign_in"
    refused = client.post(f"{BASE}/conversations", headers=me)
    assert refused.status_code == 403
    assert refused.json()["error"]["message"] == "Please sign in to chat with this agent."

    sent = client.post(f"{BASE}/sign-in/code", headers=me, json={"email": " Ann@Patients.example"})
    assert sent.status_code == 202
    assert sent.json()["data"] == {"email": ANN, "expires_in": 600, "resend_in": 0}
    wrong = client.post(f"{BASE}/sign-in/verify", headers=me, json={"email": ANN, "code": "000000"})
    assert wrong.status_code == 422 and wrong.json()["error"]["field"] == "code"
    ok = client.post(
        f"{BASE}/sign-in/verify", headers=me, json={"email": ANN, "code": code_in(inbox(ANN))}
    )
    assert ok.status_code == 200
    data = ok.json()["data"]
    assert (data["state"], data["name"], data["email"], data["signed_in"]) == (
        "open",
        "Ann Lopez",
        ANN,
        True,
    )
    conv = client.post(f"{BASE}/conversations", headers=me).json()["data"]
    chat = client.post(
        f"{BASE}/conversations/{conv['id']}/messages", headers=me, json={"text": "Hello"}
    )
    assert chat.status_code == 200 and "event: done" in chat.text
    with db.session_scope() as s:
        assert s.get(Conversation, conv["id"]).contact_id is not None

    out = client.post(f"{BASE}/sign-out", headers=me)
    assert out.status_code == 200 and out.json()["data"]["state"] == "sign_in"
    again = client.post(
        f"{BASE}/conversations/{conv['id']}/messages", headers=me, json={"text": "Hi?"}
    )
    assert again.status_code == 403


def test_a_stranger_gets_the_same_answer_and_no_email(client):
    me = _visitor(client)
    answers = []
    for email in (ANN, "bob@elsewhere.example"):
        response = client.post(f"{BASE}/sign-in/code", headers=me, json={"email": email})
        answers.append((response.status_code, response.text.replace(email, "<email>")))
    assert answers[0] == answers[1]
    assert _mails() == 1
    for _ in range(4):
        client.post(
            f"{BASE}/sign-in/verify",
            headers=me,
            json={"email": "bob@elsewhere.example", "code": "111111"},
        )
    locked = client.post(
        f"{BASE}/sign-in/verify",
        headers=me,
        json={"email": "bob@elsewhere.example", "code": "111111"},
    )
    assert locked.status_code == 422
    assert locked.json()["error"]["message"] == "Too many attempts. Please request a new code."
    assert client.get(f"{BASE}/access", headers=me).json()["data"]["state"] == "sign_in"


@pytest.mark.parametrize(
    "path, body, headers, status",
    [
        ("/sign-in/code", {"email": "not an email"}, True, 422),
        ("/sign-in/code", {"email": ANN}, False, 401),
        ("/sign-in/verify", {"email": ANN, "code": "12"}, True, 422),
        ("/sign-out", None, False, 401),
    ],
)
def test_bad_requests_are_clear_4xx(client, path, body, headers, status):
    me = _visitor(client) if headers else {"Origin": SITE}
    response = client.post(f"{BASE}{path}", headers=me, json=body)
    assert response.status_code == status and response.json()["error"]["message"]


def test_open_and_private_agents_have_no_sign_in(client, world):  # noqa: F811
    me = _visitor(client)
    shop = "/api/public-chat/reception-shop"
    assert client.get(f"{shop}/access", headers=me).json()["data"]["state"] == "open"
    free = client.post(f"{shop}/sign-in/code", headers=me, json={"email": ANN})
    assert free.status_code == 403
    private = client.get("/api/public-chat/back-office/access", headers=me).json()["data"]
    assert private["state"] == "private"
    assert client.get("/api/public-chat/nobody/access", headers=me).status_code == 404
    many = [
        client.post(f"{BASE}/sign-in/code", headers=me, json={"email": f"p{n}@x.example"})
        for n in range(25)
    ]
    assert many[-1].status_code == 429  # 20 codes per network address per 15 minutes
