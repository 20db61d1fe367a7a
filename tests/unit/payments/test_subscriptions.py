"""services/payments/subscriptions: the Subscriptions page's numbers — revenue per currency
net of refunds (a refund counted on its own day, as a row of its own), live passes, search,
dates in the viewer's time zone, pages, the CSV (escaped cells) — for Owners and Admins of
the agent's organization only (a User, another organization: refused)."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from sqlmodel import select

from crm_app.db import session_scope
from crm_app.models import AuditLog, utcnow
from crm_app.services.agents import create_agent
from crm_app.services.errors import NotFound, PermissionDenied, ValidationError
from crm_app.services.payments import subscriptions as subs
from crm_app.services.payments import subscriptions_csv as subs_csv


def _overview(actor, agent_id, **query):
    with session_scope() as s:
        return subs.overview(s, actor, agent_id, subs.clean_query(**query))


def test_revenue_is_net_of_refunds_per_currency_and_refunds_are_rows(world):
    view = _overview(world["owner"], world["agent_id"])
    assert view["has_purchases"] and view["total"] == 4  # 3 payments + 1 refund
    revenue = {r["currency"]: r for r in view["revenue"]}
    assert revenue["USD"]["paid_text"] == "$30.00"
    assert revenue["USD"]["refunded_text"] == "$15.00"
    assert revenue["USD"]["net_text"] == "$15.00"
    assert revenue["EUR"]["net_text"] == "€20.00"
    assert view["active_passes"] == 1 and view["active_subscribers"] == 1
    kinds = [(r["kind"], r["email"], r["status"], r["amount_text"]) for r in view["rows"]]
    assert kinds == [
        ("Payment", "maria@example.com", "Active", "$15.00"),
        ("Refund", "john@example.com", "Refund", "-$15.00"),
        ("Payment", "john@example.com", "Refunded", "$15.00"),
        ("Payment", "maria@example.com", "Expired", "€20.00"),
    ]
    assert view["rows"][0]["credits_text"] == "7 of 10 left"
    assert view["rows"][0]["name"] == "Maria Lopez"
    # The chart: per day over the data's span (40 days back), paid and refunded apart.
    usd = view["chart"]["usd"]
    assert view["chart_period"].startswith("Per day")
    assert sum(p["paid"] for p in usd) == 30.0 and sum(p["refunded"] for p in usd) == -15.0
    assert len(view["chart"]["eur"]) == len(usd) >= 40


def test_search_dates_and_pages(world, monkeypatch):
    view = _overview(world["admin"], world["agent_id"], search="LOPEZ")
    assert {r["email"] for r in view["rows"]} == {"maria@example.com"} and view["total"] == 2
    view = _overview(world["admin"], world["agent_id"], search="john@")
    assert [r["kind"] for r in view["rows"]] == ["Refund", "Payment"]
    assert _overview(world["admin"], world["agent_id"], search="%")["total"] == 0
    # Dates: the last 5 days hold both USD payments and the refund, not the EUR one; the
    # revenue follows the dates too (the search narrows only the table).
    since = (utcnow() - timedelta(days=5)).date()
    view = _overview(world["admin"], world["agent_id"], date_from=since, search="maria")
    assert view["total"] == 1
    assert [r["currency"] for r in view["revenue"]] == ["USD"]
    assert view["revenue"][0]["net_text"] == "$15.00"
    # Long periods are charted per month.
    view = _overview(world["admin"], world["agent_id"], date_from="2025-01-01")
    assert view["chart_period"].startswith("Per month")
    with pytest.raises(ValidationError) as bad:
        subs.clean_query(date_from="2026-12-05", date_to="2026-12-01")
    assert bad.value.field == "date_to"
    with pytest.raises(ValidationError):
        subs.clean_query(date_from="tomorrow")
    assert subs.clean_query(tz="Mars/Olympus").tz == "UTC"
    monkeypatch.setattr(subs, "PAGE_SIZE", 3)
    view = _overview(world["admin"], world["agent_id"], page=2)
    assert view["pages"] == 2 and len(view["rows"]) == 1 and view["page"] == 2
    assert _overview(world["admin"], world["agent_id"], page=99)["page"] == 2


def test_money():
    assert subs.money(1500, "usd") == "$15.00"
    assert subs.money(-100000, "jpy") == "-¥100,000"
    assert subs.money(300, "chf") == "3.00 CHF"


def test_only_owners_and_admins_of_the_organization(world):
    with pytest.raises(PermissionDenied):
        _overview(world["user"], world["agent_id"])
    with pytest.raises(NotFound):
        _overview(world["other"], world["agent_id"])
    with session_scope() as s, pytest.raises(NotFound):
        subs_csv.iter_csv(s, world["other"], world["agent_id"], subs.clean_query())
    # Nothing of the other organization's agent leaks into ours, nor the reverse.
    view = _overview(world["other"], world["other_agent_id"])
    assert view["total"] == 1 and view["revenue"][0]["net_text"] == "$999.00"
    assert "maria@example.com" not in repr(view)


def test_empty_agent(world):
    with session_scope() as s:
        agent = create_agent(s, world["owner"], "Front desk")
    view = _overview(world["owner"], agent.id)
    assert view["has_purchases"] is False and view["rows"] == [] and view["revenue"] == []
    assert view["chart"] == {} and view["active_passes"] == 0


def test_csv_escapes_cells_and_is_audited(world):
    with session_scope() as s:
        export = subs_csv.iter_csv(s, world["owner"], world["agent_id"], subs.clean_query())
        text = "".join(export)
        subs_csv.record_export(s, world["owner"], export.agent, export.count)
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0] == list(subs_csv.CSV_COLUMNS) and len(rows) == 5
    refund = next(r for r in rows if r[1] == "Refund")
    assert refund[3] == "'=John Formula" and refund[4] == "-15.00" and refund[5] == "USD"
    payment = next(r for r in rows if r[1] == "Payment" and r[2] == "maria@example.com")
    assert payment[6] == "Active" and payment[7] == "7" and payment[8] == "10"
    assert payment[10] == "pi_maria"
    with session_scope() as s:
        entry = s.exec(select(AuditLog).where(AuditLog.resource == "Subscription")).one()
        assert entry.description == "Exported 4 subscription transactions of the agent Reception"
