"""The paywall of a Pay for Access agent on /a/<slug> (and in the widget's iframe).

A mixin of PublicChatState (state/chat/public.py), which knows the agent and the visitor:
`_gate_paid(session)` decides, for the visitor, "open" (a live pass: chat, with the credits
and days left in the header) or "paywall" (the offer, an email, `Pay`). `pay` asks
services/payments/checkout for a Stripe Checkout Session in a thread (no transaction open)
and sends the browser there (a new tab inside the widget: Checkout cannot run in a frame).

Coming back with `?checkout=done&session_id=cs_…` grants nothing: the page says "Payment
received — activating your access…" and `watch_checkout` polls until the signed webhook
made the pass (services/payments/webhooks.py), then opens the chat.
"""

from __future__ import annotations

import asyncio
import functools
import math

import reflex as rx

from crm_app.db import session_scope
from crm_app.models import Agent, utcnow
from crm_app.services.errors import ServiceError
from crm_app.services.gate import access as gate
from crm_app.services.payments import checkout, offer

ENDED = {
    "expired": "Your access has ended (expired). Renew to keep chatting.",
    "used_up": "Your access has ended (messages used up). Renew to keep chatting.",
    "refunded": "Your access has ended (refunded). Renew to keep chatting.",
}
WATCH_SECONDS = 120  # how long the success page waits for Stripe's webhook
WAIT_EMBED_SECONDS = 900  # the widget waits while the visitor pays in another tab
WATCH_EVERY = 1.0


class PaywallMixin(rx.State, mixin=True):
    pay_offer: str = ""  # "$9.00 for 30 days · 100 messages" ("": nothing for sale)
    pay_price: str = ""  # "$9.00"
    pay_email: str = ""
    pay_error: str = ""
    pay_ended: str = ""  # "" | expired | used_up | refunded
    paying: bool = False
    # "" | activating | waiting (widget) | active_elsewhere | revoked | slow | cancelled
    checkout_state: str = ""
    checkout_url: str = ""  # inside the widget: the link the visitor opens in a new tab
    pass_credits: int = -1  # credits left of the visitor's live pass (-1: no limit / none)
    pass_days: int = -1  # whole days left (-1: no pass)
    _checkout_id: str = ""
    _paid_agent: bool = False  # the agent is Public · Pay for Access

    @rx.var
    def pay_ended_text(self) -> str:
        return ENDED.get(self.pay_ended, "")

    @rx.var
    def pass_summary(self) -> str:
        """The header line for a paying visitor: "87 messages left · 29 days left"."""
        if self.pass_days < 0:
            return ""
        parts = []
        if self.pass_credits >= 0:
            parts.append(
                "1 message left"
                if self.pass_credits == 1
                else f"{self.pass_credits:,} messages left"
            )
        parts.append("1 day left" if self.pass_days == 1 else f"{self.pass_days:,} days left")
        return " · ".join(parts)

    # ------------------------------------------------------------------ deciding

    def _gate_paid(self, session) -> str:
        """ "open" or "paywall" for this visitor of the (Pay for Access) agent `_agent_id`,
        with the paywall's or the header's values filled."""
        agent = session.get(Agent, self._agent_id)
        if agent is None:
            return "paywall"
        seen = gate.visitor_access(session, agent, self._visitor_key)
        self._fill_pass(seen)
        if seen.state == "open":
            return "open"
        sold = offer.offer_of(agent)
        self.pay_offer = offer.describe(sold) if sold else ""
        self.pay_price = offer.format_amount(sold.price, sold.currency) if sold else ""
        self.pay_ended = seen.pass_ended
        if seen.email and not self.pay_email:
            self.pay_email = seen.email
        return "paywall"

    def _fill_pass(self, seen) -> None:
        if seen.state != "open" or seen.pass_id is None:
            self.pass_credits, self.pass_days = -1, -1
            return
        self.pass_credits = seen.credits_left if seen.credits_left is not None else -1
        left = (seen.expires_at - utcnow()).total_seconds() / 86400 if seen.expires_at else 0
        self.pass_days = max(1, math.ceil(left)) if seen.expires_at else -1

    def _fill_chats(self, session, who, *, open_latest: bool) -> None:
        """After every turn (ChatCore calls it): the pass's credits and days again, and the
        paywall once the pass has ended (the last credit used, expired, refunded)."""
        if self.view == "open" and self._paid_agent:
            days = self.pass_days
            if self._gate_paid(session) == "paywall":
                if self.pay_ended == "used_up" and not self.error:
                    # The reply to the last credit stays readable; the next message renews.
                    self.pass_credits, self.pass_days = 0, max(days, 0)
                    return
                self.view, self.lines, self.chats = "paywall", [], []
                return
        super()._fill_chats(session, who, open_latest=open_latest)

    def _checkout_return(self) -> list:
        """What the return from Stripe (query string) asks: events to run after load."""
        state = self._query("checkout")
        if state == "cancelled" and self.view == "paywall":
            self.checkout_state = "cancelled"
        elif state == "done":
            self._checkout_id = self._query("session_id")[:200]
            if self.view == "paywall" and self._checkout_id.startswith("cs_"):
                self.checkout_state = "activating"
                return [type(self).watch_checkout]
        return []

    # ------------------------------------------------------------------ events

    @rx.event
    def set_pay_email(self, value: str):
        value = str(value or "")[:320]
        if value != self.pay_email:  # another address: a new Checkout Session
            self.checkout_url = ""
        self.pay_email, self.pay_error = value, ""

    @rx.event(background=True)
    async def pay(self, form_data: dict | None = None):
        email = str((form_data or {}).get("email") or "")[:320]
        async with self:
            if self.paying or self.view != "paywall" or not self._agent_id:
                return
            self.pay_email = email or self.pay_email
            email = self.pay_email
            agent_id, visitor_key, ip = self._agent_id, self._visitor_key, self._ip()
            embed = self.embed
            self.paying, self.pay_error, self.checkout_state = True, "", ""
            self.checkout_url = ""
        try:
            url, cs_id = await rx.run_in_thread(
                lambda: checkout.create_checkout(agent_id, visitor_key, email, ip=ip)
            )
        except ServiceError as error:
            async with self:
                self.paying, self.pay_error = False, error.message
            return
        async with self:
            self.paying = False
            if embed:  # Checkout cannot run in a frame; a link the visitor clicks opens a tab
                self.checkout_url = url  # (a tab opened by script would meet popup blockers)
                self._checkout_id = cs_id
                return
        yield rx.redirect(url)

    @rx.event
    def checkout_opened(self):
        """Inside the widget, the visitor opened Checkout in a new tab: wait here for the
        webhook's pass too, so this chat opens by itself once Stripe confirmed."""
        if self.view == "paywall" and self._checkout_id.startswith("cs_"):
            self.checkout_state = "waiting"
            return type(self).watch_checkout

    @rx.event(background=True)
    async def watch_checkout(self):
        """The success page: wait for the webhook's pass (never grants anything itself)."""
        waited = 0.0
        async with self:
            limit = WAIT_EMBED_SECONDS if self.checkout_state == "waiting" else WATCH_SECONDS
        while waited < limit:
            async with self:
                if self.checkout_state not in ("activating", "waiting"):
                    return
                agent_id, cs_id = self._agent_id, self._checkout_id
            status = await rx.run_in_thread(functools.partial(_status, agent_id, cs_id))
            if status != "pending":
                async with self:
                    if status == "revoked":
                        self.checkout_state = "revoked"
                        return
                    with session_scope(read_only=True) as session:
                        if self._gate_paid(session) == "open":  # this browser paid: chat
                            self.checkout_state, self.view = "", "open"
                            self._fill_chats(session, self._who(), open_latest=True)
                            self.chat_ready = True
                            return
                    self.checkout_state = "active_elsewhere"
                    return
            await asyncio.sleep(WATCH_EVERY)
            waited += WATCH_EVERY
        async with self:
            self.checkout_state = "slow"

    @rx.event
    def reload_after_payment(self):
        return type(self).load


def _status(agent_id: int, cs_id: str) -> str:
    with session_scope(read_only=True) as session:
        return checkout.checkout_status(session, agent_id, cs_id)
