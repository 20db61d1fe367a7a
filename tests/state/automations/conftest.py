"""Automations state tests: real SQLite database, sessions for an Owner, an Admin, a User
(with the agent) and another organization's Owner; the page route is faked."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from crm_app import db
from crm_app.models import Organization
from crm_app.services import sessions
from crm_app.state.automations import AutomationsState
from crm_app.state.base import AppState


@dataclass
class World:
    agent_id: int
    other_agent_id: int
    owner: str  # session tokens
    user: str
    outsider: str
    ids: dict[str, str] = field(
        default_factory=dict
    )  # first name -> user id (string, as the browser sends)


@pytest.fixture()
def world(db_env, make_member, create_agent):
    with db.session_scope() as s:
        clinic, other = Organization(name="Sunrise Clinic"), Organization(name="Other Org")
        s.add_all([clinic, other])
        s.flush()
        agent = create_agent(s, clinic.id, "Reception", "reception")
        other_agent = create_agent(s, other.id, "Shop", "shop")
        users = {}
        for first, last, role, org, agents in [
            ("Dana", "Whitfield", "Owner", clinic, []),
            ("Aisha", "Karimi", "Admin", clinic, []),
            ("Ben", "Ortiz", "Admin", clinic, []),
            ("Sam", "Staff", "User", clinic, [agent.id]),
            ("Oscar", "Shop", "Owner", other, []),
        ]:
            email = f"{first.lower()}@example.com"
            users[first] = make_member(
                s, org.name, email, role, org, agent_ids=agents, first_name=first, last_name=last
            )
        s.flush()
        world = World(
            agent_id=agent.id,
            other_agent_id=other_agent.id,
            owner=sessions.create_session(s, users["Dana"][0], clinic.id),
            user=sessions.create_session(s, users["Sam"][0], clinic.id),
            outsider=sessions.create_session(s, users["Oscar"][0], other.id),
            ids={k: str(v[0].id) for k, v in users.items()},
        )
    return world


@pytest.fixture()
def make_state(monkeypatch):
    """make_state(token, agent_id) -> a loaded AutomationsState for that member and route."""

    def make(token: str, agent_id: int) -> AutomationsState:
        monkeypatch.setattr(AppState, "_token", lambda self: token)
        monkeypatch.setattr(AppState, "route_agent_id", lambda self: agent_id)
        root = AppState(_reflex_internal_init=True)
        state = root.get_substate(AutomationsState.get_full_name().split(".")[2:])
        state.load_shell()
        state.load()
        return state

    return make
