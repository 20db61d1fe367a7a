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
from crm_app.models import Organization, Stage
from crm_app.services import principal, sessions
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
def world(db_env, make_member, create_agent):
    with db.session_scope() as s:
        clinic, shop = Organization(name="Sunrise Clinic"), Organization(name="Shop")
        s.add_all([clinic, shop])
        s.flush()
        agent = create_agent(s, clinic.id, "Reception", "reception")
        second = create_agent(s, clinic.id, "Billing", "billing")
        store = create_agent(s, shop.id, "Store", "store")
        people = {  # org, email, role, agents, first and last name
            "owner": (clinic, "dana@clinic.example", "Owner", [], "Dana", "Whitfield"),
            "user": (clinic, "sam@clinic.example", "User", [agent.id], "Sam", "Staff"),
            "stranger": (clinic, "kim@clinic.example", "User", [second.id], "Kim", ""),
            "outsider": (shop, "owner@shop.example", "Owner", [], "Olga", ""),
        }
        users = {
            key: make_member(
                s, org.name, email, role, org, agent_ids=agents, first_name=first, last_name=last
            )[0]
            for key, (org, email, role, agents, first, last) in people.items()
        }
        owner = principal.member_of(users["owner"], clinic.id, "Owner")
        outsider = principal.member_of(users["outsider"], shop.id, "Owner")
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
            {k: sessions.create_session(s, users[k], people[k][0].id) for k in people},
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
