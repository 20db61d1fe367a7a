"""Two organizations: `clinic` (Owner, Admin, User with access to the agent) and `other`
(an Owner), each with one agent that has the default fields and stages installed.
Runs on SQLite, and on PostgreSQL too when CRM_TEST_POSTGRES_URL is set."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from crm_app import db
from crm_app.models import Organization
from crm_app.services.access import Actor


@dataclass
class World:
    agent_id: int
    other_agent_id: int
    owner: Actor
    admin: Actor
    user: Actor
    outsider: Actor  # Owner of another organization


@pytest.fixture()
def world(engine, add_member, create_agent) -> World:
    def member(s, org: Organization, email: str, role: str, agent_ids=()) -> Actor:
        return add_member(s, org.id, email, role, agent_ids, first_name=role, last_name="Member")

    with db.session_scope() as s:
        clinic, other = Organization(name="Sunrise Clinic"), Organization(name="Other Org")
        s.add_all([clinic, other])
        s.flush()
        agent = create_agent(s, clinic.id, "Reception", "reception")
        other_agent = create_agent(s, other.id, "Shop", "shop")
        return World(
            agent_id=agent.id,
            other_agent_id=other_agent.id,
            owner=member(s, clinic, "owner@clinic.example", "Owner"),
            admin=member(s, clinic, "admin@clinic.example", "Admin"),
            user=member(s, clinic, "user@clinic.example", "User", [agent.id]),
            outsider=member(s, other, "owner@other.example", "Owner"),
        )
