"""Gated-agent fixtures: the chat world (two organizations, tests/unit/chat/conftest.py)
with the clinic's agent set to Public · Restrict, stages Lead and Customer, and contacts
of both organizations; codes are read from the development mailbox (tests/mailbox.py)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlmodel import select

from crm_app import db
from crm_app.models import Agent, Contact, Stage
from crm_app.services.chat import turn, visitors
from tests.unit.chat.conftest import FakeEngine, run_turn, world  # noqa: F401  (fixtures)


@pytest.fixture(autouse=True)
def dev_mode(monkeypatch):
    from crm_app import settings
    from crm_app.services.gate import signin

    monkeypatch.setenv("CRM_DEV_MODE", "1")
    settings.get_settings.cache_clear()
    # Tests send codes back to back; test_resend_waits_a_minute checks the wait.
    monkeypatch.setattr(signin, "RESEND_SECONDS", 0)


@pytest.fixture()
def engine_reply(monkeypatch) -> FakeEngine:
    fake = FakeEngine(reply_text="Happy to help.")
    monkeypatch.setattr(turn, "_engine_factory", lambda: lambda config: fake)
    return fake


@dataclass
class Gated:
    agent_id: int
    other_agent_id: int
    lead_id: int  # stage ids of the clinic's agent
    customer_id: int
    world: object


def add_contact(s, agent_id: int, email: str, name: str, **kw) -> str:
    contact = Contact(agent_id=agent_id, email=email, name=name, source="Manual", **kw)
    s.add(contact)
    s.flush()
    return contact.id


def set_agent(agent_id: int, **values) -> None:
    with db.session_scope() as s:
        agent = s.get(Agent, agent_id)
        for key, value in values.items():
            setattr(agent, key, value)
        s.add(agent)


@pytest.fixture()
def gated(world) -> Gated:  # noqa: F811
    with db.session_scope() as s:
        agent = s.get(Agent, world.agent_id)
        agent.access_mode = "Restrict"
        lead = s.exec(select(Stage).where(Stage.agent_id == agent.id)).first()
        customer = Stage(agent_id=agent.id, name="Customer", position=1)
        s.add_all([agent, customer])
        s.flush()
        return Gated(world.agent_id, world.other_agent_id, lead.id, customer.id, world)


@pytest.fixture()
def new_visitor():
    return lambda: visitors.visitor_key(visitors.new_visitor_token())
