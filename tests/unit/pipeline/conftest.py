"""Pipeline service tests: SQLite (and PostgreSQL when CRM_TEST_POSTGRES_URL is set), two
organizations, an Owner, a User with the agent and a User of another agent."""

from __future__ import annotations

import pytest
from sqlmodel import select

from crm_app import db
from crm_app.models import Agent, Membership, Organization, Stage, User
from crm_app.services import fields, principal, stages
from crm_app.services.contacts import Origin, save_contact

PEOPLE = [
    ("Maria Lopez", "maria@example.com"),
    ("John Doe", "john@example.com"),
    ("Ava Diaz", "ava@example.com"),
]


@pytest.fixture()
def world(engine):
    """Clinic (Owner Dana Whitfield, User Sam with the agent, User Kim of another agent) with
    three contacts in Lead; Shop (its Owner, its own agent and a contact)."""
    out: dict = {}
    with db.session_scope() as s:
        clinic, shop = Organization(name="Sunrise Clinic"), Organization(name="Shop")
        people = {
            "owner": User(email="dana@clinic.example", first_name="Dana", last_name="Whitfield"),
            "user": User(email="sam@clinic.example", first_name="Sam", last_name="Staff"),
            "stranger": User(email="kim@clinic.example", first_name="Kim"),
            "outsider": User(email="owner@shop.example", first_name="Olga"),
        }
        s.add_all([clinic, shop, *people.values()])
        s.flush()
        reception = Agent(org_id=clinic.id, name="Reception", slug="reception")
        billing = Agent(org_id=clinic.id, name="Billing", slug="billing")
        store = Agent(org_id=shop.id, name="Store", slug="store")
        s.add_all([reception, billing, store])
        s.flush()
        for a in (reception, billing, store):
            fields.install_default_fields(s, a.id)
            stages.install_default_stages(s, a.id)
        roles = {
            "owner": (clinic, "Owner", []),
            "user": (clinic, "User", [reception.id]),
            "stranger": (clinic, "User", [billing.id]),
            "outsider": (shop, "Owner", []),
        }
        for key, (org, role, agent_ids) in roles.items():
            s.add(Membership(org_id=org.id, user_id=people[key].id, role=role, agent_ids=agent_ids))
        s.flush()
        actors = {k: principal.member(s, people[k].id, roles[k][0].id) for k in people}
        ids = {}
        for name, email in PEOPLE:
            ids[name] = save_contact(
                s,
                reception,
                {"name": name, "email": email},
                source="Manual",
                origin=Origin.member(actors["owner"]),
            ).contact.id
        ids["Shop customer"] = save_contact(
            s,
            store,
            {"name": "Shop customer", "email": "c@shop.example"},
            source="Manual",
            origin=Origin.member(actors["outsider"]),
        ).contact.id
        stage_ids = {(st.agent_id, st.name): st.id for st in s.exec(select(Stage))}
        out.update(
            agent_id=reception.id,
            billing_id=billing.id,
            store_id=store.id,
            contacts=ids,
            actors=actors,
            stages=stage_ids,
            owner_id=people["owner"].id,
        )
    return out
