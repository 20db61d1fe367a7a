"""Agent → Subscriptions: what the agent's Pay for Access visitors paid (Owner/Admin).

Revenue per currency (net of refunds), a chart per day, the live passes, and the
transactions (payments and refunds) with a search, dates in the viewer's time zone and
pages; the CSV export is a download link to api/subscriptions.py with the same filters.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

import reflex as rx

from crm_app import routes
from crm_app.services.errors import NotFound, ServiceError
from crm_app.services.payments import subscriptions as service
from crm_app.state.base import AppState, BrowserTimeZone, error_toast, shows_errors
from crm_app.state.dto import pick, pick_all


@dataclass
class RevenueCard:
    currency: str = ""
    net_text: str = ""
    paid_text: str = ""
    refunded_text: str = ""


@dataclass
class TxRow:
    key: str = ""
    kind: str = ""
    date_text: str = ""
    email: str = ""
    name: str = ""
    contact_id: str = ""
    amount_text: str = ""
    status: str = ""
    credits_text: str = ""
    expires_text: str = ""


class SubscriptionsState(BrowserTimeZone, AppState):
    loaded: bool = False
    load_error: str = ""
    agent_name: str = ""
    access_mode: str = ""
    has_purchases: bool = False
    revenue: list[RevenueCard] = []
    currencies: list[str] = []
    chart_currency: str = ""
    chart_points: list[dict[str, str | float]] = []  # label, paid, refunded
    chart_period: str = ""
    active_passes: int = 0
    active_subscribers: int = 0
    rows: list[TxRow] = []
    total: int = 0
    page: int = 1
    pages: int = 1
    search: str = ""
    date_from: str = ""
    date_to: str = ""
    errors: dict[str, str] = {}
    export_url: str = ""
    settings_path: str = ""
    _chart: dict[str, list[dict]] = {}

    # ------------------------------------------------------------------ computed

    @rx.var
    def range_label(self) -> str:
        if self.total == 0:
            return "No transactions"
        first = (self.page - 1) * service.PAGE_SIZE + 1
        last = min(self.total, self.page * service.PAGE_SIZE)
        return f"{first}–{last} of {self.total}"

    @rx.var
    def filtered(self) -> bool:
        return bool(self.search or self.date_from or self.date_to)

    def _export_url(self, agent_id: int) -> str:
        params = {"search": self.search, "from": self.date_from, "to": self.date_to}
        params = {k: v for k, v in params.items() if v}
        if self._tz_name:
            params["tz"] = self._tz_name
        url = routes.API_SUBSCRIPTIONS_EXPORT.format(agent_id=agent_id)
        return url + ("?" + urlencode(params) if params else "")

    # ------------------------------------------------------------------ loading

    def _fetch(self) -> None:
        agent_id = self.route_agent_id()
        if agent_id is None:
            raise NotFound("Agent not found.")
        query = service.clean_query(
            self.search, self.date_from, self.date_to, self._tz_name or "UTC", self.page
        )
        with self.unit(read_only=True) as (session, actor):
            view = service.overview(session, actor, agent_id, query)
        self.agent_name, self.access_mode = view["agent_name"], view["access_mode"]
        self.has_purchases = view["has_purchases"]
        self.revenue = pick_all(RevenueCard, view["revenue"])
        self.currencies = [c.upper() for c in view["currencies"]]
        self._chart = view["chart"]
        if self.chart_currency not in self.currencies:
            self.chart_currency = self.currencies[0] if self.currencies else ""
        self._fill_chart()
        self.chart_period = view["chart_period"]
        self.active_passes = view["active_passes"]
        self.active_subscribers = view["active_subscribers"]
        self.rows = [pick(TxRow, r) for r in view["rows"]]
        self.total, self.page, self.pages = view["total"], view["page"], view["pages"]
        self.export_url = self._export_url(agent_id)
        self.settings_path = routes.agent_path(routes.AGENT_SETTINGS, agent_id)
        self.load_error, self.loaded = "", True

    def _fill_chart(self) -> None:
        points = self._chart.get(self.chart_currency.lower(), [])
        self.chart_points = [
            {"label": p["label"], "Paid": p["paid"], "Refunded": p["refunded"]} for p in points
        ]

    def _refill(self) -> None:
        self._fetch()

    @rx.event
    def load(self):
        self.search, self.date_from, self.date_to, self.page = "", "", "", 1
        self.errors, self.chart_currency = {}, ""
        try:
            self._fetch()
        except NotFound as error:
            self.load_error, self.loaded = error.message, True
            return None
        except ServiceError as error:
            self.load_error, self.loaded = error.message, True
            return error_toast(error)
        return self._ask_time_zone()

    # ------------------------------------------------------------------ filters

    @rx.event
    @shows_errors(fields="errors")
    def set_search(self, value: str):
        self.search = str(value or "")[: service.SEARCH_MAX]
        self.page = 1
        self._fetch()

    @rx.event
    @shows_errors(fields="errors")
    def set_date(self, field: str, value: str):
        if field not in ("date_from", "date_to"):
            return
        setattr(self, field, str(value or "")[:10])
        self.errors, self.page = {}, 1
        self._fetch()

    @rx.event
    @shows_errors(fields="errors")
    def clear_filters(self):
        self.search, self.date_from, self.date_to, self.page, self.errors = "", "", "", 1, {}
        self._fetch()
        return rx.set_value("subscriptions-search", "")

    @rx.event
    def set_chart_currency(self, value: str | list[str]):
        if value in self.currencies:
            self.chart_currency = value
            self._fill_chart()

    @rx.event
    @shows_errors
    def next_page(self):
        if self.page < self.pages:
            self.page += 1
        self._fetch()

    @rx.event
    @shows_errors
    def prev_page(self):
        self.page = max(1, self.page - 1)
        self._fetch()
