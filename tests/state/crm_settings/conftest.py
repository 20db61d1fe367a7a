"""CRM settings state tests: real SQLite database, sessions for an Owner, a User (with
access to the agent) and another organization's Owner; the page route is faked."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from crm_app import db
from crm_app.models import Agent, Membership, Organization, User
from crm_app.services import fields, sessions, stages
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
def world(db_env):
    with db.session_scope() as s:
        clinic, other = Organization(name="Sunrise Clinic"), Organization(name="Other Org")
        owner, staff, stranger = (
            User(email="owner@clinic.example", first_name="Dana"),
            User(email="staff@clinic.example"),
            User(email="owner@other.example"),
        )
        s.add_all([clinic, other, owner, staff, stranger])
        s.flush()
        agent = Agent(org_id=clinic.id, name="Reception", slug="reception")
        other_agent = Agent(org_id=other.id, name="Shop", slug="shop")
        s.add_all([agent, other_agent])
        s.flush()
        for a in (agent, other_agent):
            fields.install_default_fields(s, a.id)
            stages.install_default_stages(s, a.id)
        s.add_all(
            [
                Membership(org_id=clinic.id, user_id=owner.id, role="Owner"),
                Membership(org_id=clinic.id, user_id=staff.id, role="User", agent_ids=[agent.id]),
                Membership(org_id=other.id, user_id=stranger.id, role="Owner"),
            ]
        )
        s.flush()
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
