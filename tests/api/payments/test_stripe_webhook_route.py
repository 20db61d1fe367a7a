"""POST /api/payments/stripe/{org_id}/webhook through the whole ASGI app: 400 for a bad or
missing signature (nothing written), 200 for a genuine event, 200 "duplicate" again."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from sqlmodel import func, select

from crm_app import db
from crm_app.models import AccessPass, PaymentEvent
from tests.support.fake_stripe import checkout_completed, signed
from tests.unit.payments.stripe_flow.conftest import WEBHOOK_SECRET


def _count(model) -> int:
    with db.session_scope(read_only=True) as s:
        return s.exec(select(func.count()).select_from(model)).one()


@pytest.fixture()
def client(asgi_app, world):
    with TestClient(asgi_app, base_url="http://localhost:3000") as c:
        yield c


def test_the_route_answers_400_200_and_duplicate(world, visitor, client):
    evt = checkout_completed(agent_id=world.agent_id, visitor_key=visitor, email="a@b.co")
    body, header = signed(evt, WEBHOOK_SECRET)
    url = f"/api/payments/stripe/{world.org_id}/webhook"
    bad = client.post(url, content=body + b" ", headers={"Stripe-Signature": header})
    assert bad.status_code == 400 and _count(PaymentEvent) == 0
    assert client.post(url, content=body).status_code == 400
    ok = client.post(url, content=body, headers={"Stripe-Signature": header})
    assert ok.status_code == 200 and ok.json()["status"] == "processed"
    assert json.loads(ok.content)["received"] is True
    again = client.post(url, content=body, headers={"Stripe-Signature": header})
    assert again.status_code == 200 and again.json()["status"] == "duplicate"
    assert _count(AccessPass) == 1 and _count(PaymentEvent) == 1
    assert client.post("/api/payments/stripe/abc/webhook", content=body).status_code == 422


def test_a_signature_with_a_wrong_digest_is_400(world, visitor, client):
    evt = checkout_completed(agent_id=world.agent_id, visitor_key=visitor, email="a@b.co")
    body, header = signed(evt, WEBHOOK_SECRET)
    url = f"/api/payments/stripe/{world.org_id}/webhook"
    response = client.post(url, content=body, headers={"Stripe-Signature": header + "0"})
    assert response.status_code == 400


@given(
    body=st.binary(max_size=400) | st.text(max_size=200).map(str.encode),
    header=st.none() | st.text(max_size=120),
    org=st.sampled_from(["1", "2", "0", "-1", "99999999999", "x"]),
)
@hsettings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_malformed_deliveries_are_4xx_and_write_nothing(client, body, header, org):
    headers = {"Stripe-Signature": header} if header is not None else {}
    try:
        response = client.post(f"/api/payments/stripe/{org}/webhook", content=body, headers=headers)
    except UnicodeEncodeError:  # a header httpx cannot send
        return
    assert 400 <= response.status_code < 500
    assert _count(PaymentEvent) == 0
