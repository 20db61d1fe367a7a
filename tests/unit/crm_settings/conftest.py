"""Two organizations: `clinic` (Owner, Admin, User with access to the agent) and `other`
(an Owner), each with one agent that has the default fields and stages installed.
Runs on SQLite, and on PostgreSQL too when CRM_TEST_POSTGRES_URL is set."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from crm_app import db
from crm_app.models import Agent, Membership, Organization, User
from crm_app.services import fields, stages
from crm_app.services.access import Actor


@dataclass
class World:
    agent_id: int
    other_agent_id: int
    owner: Actor
    admin: Actor
    user: Actor
    outsider: Actor  # Owner of another organization


def _member(s, org: Organization, email: str, role: str, agent_ids=()) -> Actor:
    user = User(email=email, first_name=role, last_name="Member")
    s.add(user)
    s.flush()
    s.add(Membership(org_id=org.id, user_id=user.id, role=role, agent_ids=list(agent_ids)))
    return Actor(
        user_id=user.id,
        org_id=org.id,
        role=role,
        email=email,
        first_name=role,
        last_name="Member",
        agent_ids=tuple(agent_ids),
    )


def build_world() -> World:
    with db.session_scope() as s:
        clinic, other = Organization(name="Sunrise Clinic"), Organization(name="Other Org")
        s.add_all([clinic, other])
        s.flush()
        agent = Agent(org_id=clinic.id, name="Reception", slug="reception")
        other_agent = Agent(org_id=other.id, name="Shop", slug="shop")
        s.add_all([agent, other_agent])
        s.flush()
        for a in (agent, other_agent):
            fields.install_default_fields(s, a.id)
            stages.install_default_stages(s, a.id)
        return World(
            agent_id=agent.id,
            other_agent_id=other_agent.id,
            owner=_member(s, clinic, "owner@clinic.example", "Owner"),
            admin=_member(s, clinic, "admin@clinic.example", "Admin"),
            user=_member(s, clinic, "user@clinic.example", "User", [agent.id]),
            outsider=_member(s, other, "owner@other.example", "Owner"),
        )


@pytest.fixture()
def world(engine):
    return build_world()
