"""POST /api/payments/stripe/{org_id}/webhook through the whole ASGI app: 400 for a bad or
missing signature (nothing written), 200 for a genuine event, 200 "duplicate" again."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient
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
