"""A visitor's Checkout Session: what is sent to Stripe (recorded by the fake), outside any
transaction; what is refused before anything is sent; the success page's status check."""

from __future__ import annotations

import pytest

from crm_app import db
from crm_app.models import Agent
from crm_app.services.errors import PermissionDenied, ValidationError
from crm_app.services.payments import checkout, keys, webhooks
from tests.support.fake_stripe import signed
from tests.unit.payments.stripe_flow.conftest import SECRET_KEY, WEBHOOK_SECRET


def test_the_session_carries_the_offer_email_and_metadata(world, visitor, stripe_api):
    url = checkout.start_checkout(world.agent_id, visitor, " Pat@Example.com ")
    assert url.startswith("https://checkout.stripe.test/pay/cs_test_")
    (request,) = stripe_api.checkout_requests()
    params = request.params
    assert request.method == "POST" and request.api_key == SECRET_KEY
    assert params["mode"] == "payment" and params["customer_email"] == "pat@example.com"
    item = params["line_items"][0]
    assert item["price_data"]["unit_amount"] == "900" and item["price_data"]["currency"] == "usd"
    assert item["price_data"]["product_data"]["description"] == "$9.00 for 30 days · 100 messages"
    assert params["metadata"] == {
        "crm_org_id": str(world.org_id),
        "agent_id": str(world.agent_id),
        "visitor_key": visitor,
        "email": "pat@example.com",
        "days": "30",
        "credits": "100",
    }
    assert params["success_url"] == (
        "http://localhost:3000/a/coach-clinic?checkout=done&session_id={CHECKOUT_SESSION_ID}"
    )
    assert params["cancel_url"] == "http://localhost:3000/a/coach-clinic?checkout=cancelled"


def test_no_transaction_is_open_while_stripe_is_called(world, visitor, stripe_api):
    seen = []
    handle = stripe_api.handle

    def spy(*args, **kwargs):
        seen.append(db.get_engine().pool.checkedout())
        return handle(*args, **kwargs)

    stripe_api.handle = spy
    checkout.start_checkout(world.agent_id, visitor, "a@b.co")
    keys.test_connection(world.owner)
    assert seen == [0, 0]


@pytest.mark.parametrize("email", ["", "not-an-email", "a@", "x" * 300 + "@b.co"])
def test_a_bad_email_is_refused_before_stripe(world, visitor, stripe_api, email):
    with pytest.raises(ValidationError) as caught:
        checkout.start_checkout(world.agent_id, visitor, email)
    assert caught.value.field == "email" and not stripe_api.requests


def test_only_public_paid_agents_with_an_offer_and_keys_sell(world, visitor, stripe_api):
    with pytest.raises(PermissionDenied):
        checkout.start_checkout(world.free_agent_id, visitor, "a@b.co")
    with pytest.raises(ValidationError, match="not valid"):
        checkout.start_checkout(world.agent_id, "member:1", "a@b.co")
    with db.session_scope() as s:
        agent = s.get(Agent, world.agent_id)
        agent.paid_config = {"price": 10, "currency": "usd", "days": 30, "credits": 5}
        s.add(agent)
    with pytest.raises(ValidationError, match="not set a price"):
        checkout.start_checkout(world.agent_id, visitor, "a@b.co")
    with db.session_scope() as s:
        agent = s.get(Agent, world.agent_id)
        agent.paid_config = {"price": 900, "currency": "usd", "days": 30, "credits": 5}
        s.add(agent)
        keys.clear_keys(s, world.owner)
    with pytest.raises(ValidationError, match="not available"):
        checkout.start_checkout(world.agent_id, visitor, "a@b.co")
    assert not stripe_api.requests


def test_a_stripe_failure_is_a_polite_message(world, visitor, stripe_api):
    stripe_api.fail_with = 500
    with pytest.raises(ValidationError, match="not available right now"):
        checkout.start_checkout(world.agent_id, visitor, "a@b.co")


def test_the_success_page_waits_for_the_webhook(world, visitor, stripe_api):
    url = checkout.start_checkout(world.agent_id, visitor, "a@b.co")
    cs_id = url.rsplit("/", 1)[1]
    with db.session_scope(read_only=True) as s:
        assert checkout.checkout_status(s, world.agent_id, cs_id) == "pending"
        assert checkout.checkout_status(s, world.agent_id, "nonsense") == "pending"
    webhooks.handle(world.org_id, *signed(stripe_api.completed_event(cs_id), WEBHOOK_SECRET))
    with db.session_scope(read_only=True) as s:
        assert checkout.checkout_status(s, world.agent_id, cs_id) == "active"
        assert checkout.checkout_status(s, world.other_agent_id, cs_id) == "pending"
    webhooks.handle(world.org_id, *signed(stripe_api.refund_event(cs_id), WEBHOOK_SECRET))
    with db.session_scope(read_only=True) as s:
        assert checkout.checkout_status(s, world.agent_id, cs_id) == "revoked"
