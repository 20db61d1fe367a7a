"""Agents page state: what each member sees and can do on /agents (handlers called directly)."""

from __future__ import annotations

import pytest
from sqlmodel import select

from crm_app.db import session_scope
from crm_app.models import Agent, Membership, User
from crm_app.services import agents, sessions
from crm_app.state.agents import AgentsState
from crm_app.state.base import AppState


@pytest.fixture
def tokens(world):
    with session_scope() as session:
        agent = agents.create_agent(session, world.owner, "Reception", slug="reception")
        foreign = agents.create_agent(session, world.other_owner, "Shop Bot", slug="shop-bot")
        session.exec(
            select(Membership).where(Membership.user_id == world.user.user_id)
        ).one().agent_ids = [agent.id]
        made = {
            name: sessions.create_session(session, session.get(User, actor.user_id), actor.org_id)
            for name, actor in (
                ("owner", world.owner),
                ("admin", world.admin),
                ("user", world.user),
                ("other", world.other_owner),
            )
        }
        made["agent_id"], made["foreign_id"] = agent.id, foreign.id
    return made


@pytest.fixture
def make_state(monkeypatch):
    def make(token: str) -> AgentsState:
        monkeypatch.setattr(AppState, "_token", lambda self: token)
        monkeypatch.setattr(AppState, "route_agent_id", lambda self: None)
        root = AppState(_reflex_internal_init=True)
        state = root.get_substate(AgentsState.get_full_name().split(".")[2:])
        state.load_shell()
        state.load_agents()
        return state

    return make


def test_admin_sees_cards_and_creates_an_agent(tokens, make_state):
    state = make_state(tokens["admin"])
    assert state.can_manage and state.loaded
    assert [(c.name, c.public_path, c.contacts_label) for c in state.agent_cards] == [
        ("Reception", "/a/reception", "0 contacts")
    ]
    assert state.agent_cards[0].crm_href == f"/agents/{tokens['agent_id']}/crm/contacts"

    state.open_create()
    state.set_new_name("Front Desk")
    assert state.new_slug == "front-desk"  # filled from the name until the slug is edited
    state.set_new_slug("desk")
    state.set_new_name("Front Desk Bot")
    assert state.new_slug == "desk"
    state.set_new_region("GB")
    events = state.submit_create()
    assert state.create_open is False and state.create_errors == {}
    assert "is ready" in str(events)
    assert [c.name for c in state.agent_cards] == ["Front Desk Bot", "Reception"]
    assert state.agent_cards[0].region_label.startswith("GB")


def test_create_errors_show_next_to_the_field(tokens, make_state):
    state = make_state(tokens["owner"])
    state.open_create()
    state.set_new_name("Copycat")
    state.set_new_slug("shop-bot")  # another organization's slug
    state.submit_create()
    assert state.create_open and state.create_errors == {"slug": "This URL slug is taken."}
    state.set_new_slug("copycat")
    assert state.create_errors == {}
    state.set_new_name("")
    state.set_new_slug("")
    state.submit_create()
    assert "name" in state.create_errors


def test_user_sees_their_agents_but_cannot_manage(tokens, make_state):
    state = make_state(tokens["user"])
    assert not state.can_manage
    assert [c.name for c in state.agent_cards] == ["Reception"]
    state.open_create()
    state.set_new_name("Mine")
    assert "needs the Admin role" in str(state.submit_create())
    assert state.create_errors == {}
    assert "Agent not found" in str(state.start_delete(tokens["agent_id"]))
    # Even calling the delete handler directly with forged state is refused by the service.
    state.delete_id, state.delete_confirm = tokens["agent_id"], "Reception"
    assert "needs the Admin role" in str(state.submit_delete())
    with session_scope() as session:
        assert session.get(Agent, tokens["agent_id"]) is not None
        assert session.exec(select(Agent).where(Agent.name == "Mine")).first() is None


def test_other_org_cannot_touch_the_agent(tokens, make_state):
    state = make_state(tokens["other"])
    assert [c.name for c in state.agent_cards] == ["Shop Bot"]
    assert "Agent not found" in str(state.start_rename(tokens["agent_id"]))
    state.rename_id, state.rename_value = tokens["agent_id"], "Hijacked"
    assert "Agent not found" in str(state.submit_rename())
    state.delete_id, state.delete_confirm = tokens["agent_id"], "Reception"
    assert "Agent not found" in str(state.submit_delete())
    with session_scope() as session:
        assert session.get(Agent, tokens["agent_id"]).name == "Reception"


def test_rename_and_delete_with_confirmation(tokens, make_state):
    state = make_state(tokens["owner"])
    state.start_rename(tokens["agent_id"])
    assert state.rename_open and state.rename_value == "Reception"
    state.set_rename_value("")
    state.submit_rename()
    assert state.rename_open and state.rename_error
    state.set_rename_value("Front Desk")
    state.submit_rename()
    assert not state.rename_open and state.agent_cards[0].name == "Front Desk"

    state.start_delete(tokens["agent_id"])
    assert state.delete_open and state.delete_name == "Front Desk" and not state.delete_ready
    state.set_delete_confirm("front desk")
    assert not state.delete_ready
    state.submit_delete()
    assert state.delete_open and state.delete_error == agents.MSG_CONFIRM
    state.set_delete_confirm("Front Desk")
    assert state.delete_ready
    events = state.submit_delete()
    assert not state.delete_open and state.agent_cards == []
    assert "Deleted Front Desk" in str(events)
    with session_scope() as session:
        assert session.get(Agent, tokens["agent_id"]) is None
