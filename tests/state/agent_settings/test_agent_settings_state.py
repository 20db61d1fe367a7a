"""Agent settings handlers as the browser calls them (any arguments, any member): an Owner
saves each section, a User reads only, another organization's Owner sees "Agent not found",
and the API key never reaches a state var."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from crm_app import db
from crm_app.models import Agent, Membership, Organization, User
from crm_app.services import fields, secret_box, sessions, stages
from crm_app.services.agent_settings import MSG_AVATAR, MSG_KEY
from crm_app.state.agent_settings import AgentSettingsState
from crm_app.state.base import AppState

KEY = "sk-state-test-PLAIN-0042"


@dataclass
class World:
    agent_id: int
    owner: str
    user: str
    outsider: str


@pytest.fixture()
def world(db_env, monkeypatch):
    for name in ("CRM_LLM_BASE_URL", "CRM_LLM_MODEL", "CRM_LLM_API_KEY"):
        monkeypatch.delenv(name, raising=False)
    with db.session_scope() as s:
        clinic, other = Organization(name="Sunrise Clinic"), Organization(name="Other Org")
        owner, staff, stranger = (
            User(email="owner@clinic.example", first_name="Dana"),
            User(email="staff@clinic.example"),
            User(email="owner@other.example"),
        )
        s.add_all([clinic, other, owner, staff, stranger])
        s.flush()
        agent = Agent(org_id=clinic.id, name="Reception", slug="reception")
        s.add(agent)
        s.flush()
        fields.install_default_fields(s, agent.id)
        stages.install_default_stages(s, agent.id)
        s.add_all(
            [
                Membership(org_id=clinic.id, user_id=owner.id, role="Owner"),
                Membership(org_id=clinic.id, user_id=staff.id, role="User", agent_ids=[agent.id]),
                Membership(org_id=other.id, user_id=stranger.id, role="Owner"),
            ]
        )
        s.flush()
        return World(
            agent_id=agent.id,
            owner=sessions.create_session(s, owner, clinic.id),
            user=sessions.create_session(s, staff, clinic.id),
            outsider=sessions.create_session(s, stranger, other.id),
        )


@pytest.fixture()
def make_state(monkeypatch):
    def make(token: str, agent_id: int) -> AgentSettingsState:
        monkeypatch.setattr(AppState, "_token", lambda self: token)
        monkeypatch.setattr(AppState, "route_agent_id", lambda self: agent_id)
        root = AppState(_reflex_internal_init=True)
        state = root.get_substate(AgentSettingsState.get_full_name().split(".")[2:])
        state.load_shell()
        state.load()
        return state

    return make


def _agent(world) -> Agent:
    with db.session_scope() as s:
        agent = s.get(Agent, world.agent_id)
        s.expunge(agent)
        return agent


def _all_vars(state) -> str:
    return repr({name: getattr(state, name) for name in state.base_vars}) + repr(state.dict())


def test_owner_saves_each_section(world, make_state):
    state = make_state(world.owner, world.agent_id)
    assert state.load_error == "" and state.can_edit and state.name == "Reception"
    assert state.public_url.endswith("/a/reception")

    state.set_value("name", "Front desk")
    state.set_value("phone_region", "GB")
    state.save_general({"name": "Front desk", "welcome_message": "Hello!", "avatar_url": ""})
    assert state.errors == {} and state.agent_name == "Front desk"
    assert _agent(world).phone_region == "GB" and _agent(world).welcome_message == "Hello!"

    state.choose_visibility("Public")  # asks first: `Make your chatbot public?`
    assert state.public_open and state.pending_mode == "Use for Free"
    assert _agent(world).visibility == "Private"
    state.set_pending_mode("Everyone")  # not a mode: ignored
    state.set_pending_mode("Restrict")
    state.make_public("")
    assert not state.public_open and state.visibility == "Public"
    assert state.access_mode == "Restrict" and state.gated_mode == "Restrict"
    assert (_agent(world).visibility, _agent(world).access_mode) == ("Public", "Restrict")

    state.set_value("llm_provider", "openai")
    state.save_engine(
        {"llm_base_url": "http://127.0.0.1:9/v1", "llm_model": "m", "llm_api_key": KEY}
    )
    agent = _agent(world)
    assert agent.llm_provider == "openai" and agent.llm_model == "m"
    assert secret_box.unseal(agent.llm_api_key) == KEY and KEY not in agent.llm_api_key
    assert state.has_api_key and state.key_action == "keep"
    assert KEY not in _all_vars(state)


def test_field_errors_land_next_to_their_fields(world, make_state):
    state = make_state(world.owner, world.agent_id)
    state.save_general({"name": "", "avatar_url": "http://x.example/a.png"})
    assert state.errors == {"name": "Enter a name of 1 to 80 characters.", "avatar_url": MSG_AVATAR}
    state.set_value("avatar_url", "https://x.example/a.png")
    assert "avatar_url" not in state.errors
    state.set_value("llm_provider", "openai")
    state.set_key_action("replace")
    state.save_engine({"llm_model": "m", "llm_api_key": ""})
    assert state.errors == {"llm_api_key": MSG_KEY}
    assert _agent(world).llm_provider == "offline"


def test_key_replace_remove_and_the_test_config(world, make_state):
    state = make_state(world.owner, world.agent_id)
    state.set_value("llm_provider", "openai")
    state.save_engine({"llm_model": "m", "llm_api_key": KEY})
    assert state._test_config("").api_key == KEY  # kept: the saved key, unsealed
    assert state._test_config("sk-typed").api_key == "sk-typed"
    state.set_key_action("remove")
    assert state._test_config("").api_key == ""
    state.save_engine({"llm_model": "m"})
    assert _agent(world).llm_api_key == "" and not state.has_api_key
    state.set_key_action("bogus")
    assert state.key_action == "keep"


def test_user_reads_only(world, make_state):
    state = make_state(world.user, world.agent_id)
    assert state.load_error == "" and not state.can_edit and state.name == "Reception"
    state.set_value("name", "Hacked")
    assert "Admin role" in str(state.save_general({"name": "Hacked"}))
    state.choose_visibility("Public")
    assert not state.public_open
    assert "Admin role" in str(state.make_public("Use for Free"))
    assert "Admin role" in str(state.make_private())
    state.toggle_status("Inactive")
    assert state.rule_statuses == ["Active"]
    assert "Admin role" in str(state.save_rule())
    with pytest.raises(Exception, match="Admin role"):
        state._test_config("")
    state.set_key_action("remove")
    assert state.key_action == "keep"
    assert _agent(world).name == "Reception" and _agent(world).visibility == "Private"


def test_other_organization_sees_agent_not_found(world, make_state):
    state = make_state(world.outsider, world.agent_id)
    assert state.load_error == "Agent not found." and not state.can_edit
    assert state.name == "" and state.slug == ""
    assert "Agent not found." in str(state.make_public("Use for Free"))
    assert "Agent not found." in str(state.save_rule())
    assert _agent(world).visibility == "Private"


def test_unknown_fields_and_values_are_ignored(world, make_state):
    state = make_state(world.owner, world.agent_id)
    state.set_value("can_edit", "false")
    state.set_value("has_api_key", "")
    state.set_value("visibility", "Public")  # only the dialogs change it
    state.choose_visibility("Everyone")
    state.set_value("llm_provider", "claude")
    assert state.can_edit and state.visibility == "Private" and state.llm_provider == "offline"


def test_the_restrict_rule_editor(world, make_state):
    state = make_state(world.owner, world.agent_id)
    state.set_pending_mode("Restrict")
    state.make_public("")
    assert state.rule_preview == "Only Active contacts can chat." and not state.rule_changed
    customer = next(c.id for c in state.stage_choices if c.name == "Customer")
    state.toggle_stage(customer)
    state.toggle_stage("999999")  # not one of the agent's stages: ignored
    state.toggle_status("Blocked")  # never allowed: ignored
    assert state.rule_stage_ids == [customer] and state.rule_statuses == ["Active"]
    assert state.rule_preview == "Only Active contacts in stage Customer can chat."
    assert state.rule_changed
    state.save_rule()
    assert state.gate_description == "Only Active contacts in stage Customer can chat."
    assert not state.rule_changed
    assert _agent(world).gate_rule == {"statuses": ["Active"], "stage_ids": [int(customer)]}
    state.toggle_status("Active")  # none left
    assert state.rule_preview.startswith("No one can chat")
    state.save_rule()
    assert state.errors == {"statuses": "Choose at least one contact status."}
    state.reset_rule()
    assert state.rule_statuses == ["Active"] and not state.rule_changed
    state.make_private()
    assert state.visibility == "Private" and _agent(world).visibility == "Private"


def test_a_deleted_stage_leaves_the_rule_and_saving_cleans_it(world, make_state):
    from sqlmodel import select

    from crm_app.models import Stage

    with db.session_scope() as s:
        gone = s.exec(
            select(Stage).where(Stage.agent_id == world.agent_id, Stage.name == "Old Customer")
        ).one()
        agent = s.get(Agent, world.agent_id)
        agent.visibility, agent.access_mode = "Public", "Restrict"
        agent.gate_rule = {"statuses": ["Active"], "stage_ids": [gone.id]}
        s.add(agent)
        s.flush()
        s.delete(gone)
    state = make_state(world.owner, world.agent_id)
    assert state.gate_description.startswith("No contact can chat")
    assert state.rule_stage_ids == [] and state.rule_changed
    state.save_rule()
    assert state.errors == {} and state.gate_description == "Only Active contacts can chat."
    assert _agent(world).gate_rule == {"statuses": ["Active"], "stage_ids": []}
