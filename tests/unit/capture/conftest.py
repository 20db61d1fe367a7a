"""Chat capture tests: two organizations, each with an agent whose fields mix Allow for AI
on and off, an Owner, and (in the clinic) a User with the agent and one without it."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from crm_app import db
from crm_app.models import (
    Agent,
    ContactField,
    Conversation,
    Membership,
    Message,
    Organization,
    User,
)
from crm_app.services import fields, principal, stages
from crm_app.services.access import Actor


@dataclass
class World:
    agent_id: int
    other_agent_id: int  # the clinic's second agent
    shop_agent_id: int
    owner: Actor
    user: Actor  # a User working in the agent
    stranger: Actor  # a User of the clinic's other agent only
    outsider: Actor  # the shop's Owner


CUSTOM = [
    # key, label, type, options, allow_ai
    ("insurance", "Insurance provider", "Dropdown", ["Aetna", "Cigna"], True),
    ("visits", "Visits", "Number", [], True),
    ("interests", "Interests", "Multi-select", ["Cleaning", "Whitening"], True),
    ("internal_notes", "Internal notes", "Text", [], False),
    ("newsletter", "Newsletter", "Checkbox", [], False),
]


def _agent(s, org, name, slug) -> Agent:
    agent = Agent(org_id=org.id, name=name, slug=slug, phone_region="US")
    s.add(agent)
    s.flush()
    fields.install_default_fields(s, agent.id)
    stages.install_default_stages(s, agent.id)
    for pos, (key, label, ftype, options, allow_ai) in enumerate(CUSTOM, start=10):
        s.add(
            ContactField(
                agent_id=agent.id,
                key=key,
                label=label,
                type=ftype,
                options=options,
                allow_ai=allow_ai,
                position=pos,
            )
        )
    s.flush()
    return agent


@pytest.fixture()
def world(engine) -> World:
    with db.session_scope() as s:
        clinic, shop = Organization(name="Sunrise Clinic"), Organization(name="Shop")
        people = {
            "owner": User(email="dana@clinic.example", first_name="Dana", last_name="Whitfield"),
            "user": User(email="sam@clinic.example", first_name="Sam", last_name="Staff"),
            "stranger": User(email="kim@clinic.example", first_name="Kim", last_name="Other"),
            "outsider": User(email="olga@shop.example", first_name="Olga", last_name="Shop"),
        }
        s.add_all([clinic, shop, *people.values()])
        s.flush()
        agent = _agent(s, clinic, "Reception", "reception")
        other = _agent(s, clinic, "Billing", "billing")
        shop_agent = _agent(s, shop, "Front desk", "front-desk")
        roles = {
            "owner": (clinic, "Owner", []),
            "user": (clinic, "User", [agent.id]),
            "stranger": (clinic, "User", [other.id]),
            "outsider": (shop, "Owner", []),
        }
        for key, (org, role, agent_ids) in roles.items():
            s.add(Membership(org_id=org.id, user_id=people[key].id, role=role, agent_ids=agent_ids))
        s.flush()
        actors = {k: principal.member(s, people[k].id, roles[k][0].id) for k in people}
        return World(agent.id, other.id, shop_agent.id, **actors)


def new_conversation(s, agent_id: int, visitor: str = "v1") -> tuple[Conversation, int]:
    """A conversation and one visitor message in it (the message capture reads)."""
    conv = Conversation(agent_id=agent_id, visitor_id=visitor)
    s.add(conv)
    s.flush()
    msg = Message(conversation_id=conv.id, role="visitor", content="hello")
    s.add(msg)
    s.flush()
    return conv, msg.id
