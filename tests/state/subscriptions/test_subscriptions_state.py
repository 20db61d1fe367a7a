"""Subscriptions handlers as the browser calls them: an Owner sees revenue, the chart and
the transactions and filters them; the export link carries the filters; a User and
another organization's Owner get nothing."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from crm_app import db
from crm_app.models import User
from crm_app.services import sessions
from crm_app.state.base import AppState
from crm_app.state.subscriptions import SubscriptionsState

_spec = importlib.util.spec_from_file_location(
    "payments_fixtures", Path(__file__).resolve().parents[2] / "unit" / "payments" / "conftest.py"
)
_fixtures = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_fixtures)
world = _fixtures.world


@pytest.fixture()
def make_state(monkeypatch):
    def make(actor, agent_id: int) -> SubscriptionsState:
        with db.session_scope() as s:
            token = sessions.create_session(s, s.get(User, actor.user_id), actor.org_id)
        monkeypatch.setattr(AppState, "_token", lambda self: token)
        monkeypatch.setattr(AppState, "route_agent_id", lambda self: agent_id)
        root = AppState(_reflex_internal_init=True)
        state = root.get_substate(SubscriptionsState.get_full_name().split(".")[2:])
        state.load_shell()
        state.load()
        return state

    return make


def test_owner_sees_and_filters(world, make_state):
    state = make_state(world["owner"], world["agent_id"])
    assert state.load_error == "" and state.has_purchases and state.total == 4
    assert [r.currency for r in state.revenue] == ["EUR", "USD"]  # the larger net first
    assert state.active_passes == 1 and state.chart_currency in ("USD", "EUR")
    state.set_chart_currency("USD")
    assert sum(p["Paid"] for p in state.chart_points) == 30.0
    assert sum(p["Refunded"] for p in state.chart_points) == -15.0
    state.set_chart_currency("XXX")
    assert state.chart_currency == "USD"
    assert state.export_url == f"/api/agents/{world['agent_id']}/subscriptions/export"
    state.set_search("john")
    assert [r.kind for r in state.rows] == ["Refund", "Payment"] and state.filtered
    assert state.export_url.endswith("/subscriptions/export?search=john")
    state.set_date("date_from", "2030-01-02")
    state.set_date("date_to", "2030-01-01")
    assert state.errors == {"date_to": "The start date is after the end date."}
    state.set_date("date_to", "2030-01-31")
    assert state.errors == {} and state.total == 0 and state.revenue == []
    state.set_date("page", "3")  # not a filter: ignored
    state.clear_filters()
    assert state.total == 4 and not state.filtered


def test_user_and_other_organization_get_nothing(world, make_state):
    state = make_state(world["user"], world["agent_id"])
    assert "Admin role" in state.load_error and state.rows == [] and not state.has_purchases
    state = make_state(world["other"], world["agent_id"])
    assert state.load_error == "Agent not found." and state.rows == []
    assert "Agent not found." in str(state.set_search("maria"))
    assert state.rows == []
