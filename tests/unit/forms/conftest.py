"""Forms service tests: a real SQLite file (and PostgreSQL when CRM_TEST_POSTGRES_URL is
set, in a fresh schema), two organizations, an Admin-run clinic with a User member."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from crm_app import db
from crm_app.services import agents, fields
from crm_app.services.access import Actor


@dataclass
class World:
    owner: Actor
    user: Actor
    outsider: Actor
    agent_id: int
    other_agent_id: int


@pytest.fixture()
def world(engine, add_member) -> World:
    with db.session_scope() as s:
        owner = agents.create_owner(s, "rosa@harbor.example", "Harbor Clinic", "Rosa", "Alvarez")
        agent = agents.create_agent(s, owner, "Front Desk", "front-desk")
        fields.create_custom_field(
            s,
            owner,
            agent.id,
            label="Preferred clinic",
            type="Dropdown",
            options=["Downtown", "Harbor"],
        )
        fields.create_custom_field(s, owner, agent.id, label="Visit notes", type="Long text")
        user = add_member(
            s,
            owner.org_id,
            "sam@harbor.example",
            "User",
            [agent.id],
            first_name="Sam",
            last_name="",
        )
        outsider = agents.create_owner(s, "olga@other.example", "Other Org", "Olga")
        other_agent = agents.create_agent(s, outsider, "Shop", "shop")
        return World(owner, user, outsider, agent.id, other_agent.id)
