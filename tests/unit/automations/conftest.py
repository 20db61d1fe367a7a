"""Automation service fixtures: SQLite file always, PostgreSQL (throwaway database) when
CRM_TEST_POSTGRES_URL is set; built with tests/conftest.py's add_member and create_agent."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from sqlmodel import select

from crm_app import db
from crm_app.models import Organization, Stage
from crm_app.services.access import Actor


@dataclass
class World:
    agent_id: int
    other_agent_id: int
    owner: Actor  # Dana Whitfield, Owner
    admin: Actor  # Aisha Karimi, Admin
    staff: Actor  # Sam Staff, User with the agent
    outsider: Actor  # owner of another organization
    ids: dict[str, int] = field(default_factory=dict)  # first name -> user id
    stages: dict[str, int] = field(default_factory=dict)  # stage name -> id


@pytest.fixture()
def world(engine, add_member, create_agent) -> World:
    """Clinic: Owner Dana, Admins Aisha, Ben, Chen, User Sam (with the agent), User Uma
    (without it); agent Reception with default fields and stages. Shop: another org."""
    with db.session_scope() as s:
        clinic, shop = Organization(name="Clinic"), Organization(name="Shop")
        s.add_all([clinic, shop])
        s.flush()
        agent = create_agent(s, clinic.id, "Reception", "reception")
        other = create_agent(s, shop.id, "Shop bot", "shop-bot")
        people = [
            ("Dana", "Whitfield", "Owner", clinic, []),
            ("Aisha", "Karimi", "Admin", clinic, []),
            ("Ben", "Ortiz", "Admin", clinic, []),
            ("Chen", "Li", "Admin", clinic, []),
            ("Sam", "Staff", "User", clinic, [agent.id]),
            ("Uma", "Other", "User", clinic, []),
            ("Oscar", "Shop", "Owner", shop, []),
        ]
        actors = {}
        for first, last, role, org, agent_ids in people:
            email = f"{first.lower()}@example.com"
            actors[first] = add_member(
                s, org.id, email, role, agent_ids, first_name=first, last_name=last
            )
        stages = s.exec(select(Stage).where(Stage.agent_id == agent.id))
        return World(
            agent_id=agent.id,
            other_agent_id=other.id,
            owner=actors["Dana"],
            admin=actors["Aisha"],
            staff=actors["Sam"],
            outsider=actors["Oscar"],
            ids={first: actor.user_id for first, actor in actors.items()},
            stages={st.name: st.id for st in stages},
        )
