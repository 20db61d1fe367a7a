"""The Data requests page as the browser drives it: an Owner sees the open request, erases
the contact and the sidebar count follows; a User and another organization get nothing."""

from __future__ import annotations

import asyncio

import pytest
import reflex as rx

from crm_app import db
from crm_app.models import Agent, Contact, User
from crm_app.services import sessions
from crm_app.services.gate import self_service
from crm_app.state.base import AppState
from crm_app.state.data_requests import DataRequestsNavState, DataRequestsState
from tests.unit.self_service.conftest import MARIA, world  # noqa: F401  (fixture)


@pytest.fixture()
def tokens(world):  # noqa: F811
    with db.session_scope() as s:
        self_service.request_erasure(s, s.get(Agent, world.agent_id), MARIA)
        return {
            name: sessions.create_session(s, s.get(User, actor.user_id), actor.org_id)
            for name, actor in (
                ("owner", world.owner),
                ("user", world.user),
                ("outsider", world.outsider),
            )
        }


@pytest.fixture()
def make_state(monkeypatch):
    def make(token: str, agent_id: int) -> tuple[DataRequestsState, DataRequestsNavState]:
        monkeypatch.setattr(AppState, "_token", lambda self: token)
        monkeypatch.setattr(AppState, "route_agent_id", lambda self: agent_id)
        root = rx.State(_reflex_internal_init=True)  # erase() reaches the nav state through it
        state = root.get_substate(DataRequestsState.get_full_name().split(".")[1:])
        nav = root.get_substate(DataRequestsNavState.get_full_name().split(".")[1:])
        state.load_shell()
        state.load()
        nav.load_nav()
        return state, nav

    return make


def test_the_owner_erases_with_one_click_and_the_count_follows(world, tokens, make_state):  # noqa: F811
    state, nav = make_state(tokens["owner"], world.agent_id)
    assert state.loaded and state.load_error == ""
    assert [(r.name, r.status) for r in state.rows] == [("Maria Lopez", "open")]
    assert (nav.open_count, nav.nav_shown) == (1, True) and state.open_total == 1
    state.ask_erase(state.rows[0].id, state.rows[0].name)
    assert state.erase_open and state.erase_name == "Maria Lopez"
    asyncio.run(state.erase())
    assert not state.erase_open and state.rows == [] and nav.open_count == 0
    state.set_tab("handled")
    assert [(r.name, r.status, r.email) for r in state.rows] == [("Erased contact", "erased", "")]
    state.set_tab(["nonsense"])
    assert state.tab == "open"
    with db.session_scope(read_only=True) as s:
        assert s.get(Contact, world.maria_id) is None


@pytest.mark.parametrize("who", ["user", "outsider"])
def test_users_and_other_organizations_see_nothing(world, tokens, make_state, who):  # noqa: F811
    state, nav = make_state(tokens[who], world.agent_id)
    assert state.load_error and state.rows == []
    assert (nav.open_count, nav.nav_shown) == (0, False)
    state.erase_id = "1"
    asyncio.run(state.erase())  # shown as a toast; nothing erased
    with db.session_scope(read_only=True) as s:
        assert s.get(Contact, world.maria_id) is not None
