"""Forms state tests: real SQLite, sessions for an Owner, a User with the agent and another
organization's Owner; the page route is faked."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from crm_app import db
from crm_app.models import User
from crm_app.services import agents, fields, sessions
from crm_app.state.base import AppState


@dataclass
class World:
    agent_id: int
    other_agent_id: int
    owner: str
    user: str
    outsider: str


@pytest.fixture()
def world(db_env, add_member):
    with db.session_scope() as s:
        owner = agents.create_owner(s, "rosa@harbor.example", "Harbor", "Rosa")
        agent = agents.create_agent(s, owner, "Front Desk", "front-desk")
        fields.create_custom_field(
            s,
            owner,
            agent.id,
            label="Preferred clinic",
            type="Dropdown",
            options=["Downtown", "Harbor"],
        )
        staff = add_member(
            s, owner.org_id, "sam@harbor.example", "User", [agent.id], first_name="", last_name=""
        )
        outsider = agents.create_owner(s, "olga@other.example", "Other", "Olga")
        other_agent = agents.create_agent(s, outsider, "Shop", "shop")
        s.flush()
        world = World(
            agent.id,
            other_agent.id,
            sessions.create_session(s, s.get(User, owner.user_id), owner.org_id),
            sessions.create_session(s, s.get(User, staff.user_id), owner.org_id),
            sessions.create_session(s, s.get(User, outsider.user_id), outsider.org_id),
        )
    return world


@pytest.fixture()
def make_state(monkeypatch):
    """make_state(cls, token, agent_id, form_id="") -> a loaded state of `cls` for that member and route."""

    def make(cls, token: str, agent_id: int, form_id: str = ""):
        monkeypatch.setattr(AppState, "_token", lambda self: token)
        monkeypatch.setattr(AppState, "route_agent_id", lambda self: agent_id)
        monkeypatch.setattr(cls, "_form_id", lambda self: str(form_id))
        root = AppState(_reflex_internal_init=True)
        state = root.get_substate(cls.get_full_name().split(".")[2:])
        state.load_shell()
        state.load()
        return state

    return make
