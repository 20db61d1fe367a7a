"""Pipeline state tests: a real SQLite database, sessions for an Owner, a User with the agent,
a User of another agent and another organization's Owner; the route is faked."""

from __future__ import annotations

import asyncio
import inspect
from dataclasses import dataclass, field

import pytest
import reflex as rx
from sqlmodel import select

from crm_app import db
from crm_app.models import Agent, Membership, Organization, Stage, User
from crm_app.services import fields, principal, sessions, stages
from crm_app.services.contacts import Origin, save_contact
from crm_app.state.base import AppState
from crm_app.state.pipeline import PipelineState


@dataclass
class World:
    agent_id: int
    shop_agent_id: int
    contacts: dict[str, str]
    stages: dict[str, str]  # our agent's stage name -> id
    shop_stages: dict[str, str]
    tokens: dict[str, str] = field(default_factory=dict)


@pytest.fixture()
def world(db_env):
    with db.session_scope() as s:
        clinic, shop = Organization(name="Sunrise Clinic"), Organization(name="Shop")
        people = {
            "owner": User(email="dana@clinic.example", first_name="Dana", last_name="Whitfield"),
            "user": User(email="sam@clinic.example", first_name="Sam", last_name="Staff"),
            "stranger": User(email="kim@clinic.example", first_name="Kim"),
            "outsider": User(email="owner@shop.example", first_name="Olga"),
        }
        s.add_all([clinic, shop, *people.values()])
        s.flush()
        agent = Agent(org_id=clinic.id, name="Reception", slug="reception")
        second = Agent(org_id=clinic.id, name="Billing", slug="billing")
        store = Agent(org_id=shop.id, name="Store", slug="store")
        s.add_all([agent, second, store])
        s.flush()
        for a in (agent, second, store):
            fields.install_default_fields(s, a.id)
            stages.install_default_stages(s, a.id)
        roles = {
            "owner": (clinic, "Owner", []),
            "user": (clinic, "User", [agent.id]),
            "stranger": (clinic, "User", [second.id]),
            "outsider": (shop, "Owner", []),
        }
        for key, (org, role, agent_ids) in roles.items():
            s.add(Membership(org_id=org.id, user_id=people[key].id, role=role, agent_ids=agent_ids))
        s.flush()
        owner = principal.member(s, people["owner"].id, clinic.id)
        outsider = principal.member(s, people["outsider"].id, shop.id)
        ids = {}
        for name in ("Maria Lopez", "John Doe"):
            ids[name] = save_contact(
                s,
                agent,
                {"name": name, "email": f"{name.split()[0].lower()}@example.com"},
                source="Manual",
                origin=Origin.member(owner),
            ).contact.id
        ids["Shop customer"] = save_contact(
            s,
            store,
            {"name": "Shop customer", "email": "c@shop.example"},
            source="Manual",
            origin=Origin.member(outsider),
        ).contact.id

        def names(agent_id):
            return {
                st.name: str(st.id)
                for st in s.exec(select(Stage).where(Stage.agent_id == agent_id))
            }

        out = World(
            agent.id,
            store.id,
            ids,
            names(agent.id),
            names(store.id),
            {k: sessions.create_session(s, people[k], roles[k][0].id) for k in people},
        )
    return out


@pytest.fixture()
def make_state(monkeypatch):
    """make_state(token, agent_id) -> a loaded PipelineState for that member and route, its
    async handlers run to completion when called (as Reflex would)."""

    def make(token: str, agent_id: int) -> Sync:
        monkeypatch.setattr(AppState, "_token", lambda self: token)
        monkeypatch.setattr(AppState, "route_agent_id", lambda self: agent_id)
        root = rx.State(
            _reflex_internal_init=True
        )  # the whole tree: handlers may get_state a sibling
        state = Sync(root.get_substate(PipelineState.get_full_name().split(".")[1:]))
        state.load_page()
        state.refresh()
        return state

    return make


class Sync:
    """The state, with coroutine handlers awaited: tests call `state.refresh()` directly."""

    def __init__(self, state):
        object.__setattr__(self, "state", state)

    def __getattr__(self, name):
        value = getattr(self.state, name)
        if inspect.iscoroutinefunction(value):
            return lambda *args: asyncio.run(value(*args))
        return value

    def __setattr__(self, name, value):
        setattr(self.state, name, value)
