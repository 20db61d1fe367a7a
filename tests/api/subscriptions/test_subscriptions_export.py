"""GET /api/agents/{agent_id}/subscriptions/export: cookie session, roles, tenants, filters,
escaped cells, audit entry."""

from __future__ import annotations

import csv
import io
from datetime import date

from fastapi.testclient import TestClient
from sqlmodel import select

from crm_app import db, routes
from crm_app.api import build_api
from crm_app.models import AuditLog, User
from crm_app.services import sessions


def _client(world, who: str | None = "owner") -> TestClient:
    client = TestClient(build_api())
    if who:
        actor = world[who]
        with db.session_scope() as s:
            token = sessions.create_session(s, s.get(User, actor.user_id), actor.org_id)
        client.cookies.set(sessions.COOKIE_NAME, token)
    return client


def _url(agent_id) -> str:
    return routes.API_SUBSCRIPTIONS_EXPORT.format(agent_id=agent_id)


def _rows(response):
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def test_owner_downloads_every_transaction(world):
    response = _client(world).get(_url(world["agent_id"]))
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert response.headers["cache-control"] == "no-store"
    assert (
        response.headers["content-disposition"]
        == f'attachment; filename="subscriptions-reception-{date.today().isoformat()}.csv"'
    )
    rows = _rows(response)
    assert rows[0][:3] == ["Date (UTC)", "Type", "Email"] and len(rows) == 5
    assert sorted(r[1] for r in rows[1:]) == ["Payment", "Payment", "Payment", "Refund"]
    assert "'=John Formula" in [r[3] for r in rows]
    with db.session_scope() as s:
        entry = s.exec(select(AuditLog).where(AuditLog.resource == "Subscription")).one()
    assert entry.user_id == world["owner"].user_id and "Exported 4" in entry.description


def test_search_and_dates_in_the_query_string(world):
    client = _client(world, "admin")
    rows = _rows(client.get(_url(world["agent_id"]), params={"search": "john"}))
    assert [r[1] for r in rows[1:]] == ["Refund", "Payment"]
    rows = _rows(
        client.get(
            _url(world["agent_id"]),
            params={"from": "2000-01-01", "to": "2000-01-31", "tz": "Europe/Madrid"},
        )
    )
    assert len(rows) == 1  # the header alone
    bad = client.get(_url(world["agent_id"]), params={"from": "yesterday"})
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "date_from"


def test_who_may_not(world):
    assert _client(world, None).get(_url(world["agent_id"])).status_code == 401
    assert _client(world, "user").get(_url(world["agent_id"])).status_code == 403
    assert _client(world, "other").get(_url(world["agent_id"])).status_code == 404
    assert _client(world, "owner").get(_url(world["other_agent_id"])).status_code == 404
    assert _client(world, "owner").get(_url(999999)).status_code == 404
    with db.session_scope() as s:
        assert not s.exec(select(AuditLog).where(AuditLog.resource == "Subscription")).all()
