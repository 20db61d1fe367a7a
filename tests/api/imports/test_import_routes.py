"""Template and error-report downloads: authorized by the session cookie, per org/agent/role."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from fastapi.testclient import TestClient
from sqlmodel import select

from crm_app import db
from crm_app.api import build_api
from crm_app.models import User
from crm_app.services import sessions

_spec = importlib.util.spec_from_file_location(
    "import_fixtures", Path(__file__).resolve().parents[2] / "unit" / "imports" / "conftest.py"
)
_fixtures = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_fixtures)
world = _fixtures.world
CORPUS = _fixtures.CORPUS


def _client(email: str | None) -> TestClient:
    client = TestClient(build_api())
    if email:
        with db.session_scope() as s:
            user = s.exec(select(User).where(User.email == email)).one()
            from crm_app.models import Membership

            org_id = s.exec(select(Membership.org_id).where(Membership.user_id == user.id)).first()
            client.cookies.set(sessions.COOKIE_NAME, sessions.create_session(s, user, org_id))
    return client


def test_downloads_and_who_may_have_them(world):
    job = _fixtures.run(world, "15_invalid_rows.csv")
    agent = world["agent"]
    template = f"/api/agents/{agent}/imports/template"
    errors = f"/api/agents/{agent}/imports/{job['id']}/errors"

    owner = _client("rosa@clinic.example")
    response = owner.get(template)
    assert response.status_code == 200
    assert (
        response.headers["content-disposition"]
        == 'attachment; filename="contacts-template-front-desk.csv"'
    )
    assert (
        response.content.decode("utf-8-sig")
        .splitlines()[0]
        .startswith("Name,Email,Mobile Number,Gender")
    )
    response = owner.get(errors)
    assert response.status_code == 200
    assert (
        response.headers["content-disposition"]
        == 'attachment; filename="15_invalid_rows-errors.csv"'
    )
    assert "'bad@@example' is not a valid email address." in response.content.decode("utf-8-sig")

    assert _client(None).get(errors).status_code == 401
    assert _client("uma@clinic.example").get(errors).status_code == 403
    assert _client("uma@clinic.example").get(template).status_code == 403
    assert _client("sam@shop.example").get(errors).status_code == 404
    assert _client("sam@shop.example").get(template).status_code == 404
    other_agent = world["other_agent"]
    assert (
        _client("sam@shop.example")
        .get(f"/api/agents/{other_agent}/imports/{job['id']}/errors")
        .status_code
        == 404
    )
    # a job without errors has no report
    clean = _fixtures.run(world, "01_utf8_basic.csv")
    assert owner.get(f"/api/agents/{agent}/imports/{clean['id']}/errors").status_code == 404
