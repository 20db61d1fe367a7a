"""Team / Profile / Audit state tests: real SQLite database, signed-in sessions for the
clinic's Owner, Admin and User and for another organization's Owner (cookie faked)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from crm_app import db, settings
from crm_app.models import Organization
from crm_app.services import sessions
from crm_app.state.base import AppState


@dataclass
class World:
    org_id: int
    other_org_id: int
    agent_ids: list[int]
    other_agent_id: int
    owner_id: int
    admin_id: int
    user_id: int
    outsider_id: int
    tokens: dict[str, str]


@pytest.fixture()
def world(db_env, monkeypatch, make_member, create_agent):
    monkeypatch.setenv("CRM_BASE_URL", "https://crm.example")
    settings.get_settings.cache_clear()
    with db.session_scope() as s:
        clinic, other = Organization(name="Sunny Clinic"), Organization(name="Bob's Bakery")
        s.add_all([clinic, other])
        s.flush()
        reception = create_agent(s, clinic.id, "Reception", "reception")
        billing = create_agent(s, clinic.id, "Billing", "billing")
        shop = create_agent(s, other.id, "Shop", "shop")
        people = {}
        for key, org, email, first, last, role, agents in [
            ("owner", clinic, "olivia@clinic.example", "Olivia", "Owens", "Owner", []),
            ("admin", clinic, "adam@clinic.example", "Adam", "Ames", "Admin", []),
            ("user", clinic, "uma@clinic.example", "Uma", "Ulm", "User", [reception.id]),
            ("outsider", other, "bob@bakery.example", "Bob", "Baker", "Owner", []),
        ]:
            user, _ = make_member(
                s, org.name, email, role, org, agent_ids=agents, first_name=first, last_name=last
            )
            people[key] = (user, org.id)
        w = World(
            org_id=clinic.id,
            other_org_id=other.id,
            agent_ids=[reception.id, billing.id],
            other_agent_id=shop.id,
            owner_id=people["owner"][0].id,
            admin_id=people["admin"][0].id,
            user_id=people["user"][0].id,
            outsider_id=people["outsider"][0].id,
            tokens={k: sessions.create_session(s, u, org_id) for k, (u, org_id) in people.items()},
        )
    return w


@pytest.fixture()
def make_state(monkeypatch, world):
    """make_state(StateClass, "owner" | "admin" | "user" | "outsider" | None) -> the loaded
    state of that signed-in member (None: no cookie)."""

    def make(cls, who):
        token = world.tokens[who] if who else None
        monkeypatch.setattr(AppState, "_token", lambda self: token)
        monkeypatch.setattr(AppState, "route_agent_id", lambda self: None)
        root = AppState(_reflex_internal_init=True)
        state = root.get_substate(cls.get_full_name().split(".")[2:])
        state.load_shell()
        state.load()
        return state

    return make
