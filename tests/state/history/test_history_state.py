"""History handlers as the browser calls them: an Owner walks users → chats → transcript and
revises an answer; a User cannot revise; another organization's Owner sees "Agent not found"."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from crm_app import db
from crm_app.models import Agent, Membership, Organization, RevisedAnswer, User
from crm_app.services import fields, principal, sessions, stages
from crm_app.services.contacts import Origin, save_contact
from crm_app.state.base import AppState
from crm_app.state.history import HistoryState
from tests.unit.chat.test_history import T0, add_chat, visitor


@pytest.fixture()
def world(db_env):
    with db.session_scope() as s:
        clinic, shop = Organization(name="Sunrise Clinic"), Organization(name="Shop")
        people = {
            "owner": User(email="dana@clinic.example", first_name="Dana", last_name="Whitfield"),
            "user": User(email="sam@clinic.example", first_name="Sam", last_name="Staff"),
            "outsider": User(email="owner@shop.example", first_name="Olga"),
        }
        s.add_all([clinic, shop, *people.values()])
        s.flush()
        agent = Agent(org_id=clinic.id, name="Reception", slug="reception")
        s.add(agent)
        s.flush()
        fields.install_default_fields(s, agent.id)
        stages.install_default_stages(s, agent.id)
        roles = {"owner": (clinic, "Owner"), "user": (clinic, "User"), "outsider": (shop, "Owner")}
        for key, (org, role) in roles.items():
            s.add(
                Membership(org_id=org.id, user_id=people[key].id, role=role, agent_ids=[agent.id])
            )
        s.flush()
        owner = principal.member(s, people["owner"].id, clinic.id)
        maria = save_contact(
            s,
            agent,
            {"name": "Maria Lopez", "email": "maria@example.com"},
            source="Chat",
            origin=Origin.member(owner),
        ).contact
        add_chat(
            s,
            agent.id,
            at=T0,
            contact_id=maria.id,
            visitor_id=visitor("maria"),
            lines=[("visitor", "Do you open on Sundays?"), ("agent", "I am not sure.")],
        )
        add_chat(
            s,
            agent.id,
            at=T0 + timedelta(hours=1),
            visitor_id=visitor("anon"),
            lines=[("visitor", "hello")],
        )
        tokens = {k: sessions.create_session(s, people[k], roles[k][0].id) for k in people}
        return {"agent_id": agent.id, "maria": maria.id, **tokens}


@pytest.fixture()
def make_state(monkeypatch):
    def make(token: str, agent_id: int) -> HistoryState:
        monkeypatch.setattr(AppState, "_token", lambda self: token)
        monkeypatch.setattr(AppState, "route_agent_id", lambda self: agent_id)
        root = AppState(_reflex_internal_init=True)
        state = root.get_substate(HistoryState.get_full_name().split(".")[2:])
        state.load_shell()
        state.load()
        return state

    return make


def test_owner_walks_users_chats_transcript_and_revises(world, make_state):
    state = make_state(world["owner"], world["agent_id"])
    assert state.loaded and state.load_error == "" and state.can_revise
    assert [u.name for u in state.users] == ["Anonymous User", "Maria Lopez"]
    assert state.user.key == "" and state.chat.id == "" and state.pane == "users"

    state.select_user(world["maria"])
    assert state.user.name == "Maria Lopez" and state.pane == "chats"
    assert state.contact_href.endswith(f"/crm/contacts/{world['maria']}")
    assert [(c.title, c.messages) for c in state.chats] == [("Untitled Conversation", 2)]

    state.select_chat(state.chats[0].id)
    assert state.pane == "transcript"
    assert [m.content for m in state.messages] == ["Do you open on Sundays?", "I am not sure."]
    answer = state.messages[1]
    assert answer.question == "Do you open on Sundays?" and answer.revised == ""

    state.open_revise(answer.id)
    assert state.revise_open and state.revise_draft == "I am not sure."
    state.submit_revise({"answer": ""})
    assert state.revise_open and state.revise_error == "Enter the revised answer."
    state.submit_revise({"answer": "We are closed on Sundays."})
    assert not state.revise_open and state.messages[1].revised == "We are closed on Sundays."

    state.set_search("anon")
    assert [u.name for u in state.users] == ["Anonymous User"]
    state.show_pane("users")
    state.show_pane("nonsense")
    assert state.pane == "users"
    state.refresh()
    assert state.messages[1].revised == "We are closed on Sundays."


def test_a_user_reads_but_cannot_revise(world, make_state):
    state = make_state(world["user"], world["agent_id"])
    state.select_user(world["maria"])
    state.select_chat(state.chats[0].id)
    assert not state.can_revise
    # Keys and ids the service never gave change nothing.
    assert "User not found." in str(state.select_user("v:zz"))
    assert "Conversation not found." in str(state.select_chat("999999"))
    assert state.user.name == "Maria Lopez" and len(state.messages) == 2
    state.open_revise(state.messages[1].id)
    assert not state.revise_open
    state.revise_message_id = state.messages[1].id
    assert "Admin role" in str(state.submit_revise({"answer": "Hacked"}))
    with db.session_scope() as s:
        assert s.exec(select(RevisedAnswer)).all() == []


def test_another_organization_gets_agent_not_found(world, make_state):
    state = make_state(world["outsider"], world["agent_id"])
    assert state.loaded and state.load_error == "Agent not found." and state.users == []
    assert "Agent not found." in str(state.select_user(world["maria"]))
    assert state.chats == []
