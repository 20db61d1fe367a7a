"""The HTTP layer's shared parts: one handler turns any typed service error into the JSON
envelope, the request's session commits before the answer and rolls back on an error, and
every route belongs to a tagged router with typed bodies for its JSON."""

from __future__ import annotations

import pytest
from fastapi import APIRouter
from fastapi.testclient import TestClient
from sqlmodel import select

from crm_app import db
from crm_app.api import build_api
from crm_app.api.deps import Db
from crm_app.models import Organization
from crm_app.services.errors import Conflict, PermissionDenied, RateLimited, ValidationError


@pytest.fixture
def client(db_env):
    api = build_api()
    probe = APIRouter(prefix="/api/probe")

    @probe.post("/write")
    def write(session: Db, fail: str = "") -> dict:
        session.add(Organization(name="Written by the probe"))
        session.flush()
        if fail:
            raise ValidationError("That name is taken.", field="name")
        return {"ok": True}

    @probe.get("/raise/{kind}")
    def raise_(kind: str) -> dict:
        raise {
            "conflict": Conflict("Already there."),
            "denied": PermissionDenied("Not for you."),
            "limited": RateLimited("Slow down.", field="email"),
        }[kind]

    api.include_router(probe)
    with TestClient(api) as c:
        yield c


def _orgs() -> list[str]:
    with db.session_scope(read_only=True) as s:
        return [o.name for o in s.exec(select(Organization))]


@pytest.mark.parametrize(
    "kind, status, error",
    [
        ("conflict", 409, {"message": "Already there."}),
        ("denied", 403, {"message": "Not for you."}),
        ("limited", 429, {"message": "Slow down.", "field": "email"}),
    ],
)
def test_any_service_error_is_answered_with_the_envelope(client, kind, status, error):
    response = client.get(f"/api/probe/raise/{kind}")
    assert response.status_code == status
    assert response.json() == {"error": error}
    assert response.headers["cache-control"] == "no-store"


def test_the_request_session_commits_on_success_and_rolls_back_on_an_error(client):
    refused = client.post("/api/probe/write?fail=1")
    assert refused.status_code == 422
    assert refused.json() == {"error": {"message": "That name is taken.", "field": "name"}}
    assert _orgs() == []
    assert client.post("/api/probe/write").json() == {"ok": True}
    assert _orgs() == ["Written by the probe"]


def test_every_route_is_in_a_tagged_router_and_json_bodies_are_typed(db_env):
    paths = build_api().openapi()["paths"]
    operations = [op for item in paths.values() for op in item.values()]
    assert operations and all(op.get("tags") for op in operations)
    describe = paths["/api/forms/{slug}"]["get"]["responses"]
    assert describe["200"]["content"]["application/json"]["schema"]["$ref"].endswith(
        "/FormDescription"
    )
    submit = paths["/api/forms/{slug}/submit"]["post"]
    assert submit["responses"]["422"]["content"]["application/json"]["schema"]["$ref"].endswith(
        "/SubmitRefused"
    )
    assert "application/json" in submit["requestBody"]["content"]
    export = paths["/api/agents/{agent_id}/contacts/export"]["get"]["responses"]
    assert export["401"]["content"]["application/json"]["schema"]["$ref"].endswith("/ErrorEnvelope")
