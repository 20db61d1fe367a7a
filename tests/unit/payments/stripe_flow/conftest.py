"""Payments fixtures: two organizations, each with a Public · Pay for Access agent ($9.00 for
30 days · 100 messages) and Stripe keys saved; an Admin and a User in the first; Stripe
answered by tests/support/fake_stripe.py (no network)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from crm_app import db
from crm_app.models import Agent, Membership, Organization, User
from crm_app.services.chat import visitors
from crm_app.services.payments import keys, stripe_client
from crm_app.services.principal import member
from tests.support.fake_stripe import FakeStripeAPI, FakeStripeHTTPClient

SECRET_KEY = "sk_test_51AbCdEfGhIjKlMnOp4242"
WEBHOOK_SECRET = "whsec_testsecretforclinic000001"
OTHER_KEY = "sk_test_51ZyXwVuTsRqPoNm9999"
OTHER_WEBHOOK_SECRET = "whsec_testsecretforshop00000002"
OFFER = {"price": 900, "currency": "usd", "days": 30, "credits": 100}


@dataclass
class World:
    org_id: int
    other_org_id: int
    agent_id: int
    free_agent_id: int
    other_agent_id: int
    owner: object
    admin: object
    user: object
    other_owner: object


@pytest.fixture()
def stripe_api():
    api = FakeStripeAPI()
    previous = stripe_client.set_http_client_factory(lambda: FakeStripeHTTPClient(api))
    try:
        yield api
    finally:
        stripe_client.set_http_client_factory(previous)


def _agent(s, org_id, slug, create_agent, mode="Pay for Access"):
    agent = create_agent(s, org_id, slug.title(), slug)
    agent.visibility, agent.access_mode = "Public", mode
    agent.paid_config = dict(OFFER) if mode == "Pay for Access" else {}
    s.add(agent)
    s.flush()
    return agent


@pytest.fixture()
def world(engine, create_agent, stripe_api) -> World:
    with db.session_scope() as s:
        made = {}
        for tag in ("clinic", "shop"):
            org = Organization(name=tag.title())
            owner = User(email=f"owner@{tag}.example", first_name="Olga", last_name=tag.title())
            s.add_all([org, owner])
            s.flush()
            s.add(Membership(org_id=org.id, user_id=owner.id, role="Owner"))
            made[tag] = (org.id, owner.id, _agent(s, org.id, f"coach-{tag}", create_agent).id)
        free = _agent(s, made["clinic"][0], "free-desk", create_agent, mode="Use for Free")
        people = {}
        for role in ("Admin", "User"):
            u = User(email=f"{role.lower()}@clinic.example", first_name=role)
            s.add(u)
            s.flush()
            s.add(Membership(org_id=made["clinic"][0], user_id=u.id, role=role, agent_ids=[]))
            people[role] = u.id
        s.flush()
        w = World(
            org_id=made["clinic"][0],
            other_org_id=made["shop"][0],
            agent_id=made["clinic"][2],
            free_agent_id=free.id,
            other_agent_id=made["shop"][2],
            owner=member(s, made["clinic"][1], made["clinic"][0]),
            admin=member(s, people["Admin"], made["clinic"][0]),
            user=member(s, people["User"], made["clinic"][0]),
            other_owner=member(s, made["shop"][1], made["shop"][0]),
        )
        keys.save_keys(s, w.owner, secret_key=SECRET_KEY, webhook_secret=WEBHOOK_SECRET)
        keys.save_keys(s, w.other_owner, secret_key=OTHER_KEY, webhook_secret=OTHER_WEBHOOK_SECRET)
    return w


@pytest.fixture()
def visitor() -> str:
    return visitors.visitor_key(visitors.new_visitor_token())


def agent_of(agent_id: int) -> Agent:
    with db.session_scope(read_only=True) as s:
        return s.get(Agent, agent_id)
