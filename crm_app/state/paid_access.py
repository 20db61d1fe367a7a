"""Agent settings → Paid Access Configuration: the offer of a Pay for Access agent.

Its own state (the Visibility section's state is another's): loads with the page, saves
with one service call (services/payments/offer.save_offer, Admin+), errors at each field.
"""

from __future__ import annotations

import reflex as rx

from crm_app.services.errors import NotFound, ServiceError
from crm_app.services.payments import keys, offer
from crm_app.state.base import AppState, shows_errors

_FIELDS = ("price", "currency", "days", "credits")


class PaidAccessState(AppState):
    loaded: bool = False
    can_edit: bool = False
    price: str = ""
    currency: str = "usd"
    days: str = "30"
    credits: str = ""
    summary: str = ""  # the saved offer in words
    connected: bool = True  # the organization has Stripe keys
    errors: dict[str, str] = {}

    @rx.var
    def price_symbol(self) -> str:
        info = offer.CURRENCIES.get(self.currency)
        return info.symbol.strip() if info else ""

    @rx.var
    def preview(self) -> str:
        """The offer as visitors will read it, from what is typed (empty when incomplete)."""
        try:
            typed = offer.check_offer(
                price=self.price, currency=self.currency, days=self.days, credits=self.credits
            )
        except ServiceError:
            return ""
        return offer.describe(typed)

    def _agent_id(self) -> int:
        agent_id = self.route_agent_id()
        if agent_id is None:
            raise NotFound("Agent not found.")
        return agent_id

    def _fill(self, view: dict) -> None:
        for field in _FIELDS:
            setattr(self, field, view[field])
        self.summary = view["summary"]
        self.loaded = True

    @rx.event
    def load(self):
        self.errors = {}
        try:
            with self.unit(read_only=True) as (session, actor):
                self._fill(offer.get_offer(session, actor, self._agent_id()))
                self.can_edit = actor.is_admin
                self.connected = keys.is_connected(session, actor.org_id)
        except ServiceError:
            self.loaded, self.can_edit = False, False

    @rx.event
    def set_field(self, field: str, value: str):
        field, value = str(field), str(value if value is not None else "")[:40]
        if field not in _FIELDS:
            return
        if field == "currency" and value not in offer.CURRENCIES:
            return
        setattr(self, field, value)
        if field in self.errors:
            self.errors = {k: v for k, v in self.errors.items() if k != field}

    @rx.event
    @shows_errors(fields="errors")
    def save(self, form_data: dict | None = None):
        form_data = form_data if isinstance(form_data, dict) else {}
        for field in ("price", "days", "credits"):  # a submit can overtake the debounce
            if isinstance(form_data.get(field), str):
                self.set_field(field, form_data[field])
        self.errors = {}
        with self.unit() as (session, actor):
            view = offer.save_offer(
                session,
                actor,
                self._agent_id(),
                price=self.price,
                currency=self.currency,
                days=self.days,
                credits=self.credits,
            )
        self._fill(view)
        return rx.toast.success(f"Paid access saved: {view['summary']}.")
