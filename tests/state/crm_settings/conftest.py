"""CRM settings state tests: real SQLite database, sessions for an Owner, a User (with
access to the agent) and another organization's Owner; the page route is faked."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from crm_app import db
from crm_app.models import Organization
from crm_app.services import sessions
from crm_app.state.base import AppState
from crm_app.state.crm_settings import CrmSettingsState


@dataclass
class World:
    agent_id: int
    other_agent_id: int
    owner: str  # session tokens
    user: str
    outsider: str


@pytest.fixture()
def world(db_env, make_member, create_agent):
    with db.session_scope() as s:
        clinic, other = Organization(name="Sunrise Clinic"), Organization(name="Other Org")
        s.add_all([clinic, other])
        s.flush()
        agent = create_agent(s, clinic.id, "Reception", "reception")
        other_agent = create_agent(s, other.id, "Shop", "shop")
        unnamed = {"first_name": "", "last_name": ""}
        owner, _ = make_member(
            s, "", "owner@clinic.example", "Owner", clinic, first_name="Dana", last_name=""
        )
        staff, _ = make_member(
            s, "", "staff@clinic.example", "User", clinic, agent_ids=[agent.id], **unnamed
        )
        stranger, _ = make_member(s, "", "owner@other.example", "Owner", other, **unnamed)
        world = World(
            agent_id=agent.id,
            other_agent_id=other_agent.id,
            owner=sessions.create_session(s, owner, clinic.id),
            user=sessions.create_session(s, staff, clinic.id),
            outsider=sessions.create_session(s, stranger, other.id),
        )
    return world


@pytest.fixture()
def make_state(monkeypatch):
    """make_state(token, agent_id) -> a loaded CrmSettingsState for that member and route."""

    def make(token: str, agent_id: int) -> CrmSettingsState:
        monkeypatch.setattr(AppState, "_token", lambda self: token)
        monkeypatch.setattr(AppState, "route_agent_id", lambda self: agent_id)
        root = AppState(_reflex_internal_init=True)
        state = root.get_substate(CrmSettingsState.get_full_name().split(".")[2:])
        state.load_shell()
        state.load()
        return state

    return make
