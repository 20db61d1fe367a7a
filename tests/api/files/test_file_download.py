"""GET /api/contacts/{contact_id}/files/{file_id}: the session cookie is resolved on every
request; org, agent and role are checked; files go out as attachments that browsers won't sniff."""

from __future__ import annotations

import io
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient
from sqlmodel import SQLModel

from crm_app import db, settings
from crm_app.api import build_api
from crm_app.models import Agent, Membership, Organization, User
from crm_app.services import fields, files, principal, sessions, stages
from crm_app.services.contacts import Origin, save_contact

PDF = b"%PDF-1.4\n% test file\n"


@dataclass
class World:
    contact_id: str
    file_id: int
    tokens: dict[str, str]


@pytest.fixture()
def world(tmp_path, monkeypatch) -> World:
    monkeypatch.setenv("CRM_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("CRM_DATABASE_URL", raising=False)
    settings.get_settings.cache_clear()
    db.get_engine.cache_clear()
    SQLModel.metadata.create_all(db.get_engine())
    with db.session_scope() as s:
        clinic, shop = Organization(name="Clinic"), Organization(name="Shop")
        users = {
            k: User(email=f"{k}@example.com", first_name=k.title())
            for k in ("owner", "user", "stranger", "outsider", "revoked")
        }
        s.add_all([clinic, shop, *users.values()])
        s.flush()
        agent, second = (
            Agent(org_id=clinic.id, name="Reception", slug="reception"),
            Agent(org_id=clinic.id, name="Billing", slug="billing"),
        )
        s.add_all([agent, second])
        s.flush()
        fields.install_default_fields(s, agent.id)
        stages.install_default_stages(s, agent.id)
        memberships = {
            "owner": (clinic, "Owner", []),
            "user": (clinic, "User", [agent.id]),
            "stranger": (clinic, "User", [second.id]),
            "outsider": (shop, "Owner", []),
            "revoked": (clinic, "Owner", []),
        }
        for key, (org, role, agent_ids) in memberships.items():
            s.add(Membership(org_id=org.id, user_id=users[key].id, role=role, agent_ids=agent_ids))
        s.flush()
        owner = principal.member(s, users["owner"].id, clinic.id)
        contact = save_contact(
            s,
            agent,
            {"name": "Maria", "email": "maria@example.com"},
            source="Manual",
            origin=Origin.member(owner),
        ).contact
        row = files.add_file(s, owner, agent.id, contact.id, 'Lab "results" é.pdf', io.BytesIO(PDF))
        tokens = {k: sessions.create_session(s, users[k], memberships[k][0].id) for k in users}
        sessions.revoke_session(s, tokens["revoked"])
        s.flush()
        out = World(contact.id, row.id, tokens)
    yield out
    db.get_engine().dispose()
    settings.get_settings.cache_clear()
    db.get_engine.cache_clear()


@pytest.fixture()
def client(world):
    with TestClient(build_api(), base_url="http://testserver") as c:
        yield c


def _get(client, world, who: str | None, contact_id=None, file_id=None):
    if who:
        client.cookies.set(sessions.COOKIE_NAME, world.tokens[who])
    else:
        client.cookies.clear()
    return client.get(
        f"/api/contacts/{contact_id or world.contact_id}/files/{file_id or world.file_id}"
    )


@pytest.mark.parametrize("who", ["owner", "user"])
def test_member_with_the_agent_downloads_as_attachment(client, world, who):
    response = _get(client, world, who)
    assert response.status_code == 200
    assert response.content == PDF
    assert response.headers["content-type"].startswith("application/pdf")
    assert response.headers["x-content-type-options"] == "nosniff"
    disposition = response.headers["content-disposition"]
    assert disposition.startswith("attachment;")
    assert "filename*=utf-8''Lab%20results%20%C3%A9.pdf" in disposition
    assert "private" in response.headers["cache-control"]


def test_no_cookie_is_401(client, world):
    response = _get(client, world, None)
    assert response.status_code == 401 and PDF not in response.content


def test_revoked_session_is_401(client, world):
    assert _get(client, world, "revoked").status_code == 401


@pytest.mark.parametrize("who", ["outsider", "stranger"])
def test_other_org_or_user_of_another_agent_gets_404(client, world, who):
    response = _get(client, world, who)
    assert response.status_code == 404
    assert response.json() == {"error": {"message": "Contact not found."}}


def test_unknown_file_or_contact_is_404(client, world):
    assert _get(client, world, "owner", file_id=world.file_id + 99).status_code == 404
    assert _get(client, world, "owner", contact_id="0" * 24).status_code == 404
    assert _get(client, world, "owner", file_id="../../etc/passwd").status_code == 404


def test_download_is_audited(client, world):
    from sqlmodel import select

    from crm_app.models import AuditLog

    assert _get(client, world, "owner").status_code == 200
    with db.session_scope() as s:
        entries = [a.description for a in s.exec(select(AuditLog).where(AuditLog.action == "Read"))]
    assert entries == [f"Downloaded file {world.file_id} of contact {world.contact_id}"]
