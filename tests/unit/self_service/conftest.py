"""Two organizations on SQLite (and PostgreSQL when CRM_TEST_POSTGRES_URL is set): a clinic
with a Restrict agent "reception" and a second agent "billing", and a shop with its own
Restrict agent. Maria is a contact of reception signed in with a guest session; Pedro is a
contact of billing signed in there."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import timedelta

import pytest

from crm_app import db
from crm_app.models import Agent, GuestSession, Membership, Organization, User, utcnow
from crm_app.services import fields, principal, stages
from crm_app.services.access import Actor
from crm_app.services.contacts import Origin, save_contact


def key(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


# Visitor tokens as browsers keep them (32+ URL-safe characters) and their keys.
MARIA_TOKEN = "maria-browser-token-0123456789abcdefghij"
PEDRO_TOKEN = "pedro-browser-token-0123456789abcdefghij"
NOBODY_TOKEN = "nobody-browser-token-0123456789abcdefghi"
MARIA, PEDRO, NOBODY = key(MARIA_TOKEN), key(PEDRO_TOKEN), key(NOBODY_TOKEN)


@dataclass
class World:
    agent_id: int
    billing_id: int
    shop_agent_id: int
    maria_id: str
    pedro_id: str
    owner: Actor
    admin: Actor
    user: Actor  # role User working in reception
    outsider: Actor  # Owner of the shop


def sign_in(s, agent_id: int, contact_id: str, visitor: str, email: str, **kw) -> GuestSession:
    guest = GuestSession(
        agent_id=agent_id,
        visitor_id=visitor,
        contact_id=contact_id,
        email=email,
        expires_at=kw.pop("expires_at", utcnow() + timedelta(days=30)),
        **kw,
    )
    s.add(guest)
    s.flush()
    return guest


@pytest.fixture()
def world(engine) -> World:
    with db.session_scope() as s:
        clinic, shop = Organization(name="Sunrise Clinic"), Organization(name="Shop")
        people = {
            "owner": User(email="dana@clinic.example", first_name="Dana", last_name="W"),
            "admin": User(email="alex@clinic.example", first_name="Alex", last_name="Admin"),
            "user": User(email="sam@clinic.example", first_name="Sam", last_name="Staff"),
            "outsider": User(email="olga@shop.example", first_name="Olga", last_name="Shop"),
        }
        s.add_all([clinic, shop, *people.values()])
        s.flush()
        agents = [
            Agent(org_id=clinic.id, name="Reception", slug="reception"),
            Agent(org_id=clinic.id, name="Billing", slug="billing"),
            Agent(org_id=shop.id, name="Shop bot", slug="shop-bot"),
        ]
        for a in agents:
            a.visibility, a.access_mode = "Public", "Restrict"
        s.add_all(agents)
        s.flush()
        for a in agents:
            fields.install_default_fields(s, a.id)
            stages.install_default_stages(s, a.id)
        roles = {
            "owner": ("Owner", clinic, []),
            "admin": ("Admin", clinic, []),
            "user": ("User", clinic, [agents[0].id]),
            "outsider": ("Owner", shop, []),
        }
        for k, (role, org, agent_ids) in roles.items():
            s.add(Membership(org_id=org.id, user_id=people[k].id, role=role, agent_ids=agent_ids))
        s.flush()
        actors = {k: principal.member(s, people[k].id, roles[k][1].id) for k in people}
        maria = save_contact(
            s,
            agents[0],
            {"name": "Maria Lopez", "email": "maria@example.com", "phone": "+1 415 555 0101"},
            source="Manual",
            origin=Origin.member(actors["owner"]),
        ).contact
        pedro = save_contact(
            s,
            agents[1],
            {"name": "Pedro Ruiz", "email": "pedro@example.com"},
            source="Manual",
            origin=Origin.member(actors["owner"]),
        ).contact
        sign_in(s, agents[0].id, maria.id, MARIA, "maria@example.com")
        sign_in(s, agents[1].id, pedro.id, PEDRO, "pedro@example.com")
        return World(
            agents[0].id,
            agents[1].id,
            agents[2].id,
            maria.id,
            pedro.id,
            actors["owner"],
            actors["admin"],
            actors["user"],
            actors["outsider"],
        )
