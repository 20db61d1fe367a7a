"""Chat service fixtures: two organizations, each with a Public · Use for Free agent whose
name, email, phone and an insurance dropdown are Allow-for-AI (a notes field is not), a
private agent beside the first, and a fake reply engine that checks no database connection
is checked out while it runs."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest

from crm_app import db
from crm_app.agent.base import Capture, EngineError, TextDelta, Turn
from crm_app.models import Agent, ContactField, Membership, Organization, Stage, User
from crm_app.services.chat import visitors
from crm_app.services.principal import member

DEFAULTS = [
    ("name", "Name", "Text", [], True),
    ("email", "Email", "Email", [], True),
    ("phone", "Mobile Number", "Phone", [], True),
    ("gender", "Gender", "Dropdown", ["Female", "Male", "Non-binary", "Prefer not to say"], False),
]


@dataclass
class World:
    agent_id: int
    private_agent_id: int
    other_agent_id: int  # the second organization's agent
    owner: object  # Principal of the first organization's owner
    other_owner: object
    user: object  # a User member of the first organization without access to the agent


def _agent(s, org_id: int, slug: str, visibility: str = "Public") -> Agent:
    agent = Agent(
        org_id=org_id,
        name=slug.title(),
        slug=slug,
        phone_region="US",
        visibility=visibility,
        access_mode="Use for Free",
        welcome_message=f"Welcome to {slug}!",
    )
    s.add(agent)
    s.flush()
    for pos, (key, label, ftype, opts, ai) in enumerate(DEFAULTS):
        s.add(
            ContactField(
                agent_id=agent.id,
                key=key,
                label=label,
                type=ftype,
                options=opts,
                is_default=True,
                allow_ai=ai,
                position=pos,
            )
        )
    s.add(
        ContactField(
            agent_id=agent.id,
            key="insurance",
            label="Insurance provider",
            type="Dropdown",
            options=["Aetna", "Cigna"],
            allow_ai=True,
            required=True,
            ai_hint="The patient's insurer",
            position=5,
        )
    )
    s.add(ContactField(agent_id=agent.id, key="notes", label="Notes", type="Long text", position=6))
    s.add(Stage(agent_id=agent.id, name="Lead", position=0))
    s.flush()
    return agent


@pytest.fixture()
def world(engine) -> World:
    with db.session_scope() as s:
        ids = {}
        for tag in ("clinic", "shop"):
            org = Organization(name=tag.title())
            owner = User(email=f"owner@{tag}.example", first_name="Dana", last_name=tag.title())
            s.add_all([org, owner])
            s.flush()
            s.add(Membership(org_id=org.id, user_id=owner.id, role="Owner"))
            ids[tag] = (org.id, owner.id, _agent(s, org.id, f"reception-{tag}").id)
        private = _agent(s, ids["clinic"][0], "back-office", visibility="Private")
        user = User(email="user@clinic.example", first_name="Uma")
        s.add(user)
        s.flush()
        s.add(Membership(org_id=ids["clinic"][0], user_id=user.id, role="User", agent_ids=[]))
        s.flush()
        return World(
            agent_id=ids["clinic"][2],
            private_agent_id=private.id,
            other_agent_id=ids["shop"][2],
            owner=member(s, ids["clinic"][1], ids["clinic"][0]),
            other_owner=member(s, ids["shop"][1], ids["shop"][0]),
            user=member(s, user.id, ids["clinic"][0]),
        )


def checked_out() -> int:
    """Connections of the app's engine in use right now (0: no session, no transaction)."""
    return db.get_engine().pool.checkedout()


@dataclass
class FakeEngine:
    """Streams `reply` in words, then captures `capture`; `fail` raises EngineError after
    the first word. Records each Turn and the connections checked out while it ran."""

    reply_text: str = "Thanks, noted."
    capture: dict = field(default_factory=dict)
    fail: str = ""
    name: str = "fake"
    turns: list = field(default_factory=list)
    connections_seen: list = field(default_factory=list)

    def reply(self, turn: Turn) -> Iterator:
        self.turns.append(turn)
        self.connections_seen.append(checked_out())
        for i, word in enumerate(self.reply_text.split(" ")):
            if self.fail and i == 1:
                raise EngineError(self.fail)
            self.connections_seen.append(checked_out())
            yield TextDelta(word if i == 0 else " " + word)
        if self.capture:
            yield Capture(dict(self.capture))


@pytest.fixture()
def fake_engine() -> FakeEngine:
    return FakeEngine()


@pytest.fixture()
def visitor() -> str:
    return visitors.visitor_key(visitors.new_visitor_token())


@pytest.fixture()
def make_fake():
    """FakeEngine(reply_text=..., capture=..., fail=...)."""
    return FakeEngine


@pytest.fixture()
def run_turn():
    """Run one chat turn to the end: (events, done)."""
    from crm_app.services.chat.turn import Done, chat_turn

    def run(agent_id, visitor_key, conversation_id, text, **kwargs):
        events = list(chat_turn(agent_id, visitor_key, conversation_id, text, **kwargs))
        done = events[-1]
        assert isinstance(done, Done)
        return events, done

    return run
