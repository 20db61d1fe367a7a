"""Automation service fixtures: SQLite file always, PostgreSQL (throwaway database) when
CRM_TEST_POSTGRES_URL is set. Pattern copied from tests/unit/contacts/conftest.py."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from sqlmodel import select

from crm_app import db
from crm_app.models import Agent, Membership, Organization, Stage, User
from crm_app.services import fields
from crm_app.services.access import Actor


def actor_of(user: User, org_id: int, role: str, agent_ids=()) -> Actor:
    return Actor(
        user_id=user.id,
        org_id=org_id,
        role=role,
        email=user.email,
        first_name=user.first_name,
        last_name=user.last_name,
        agent_ids=tuple(agent_ids),
    )


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
def world(engine) -> World:
    """Clinic: Owner Dana, Admins Aisha, Ben, Chen, User Sam (with the agent), User Uma
    (without it); agent Reception with default fields and stages. Shop: another org."""
    with db.session_scope() as s:
        clinic, shop = Organization(name="Clinic"), Organization(name="Shop")
        s.add_all([clinic, shop])
        s.flush()
        agent = Agent(org_id=clinic.id, name="Reception", slug="reception")
        other = Agent(org_id=shop.id, name="Shop bot", slug="shop-bot")
        s.add_all([agent, other])
        s.flush()
        people = [
            ("Dana", "Whitfield", "Owner", clinic.id, []),
            ("Aisha", "Karimi", "Admin", clinic.id, []),
            ("Ben", "Ortiz", "Admin", clinic.id, []),
            ("Chen", "Li", "Admin", clinic.id, []),
            ("Sam", "Staff", "User", clinic.id, [agent.id]),
            ("Uma", "Other", "User", clinic.id, []),
            ("Oscar", "Shop", "Owner", shop.id, []),
        ]
        users = {}
        for first, last, role, org_id, agent_ids in people:
            u = User(email=f"{first.lower()}@example.com", first_name=first, last_name=last)
            s.add(u)
            s.flush()
            s.add(Membership(org_id=org_id, user_id=u.id, role=role, agent_ids=agent_ids))
            users[first] = (u, role, org_id, agent_ids)
        for a in (agent, other):
            fields.install_default_fields(s, a.id)
            for pos, name in enumerate(["Lead", "Prospect", "Customer", "Old Customer"]):
                s.add(Stage(agent_id=a.id, name=name, position=pos))
        s.flush()
        stage_ids = {
            st.name: st.id for st in s.exec(select(Stage).where(Stage.agent_id == agent.id))
        }
        w = World(
            agent_id=agent.id,
            other_agent_id=other.id,
            owner=actor_of(users["Dana"][0], clinic.id, "Owner"),
            admin=actor_of(users["Aisha"][0], clinic.id, "Admin"),
            staff=actor_of(users["Sam"][0], clinic.id, "User", [agent.id]),
            outsider=actor_of(users["Oscar"][0], shop.id, "Owner"),
            ids={k: v[0].id for k, v in users.items()},
            stages=stage_ids,
        )
    return w
