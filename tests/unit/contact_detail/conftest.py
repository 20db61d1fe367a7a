"""Contact details services against SQLite (and PostgreSQL when CRM_TEST_POSTGRES_URL is set):
two organizations; the clinic has an Owner, an Admin, a User with the agent and a User without."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from crm_app import db
from crm_app.models import Agent, Membership, Organization, User
from crm_app.services import fields, principal, stages
from crm_app.services.access import Actor
from crm_app.services.contacts import Origin, save_contact


@dataclass
class World:
    agent_id: int
    other_agent_id: int  # the clinic's second agent
    outsider_agent_id: int  # the other organization's agent
    contact_id: str
    owner: Actor
    admin: Actor
    user: Actor  # role User with access to agent_id
    stranger: Actor  # role User without access to agent_id
    outsider: Actor  # Owner of another organization


@pytest.fixture()
def world(engine) -> World:
    with db.session_scope() as s:
        clinic, shop = Organization(name="Sunrise Clinic"), Organization(name="Shop")
        people = {
            "owner": User(email="dana@clinic.example", first_name="Dana", last_name="Whitfield"),
            "admin": User(email="alex@clinic.example", first_name="Alex", last_name="Admin"),
            "user": User(email="sam@clinic.example", first_name="Sam", last_name="Staff"),
            "stranger": User(email="kim@clinic.example", first_name="Kim", last_name="Other"),
            "outsider": User(email="owner@shop.example", first_name="Olga", last_name="Shop"),
        }
        s.add_all([clinic, shop, *people.values()])
        s.flush()
        agent = Agent(org_id=clinic.id, name="Reception", slug="reception")
        second = Agent(org_id=clinic.id, name="Billing", slug="billing")
        foreign = Agent(org_id=shop.id, name="Shop bot", slug="shop-bot")
        s.add_all([agent, second, foreign])
        s.flush()
        for a in (agent, second, foreign):
            fields.install_default_fields(s, a.id)
            stages.install_default_stages(s, a.id)
        roles = {
            "owner": ("Owner", clinic, []),
            "admin": ("Admin", clinic, []),
            "user": ("User", clinic, [agent.id]),
            "stranger": ("User", clinic, [second.id]),
            "outsider": ("Owner", shop, []),
        }
        for key, (role, org, agent_ids) in roles.items():
            s.add(Membership(org_id=org.id, user_id=people[key].id, role=role, agent_ids=agent_ids))
        s.flush()
        actors = {k: principal.member(s, people[k].id, roles[k][1].id) for k in people}
        contact = save_contact(
            s,
            agent,
            {"name": "Maria Lopez", "email": "maria@example.com", "phone": "+1 415 555 0101"},
            source="Manual",
            origin=Origin.member(actors["owner"]),
        ).contact
        return World(
            agent.id,
            second.id,
            foreign.id,
            contact.id,
            actors["owner"],
            actors["admin"],
            actors["user"],
            actors["stranger"],
            actors["outsider"],
        )
