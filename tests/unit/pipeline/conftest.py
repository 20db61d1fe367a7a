"""Pipeline service tests: SQLite (and PostgreSQL when CRM_TEST_POSTGRES_URL is set), two
organizations, an Owner, a User with the agent and a User of another agent."""

from __future__ import annotations

import pytest
from sqlmodel import select

from crm_app import db
from crm_app.models import Organization, Stage
from crm_app.services.contacts import Origin, save_contact

PEOPLE = [
    ("Maria Lopez", "maria@example.com"),
    ("John Doe", "john@example.com"),
    ("Ava Diaz", "ava@example.com"),
]


@pytest.fixture()
def world(engine, add_member, create_agent):
    """Clinic (Owner Dana Whitfield, User Sam with the agent, User Kim of another agent) with
    three contacts in Lead; Shop (its Owner, its own agent and a contact)."""
    out: dict = {}
    with db.session_scope() as s:
        clinic, shop = Organization(name="Sunrise Clinic"), Organization(name="Shop")
        s.add_all([clinic, shop])
        s.flush()
        reception = create_agent(s, clinic.id, "Reception", "reception")
        billing = create_agent(s, clinic.id, "Billing", "billing")
        store = create_agent(s, shop.id, "Store", "store")
        people = {  # org, email, role, agents, first and last name
            "owner": (clinic, "dana@clinic.example", "Owner", [], "Dana", "Whitfield"),
            "user": (clinic, "sam@clinic.example", "User", [reception.id], "Sam", "Staff"),
            "stranger": (clinic, "kim@clinic.example", "User", [billing.id], "Kim", ""),
            "outsider": (shop, "owner@shop.example", "Owner", [], "Olga", ""),
        }
        actors = {
            key: add_member(s, org.id, email, role, agents, first_name=first, last_name=last)
            for key, (org, email, role, agents, first, last) in people.items()
        }
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
            owner_id=actors["owner"].user_id,
        )
    return out
