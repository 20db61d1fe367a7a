"""Contact details state tests: real SQLite database; sessions for an Owner, an Admin, a User
with the agent, a User of another agent and another organization's Owner; the route is faked."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from crm_app import db
from crm_app.models import Agent, Membership, Organization, User
from crm_app.services import fields, principal, sessions, stages
from crm_app.services.contacts import Origin, save_contact
from crm_app.state.base import AppState
from crm_app.state.contact_detail import ContactDetailState


@dataclass
class World:
    agent_id: int
    contact_id: str
    owner: str  # session tokens
    admin: str
    user: str
    stranger: str
    outsider: str


@pytest.fixture()
def world(db_env):
    with db.session_scope() as s:
        clinic, shop = Organization(name="Sunrise Clinic"), Organization(name="Shop")
        people = {
            "owner": User(email="dana@clinic.example", first_name="Dana", last_name="Whitfield"),
            "admin": User(email="alex@clinic.example", first_name="Alex", last_name="Admin"),
            "user": User(email="sam@clinic.example", first_name="Sam", last_name="Staff"),
            "stranger": User(email="kim@clinic.example", first_name="Kim"),
            "outsider": User(email="owner@shop.example", first_name="Olga"),
        }
        s.add_all([clinic, shop, *people.values()])
        s.flush()
        agent, second = (
            Agent(org_id=clinic.id, name="Reception", slug="reception"),
            Agent(org_id=clinic.id, name="Billing", slug="billing"),
        )
        s.add_all([agent, second])
        s.flush()
        for a in (agent, second):
            fields.install_default_fields(s, a.id)
            stages.install_default_stages(s, a.id)
        roles = {
            "owner": (clinic, "Owner", []),
            "admin": (clinic, "Admin", []),
            "user": (clinic, "User", [agent.id]),
            "stranger": (clinic, "User", [second.id]),
            "outsider": (shop, "Owner", []),
        }
        for key, (org, role, agent_ids) in roles.items():
            s.add(Membership(org_id=org.id, user_id=people[key].id, role=role, agent_ids=agent_ids))
        s.flush()
        owner = principal.member(s, people["owner"].id, clinic.id)
        contact = save_contact(
            s,
            agent,
            {"name": "Maria Lopez", "email": "maria@example.com"},
            source="Manual",
            origin=Origin.member(owner),
        ).contact
        save_contact(
            s,
            agent,
            {"name": "John Doe", "email": "john@example.com"},
            source="Manual",
            origin=Origin.member(owner),
        )
        tokens = {k: sessions.create_session(s, people[k], roles[k][0].id) for k in people}
        out = World(agent.id, contact.id, **tokens)
    return out


@pytest.fixture()
def make_state(monkeypatch):
    """make_state(token, agent_id, contact_id) -> a loaded ContactDetailState for that member and route."""

    def make(token: str, agent_id: int, contact_id: str) -> ContactDetailState:
        monkeypatch.setattr(AppState, "_token", lambda self: token)
        monkeypatch.setattr(AppState, "route_agent_id", lambda self: agent_id)
        monkeypatch.setattr(ContactDetailState, "route_contact_id", lambda self: contact_id)
        root = AppState(_reflex_internal_init=True)
        state = root.get_substate(ContactDetailState.get_full_name().split(".")[2:])
        state.load_shell()
        state.load()
        return state

    return make
