"""The dashboard shell state: sign-in redirect, agent list per role, agent switching."""

from __future__ import annotations

import pytest
from sqlmodel import SQLModel

from crm_app import db, settings
from crm_app.models import Agent, Membership, Organization, User
from crm_app.services import sessions
from crm_app.state.base import AppState


@pytest.fixture()
def world(tmp_path, monkeypatch):
    monkeypatch.setenv("CRM_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("CRM_DATABASE_URL", raising=False)
    settings.get_settings.cache_clear()
    db.get_engine.cache_clear()
    SQLModel.metadata.create_all(db.get_engine())
    with db.session_scope() as s:
        org, other_org = Organization(name="Clinic"), Organization(name="Shop")
        owner = User(email="owner@clinic.example", first_name="Dana", last_name="Whitfield")
        staff = User(email="staff@clinic.example")
        stranger = User(email="owner@shop.example")
        s.add_all([org, other_org, owner, staff, stranger])
        s.flush()
        mine = Agent(org_id=org.id, name="Reception", slug="reception")
        theirs = Agent(org_id=other_org.id, name="Sales", slug="sales")
        s.add_all([mine, theirs])
        s.flush()
        s.add_all(
            [
                Membership(org_id=org.id, user_id=owner.id, role="Owner"),
                Membership(org_id=org.id, user_id=staff.id, role="User", agent_ids=[]),
                Membership(org_id=other_org.id, user_id=stranger.id, role="Owner"),
            ]
        )
        s.flush()
        data = {
            "owner": sessions.create_session(s, owner, org.id),
            "staff": sessions.create_session(s, staff, org.id),
            "mine": mine.id,
            "theirs": theirs.id,
        }
    yield data
    db.get_engine().dispose()
    settings.get_settings.cache_clear()
    db.get_engine.cache_clear()


def _state(monkeypatch, token):
    monkeypatch.setattr(AppState, "_token", lambda self: token)
    monkeypatch.setattr(AppState, "route_agent_id", lambda self: None)
    return AppState(_reflex_internal_init=True)


def test_no_cookie_redirects_to_login(world, monkeypatch):
    state = _state(monkeypatch, None)
    event = state.load_shell()
    assert state.signed_in is False
    assert "/login" in str(event)


def test_owner_shell_lists_agents_of_own_org_only(world, monkeypatch):
    state = _state(monkeypatch, world["owner"])
    assert state.load_shell() is None
    assert state.signed_in and state.user_name == "Dana Whitfield" and state.role == "Owner"
    assert state.org_name == "Clinic"
    assert [a.name for a in state.agents] == ["Reception"]
    assert state.current_agent_key == str(world["mine"])
    assert state.user_initials == "DW"


def test_switching_to_another_orgs_agent_is_refused(world, monkeypatch):
    state = _state(monkeypatch, world["owner"])
    state.load_shell()
    event = state.switch_agent(str(world["theirs"]))
    assert "Agent not found" in str(event)
    assert state.current_agent_key == str(world["mine"])


def test_user_without_assigned_agents_sees_none(world, monkeypatch):
    state = _state(monkeypatch, world["staff"])
    state.load_shell()
    assert state.agents == [] and state.current_agent_key == ""
    assert "Agent not found" in str(state.switch_agent(str(world["mine"])))
