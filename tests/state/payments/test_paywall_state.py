"""The paywall on /a/<slug> under pytest: a visitor of a Pay for Access agent sees the offer;
back from Stripe the page waits ("activating") and grants nothing by itself; once the
signed webhook made the pass the same visitor chats with credits and days in the header;
a refund brings the paywall back with its reason."""

from __future__ import annotations

import pytest
import reflex as rx

from crm_app import db
from crm_app.models import Agent
from crm_app.services import agents, visitor_cookie
from crm_app.services.chat import visitors
from crm_app.services.payments import keys, webhooks
from crm_app.state.chat.public import PublicChatState
from tests.support.fake_stripe import checkout_completed, refund_event, signed

WHSEC = "whsec_paywallStateTest00000001"


@pytest.fixture()
def world(db_env):
    with db.session_scope() as s:
        owner = agents.create_owner(s, "olga@coach.example", "Coach", "Olga")
        agent = agents.create_agent(s, owner, "Coach", "coach")
        row = s.get(Agent, agent.id)
        row.visibility, row.access_mode = "Public", "Pay for Access"
        row.paid_config = {"price": 900, "currency": "usd", "days": 30, "credits": 100}
        keys.save_keys(s, owner, secret_key="sk_test_51PaywallStateKey42", webhook_secret=WHSEC)
        return {"agent_id": agent.id, "org_id": owner.org_id}


def _public(monkeypatch, token: str, query: dict | None = None):
    query = query or {}
    cookie = f"{visitor_cookie.COOKIE_NAME}={token}"
    monkeypatch.setattr(PublicChatState, "_slug", lambda self: "coach")
    monkeypatch.setattr(PublicChatState, "_query", lambda self, name: query.get(name, ""))
    monkeypatch.setattr(PublicChatState, "_cookie_header", lambda self: cookie)
    monkeypatch.setattr(PublicChatState, "_ip", lambda self: "203.0.113.9")
    root = rx.State(_reflex_internal_init=True)
    return root.get_substate(PublicChatState.get_full_name().split(".")[1:])


def _pay_by_webhook(world, key: str, email="pat@example.com") -> dict:
    evt = checkout_completed(agent_id=world["agent_id"], visitor_key=key, email=email)
    webhooks.handle(world["org_id"], *signed(evt, WHSEC))
    return evt


def test_the_paywall_then_the_chat_once_the_webhook_came(world, monkeypatch):
    token = visitors.new_visitor_token()
    state = _public(monkeypatch, token)
    state.load()
    assert state.view == "paywall" and state.lines == []
    assert state.pay_offer == "$9.00 for 30 days · 100 messages" and state.pay_price == "$9.00"
    assert state.pay_ended == "" and state.pass_summary == ""

    back = _public(monkeypatch, token, {"checkout": "done", "session_id": "cs_test_123"})
    events = back.load()
    assert back.view == "paywall" and back.checkout_state == "activating"  # nothing granted
    assert any("watch_checkout" in str(e) for e in events)

    _pay_by_webhook(world, visitors.visitor_key(token))
    paid = _public(monkeypatch, token)
    paid.load()
    assert paid.view == "open" and paid.pass_summary == "100 messages left · 30 days left"


def test_a_cancelled_checkout_says_so(world, monkeypatch):
    state = _public(monkeypatch, visitors.new_visitor_token(), {"checkout": "cancelled"})
    state.load()
    assert state.view == "paywall" and state.checkout_state == "cancelled"


def test_a_refund_brings_the_paywall_back_with_the_email(world, monkeypatch):
    token = visitors.new_visitor_token()
    evt = _pay_by_webhook(world, visitors.visitor_key(token))
    pi = evt["data"]["object"]["payment_intent"]
    webhooks.handle(world["org_id"], *signed(refund_event(pi, 900), WHSEC))
    state = _public(monkeypatch, token)
    state.load()
    assert state.view == "paywall" and state.pay_ended == "refunded"
    assert state.pay_ended_text == "Your access has ended (refunded). Renew to keep chatting."
    assert state.pay_email == "pat@example.com"


def test_another_browser_is_not_let_in_by_someone_elses_payment(world, monkeypatch):
    _pay_by_webhook(world, visitors.visitor_key(visitors.new_visitor_token()))
    state = _public(monkeypatch, visitors.new_visitor_token())
    state.load()
    assert state.view == "paywall" and state.pay_email == ""


def test_inside_the_widget_the_chat_waits_for_the_tab_where_the_visitor_pays(world, monkeypatch):
    state = _public(monkeypatch, visitors.new_visitor_token(), {"embed": "1"})
    state.load()
    assert state.view == "paywall" and state.embed
    assert state.checkout_opened() is None  # no Checkout Session yet: nothing to wait for
    state._checkout_id = "cs_test_widget"
    event = state.checkout_opened()
    assert state.checkout_state == "waiting" and "watch_checkout" in str(event)
