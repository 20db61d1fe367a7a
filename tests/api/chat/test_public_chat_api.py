"""The visitor chat API: any site may call it with the visitor's token (no cookies); a
reply streams as Server-Sent Events; refusals are JSON errors and store nothing."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient
from sqlmodel import select

from crm_app import db
from crm_app.api import build_api
from crm_app.api.origins import RefuseForeignOrigins
from crm_app.models import Message
from crm_app.services.chat import turn
from tests.unit.chat.conftest import FakeEngine, world  # noqa: F401  (fixture)

SITE = "https://www.harbor-clinic.example"  # a clinic's own website embedding the chat
BASE = "/api/public-chat/reception-clinic"


@pytest.fixture()
def engine_reply(monkeypatch) -> FakeEngine:
    fake = FakeEngine(reply_text="Happy to help with that.")
    monkeypatch.setattr(turn, "_engine_factory", lambda: lambda config: fake)
    return fake


@pytest.fixture()
def client(world):  # noqa: F811
    return TestClient(RefuseForeignOrigins(build_api()), base_url="http://localhost:3000")


def _events(body: str) -> list[tuple[str, dict]]:
    out = []
    for block in body.strip().split("\n\n"):
        lines = dict(line.split(": ", 1) for line in block.splitlines())
        out.append((lines["event"], json.loads(lines["data"])))
    return out


def _visitor(client) -> dict:
    response = client.post(f"{BASE}/visitors", headers={"Origin": SITE})
    assert response.status_code == 201 and response.headers["access-control-allow-origin"] == "*"
    return {"X-Visitor-Token": response.json()["data"]["token"], "Origin": SITE}


def test_a_visitor_chats_from_another_site_and_the_reply_streams(client, engine_reply):
    about = client.get(BASE, headers={"Origin": SITE}).json()["data"]
    assert about["name"] == "Reception-Clinic" and about["available"] is True
    me = _visitor(client)
    conv = client.post(f"{BASE}/conversations", headers=me).json()["data"]
    sent = client.post(
        f"{BASE}/conversations/{conv['id']}/messages", headers=me, json={"text": "Hi <b>there</b>"}
    )
    assert sent.status_code == 200 and sent.headers["content-type"].startswith("text/event-stream")
    events = _events(sent.text)
    assert events[0][0] == "accepted" and events[0][1]["visitor"]["content"] == "Hi <b>there</b>"
    assert "".join(e[1]["text"] for e in events if e[0] == "delta") == "Happy to help with that."
    assert (
        events[-1][0] == "done" and events[-1][1]["reply"]["content"] == "Happy to help with that."
    )
    listed = client.get(f"{BASE}/conversations/{conv['id']}/messages", headers=me).json()["data"]
    assert [m["role"] for m in listed] == ["agent", "visitor", "agent"]
    assert listed[0]["content"] == "Welcome to reception-clinic!"
    liked = client.post(
        f"{BASE}/messages/{listed[-1]['id']}/feedback", headers=me, json={"value": "like"}
    )
    assert liked.status_code == 200 and liked.json()["data"]["feedback"] == "like"
    mine = client.get(f"{BASE}/conversations", headers=me).json()["data"]
    assert [c["id"] for c in mine] == [conv["id"]] and mine[0]["title"] == "Hi <b>there</b>"


def test_other_visitors_and_agents_see_nothing(client, engine_reply):
    me = _visitor(client)
    conv = client.post(f"{BASE}/conversations", headers=me).json()["data"]
    stranger = _visitor(client)
    for url in (f"{BASE}/conversations/{conv['id']}/messages",):
        assert client.get(url, headers=stranger).status_code == 404
        assert client.post(url, headers=stranger, json={"text": "hi"}).status_code == 404
    assert client.get(f"{BASE}/conversations", headers=stranger).json()["data"] == []
    # The same conversation id under the second organization's agent.
    other = f"/api/public-chat/reception-shop/conversations/{conv['id']}/messages"
    assert client.get(other, headers=me).status_code == 404
    assert client.get(f"{BASE}/conversations", headers={"Origin": SITE}).status_code == 401
    assert (
        client.get(f"{BASE}/conversations", headers={"X-Visitor-Token": "guess"}).status_code == 401
    )
    assert (
        client.get("/api/public-chat/back-office", headers={"Origin": SITE}).json()["data"][
            "available"
        ]
        is False
    )
    private = client.post("/api/public-chat/back-office/conversations", headers=me)
    assert private.status_code == 403
    assert client.get("/api/public-chat/nobody", headers={"Origin": SITE}).status_code == 404


@pytest.mark.parametrize(
    "text, status, message",
    [
        ("   ", 422, "Please type a message."),
        ("x" * 4001, 422, "Messages can be at most 4,000 characters."),
    ],
)
def test_refused_messages_are_json_errors_and_store_nothing(
    client, engine_reply, text, status, message
):
    me = _visitor(client)
    conv = client.post(f"{BASE}/conversations", headers=me).json()["data"]
    refused = client.post(
        f"{BASE}/conversations/{conv['id']}/messages", headers=me, json={"text": text}
    )
    assert refused.status_code == status and refused.json()["error"]["message"] == message
    with db.session_scope() as s:
        assert len(s.exec(select(Message).where(Message.conversation_id == conv["id"])).all()) == 1
