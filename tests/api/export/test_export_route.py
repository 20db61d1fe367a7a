"""GET /api/agents/{agent_id}/contacts/export: cookie session, roles, tenants, filters."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlmodel import select

from crm_app import db, routes
from crm_app.api import build_api
from crm_app.models import AuditLog, User
from crm_app.services import sessions


def _client(world, tag="clinic", who="owner_id") -> TestClient:
    client = TestClient(build_api())
    if who:
        with db.session_scope() as s:
            token = sessions.create_session(s, s.get(User, world[tag][who]), world[tag]["org_id"])
        client.cookies.set(sessions.COOKIE_NAME, token)
    return client


def _url(world, tag="clinic") -> str:
    return routes.API_EXPORT.format(agent_id=world[tag]["agent_id"])


def _rows(response):
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def test_owner_downloads_csv_attachment(filled):
    response = _client(filled).get(_url(filled))
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert (
        response.headers["content-disposition"]
        == f'attachment; filename="contacts-reception-clinic-{date.today().isoformat()}.csv"'
    )
    rows = _rows(response)
    assert rows[0][:3] == ["Name", "Primary Email", "Mobile Number"] and rows[0][-2:] == [
        "Insurance provider",
        "Referral note",
    ]
    assert len(rows) == 6
    assert '\'=HYPERLINK("http://evil.example","x")' in [r[-1] for r in rows]
    with db.session_scope() as s:
        entry = s.exec(select(AuditLog).where(AuditLog.action == "Read")).one()
    assert (
        entry.description.startswith("Exported 5 contacts")
        and entry.user_id == filled["clinic"]["owner_id"]
    )


def test_filters_and_selection_in_the_query_string(filled):
    client = _client(filled, who="admin_id")
    rows = _rows(
        client.get(
            _url(filled), params={"custom[insurance]": "Aetna", "sort": "name", "descending": "0"}
        )
    )
    assert sorted(r[0] for r in rows[1:]) == ["Ann Lee", "Maria Lopez"]
    rows = _rows(
        client.get(
            _url(filled),
            params={
                "search": "mar",
                "status": "Active",
                "stage": str(filled["clinic"]["stages"]["Lead"]),
            },
        )
    )
    assert sorted(r[0] for r in rows[1:]) == ["Maria Lopez", "Mark Chen"]
    ids = [filled["ids"][("clinic", "Zoe Park")], filled["ids"][("shop", "Shop Person")]]
    rows = _rows(client.get(_url(filled), params={"ids": ",".join(ids)}))
    assert [r[0] for r in rows[1:]] == ["Zoe Park"]


@pytest.mark.parametrize(
    "params",
    [{"custom[nope]": "x"}, {"stage": "abc"}, {"created_from": "yesterday"}, {"sort": "password"}],
)
def test_bad_parameters_are_422_before_any_csv(filled, params):
    response = _client(filled).get(_url(filled), params=params)
    assert response.status_code == 422 and "error" in response.json()


def test_no_session_user_role_and_other_org(filled):
    assert _client(filled, who=None).get(_url(filled)).status_code == 401
    bad = TestClient(build_api())
    bad.cookies.set(sessions.COOKIE_NAME, "forged-token")
    assert bad.get(_url(filled)).status_code == 401
    response = _client(filled, who="user_id").get(_url(filled))
    assert response.status_code == 403 and "Admin" in response.json()["error"]["message"]
    assert _client(filled, tag="shop").get(_url(filled)).status_code == 404  # another org's agent
    assert _client(filled).get(routes.API_EXPORT.format(agent_id=99999)).status_code == 404
    with db.session_scope() as s:
        assert s.exec(select(AuditLog).where(AuditLog.action == "Read")).all() == []
