"""services/agent_settings: the agent settings screen's reads and writes — checks per field,
roles, another organization refused, and the provider API key sealed at rest (the column
never holds the plain key; no read function returns it; only the engine config unseals it).
"""

from __future__ import annotations

import pytest
from sqlmodel import select

from crm_app.db import session_scope
from crm_app.models import Agent, AuditLog
from crm_app.services import agent_settings, secret_box
from crm_app.services.agents import create_agent
from crm_app.services.errors import NotFound, PermissionDenied, ValidationErrors
from crm_app.services.errors import ValidationError as ServiceValidationError
from crm_app.services.gate import rule_settings

KEY = "sk-live-Zx81q0-PLAIN-KEY-do-not-store-4242"


@pytest.fixture(autouse=True)
def _no_llm_env(monkeypatch):
    for name in ("CRM_LLM_BASE_URL", "CRM_LLM_MODEL", "CRM_LLM_API_KEY"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def agent_id(world) -> int:
    with session_scope() as s:
        return create_agent(s, world.owner, "Reception", region="GB").id


def _update(actor, agent_id, **changes) -> dict:
    with session_scope() as s:
        return agent_settings.update_agent_settings(s, actor, agent_id, **changes)


def _get(actor, agent_id) -> dict:
    with session_scope() as s:
        return agent_settings.get_agent_settings(s, actor, agent_id)


def _stored_key(agent_id) -> str:
    with session_scope() as s:
        return s.get(Agent, agent_id).llm_api_key


def _errors(excinfo) -> dict[str, str]:
    error = excinfo.value
    return {e.field: e.message for e in getattr(error, "errors", [error])}


def test_reads_what_the_screen_shows(world, agent_id):
    view = _get(world.owner, agent_id)
    assert view["name"] == "Reception" and view["public_path"] == "/a/reception"
    assert view["phone_region"] == "GB" and view["region_label"] == "GB — United Kingdom"
    assert view["visibility"] == "Private" and view["access_mode"] == "Use for Free"
    assert view["gated_mode"] == "" and view["llm_provider"] == "offline"
    assert view["has_api_key"] is False and view["can_edit"] is True


def test_owner_changes_general_visibility_and_engine_with_one_audit_entry_each(world, agent_id):
    view = _update(
        world.owner,
        agent_id,
        name="  Front   desk ",
        welcome_message="Welcome to Sunrise!",
        phone_region="us",
        avatar_url="https://cdn.example.com/ava.png",
    )
    assert view["name"] == "Front desk" and view["phone_region"] == "US"
    assert view["avatar_url"] == "https://cdn.example.com/ava.png"
    view = _update(world.admin, agent_id, visibility="Public", access_mode="Use for Free")
    assert view["visibility"] == "Public"
    view = _update(
        world.owner,
        agent_id,
        llm_provider="openai",
        llm_base_url="http://127.0.0.1:11434/v1",
        llm_model="llama3.2",
        api_key_action="replace",
        api_key=KEY,
    )
    assert view["llm_provider"] == "openai" and view["llm_model"] == "llama3.2"
    assert view["has_api_key"] is True and view["api_key_unreadable"] is False
    with session_scope() as s:
        entries = [
            e.description
            for e in s.exec(select(AuditLog).where(AuditLog.resource == "Agent")).all()
            if e.description.startswith("Updated the settings")
        ]
    assert len(entries) == 3
    assert "name Reception → Front desk" in entries[0] and "phone region GB → US" in entries[0]
    assert "welcome message" in entries[0] and "avatar" in entries[0]
    assert "visibility Private → Public" in entries[1]
    assert "reply engine Offline → OpenAI-compatible" in entries[2]
    assert "model (empty) → llama3.2" in entries[2] and "API key replaced" in entries[2]
    assert all(KEY not in e and "sk-live" not in e for e in entries)


def test_no_change_records_nothing(world, agent_id):
    _update(world.owner, agent_id, name="Reception", phone_region="GB")
    with session_scope() as s:
        assert not [
            e
            for e in s.exec(select(AuditLog)).all()
            if e.description.startswith("Updated the settings")
        ]


def test_every_wrong_field_has_its_own_message_and_nothing_is_saved(world, agent_id):
    with pytest.raises(ValidationErrors) as excinfo:
        _update(
            world.owner,
            agent_id,
            name="",
            welcome_message="x" * 501,
            phone_region="XX",
            avatar_url="http://insecure.example.com/a.png",
            visibility="Secret",
            llm_provider="claude",
            llm_base_url="ftp://models.example.com",
            llm_model="gpt 4",
            api_key_action="replace",
            api_key="has space inside",
        )
    errors = _errors(excinfo)
    assert errors == {
        "name": "Enter a name of 1 to 80 characters.",
        "welcome_message": "Keep the welcome message under 500 characters.",
        "phone_region": "Choose a valid phone region.",
        "avatar_url": agent_settings.MSG_AVATAR,
        "visibility": agent_settings.MSG_VISIBILITY,
        "llm_provider": agent_settings.MSG_ENGINE,
        "llm_base_url": agent_settings.MSG_BASE_URL,
        "llm_model": agent_settings.MSG_MODEL,
        "llm_api_key": agent_settings.MSG_KEY,
    }
    assert _get(world.owner, agent_id)["name"] == "Reception"


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"avatar_url": "javascript:alert(1)"}, "avatar_url", agent_settings.MSG_AVATAR),
        ({"avatar_url": "https://"}, "avatar_url", agent_settings.MSG_AVATAR),
        ({"avatar_url": "https://a.example/" + "x" * 500}, "avatar_url", agent_settings.MSG_AVATAR),
        ({"llm_base_url": "localhost:11434"}, "llm_base_url", agent_settings.MSG_BASE_URL),
        ({"llm_base_url": "http://h:99999/v1"}, "llm_base_url", agent_settings.MSG_BASE_URL),
        (
            {"llm_base_url": "https://user:pw@api.example.com/v1"},
            "llm_base_url",
            agent_settings.MSG_BASE_URL_CREDENTIALS,
        ),
        ({"llm_model": "m" * 101}, "llm_model", agent_settings.MSG_MODEL),
        ({"api_key_action": "replace", "api_key": ""}, "llm_api_key", agent_settings.MSG_KEY),
        (
            {"api_key_action": "replace", "api_key": "k" * 501},
            "llm_api_key",
            agent_settings.MSG_KEY,
        ),
        ({"api_key_action": "replace", "api_key": "ключ"}, "llm_api_key", agent_settings.MSG_KEY),
        ({"api_key_action": "steal"}, "llm_api_key", agent_settings.MSG_KEY_ACTION),
        ({"access_mode": "Members only"}, "access_mode", agent_settings.MSG_MODE),
        ({"access_mode": ""}, "access_mode", agent_settings.MSG_MODE),
        ({"llm_provider": "openai"}, "llm_model", agent_settings.MSG_MODEL_NEEDED),
    ],
)
def test_one_wrong_field(world, agent_id, changes, field, message):
    with pytest.raises(ServiceValidationError) as excinfo:
        _update(world.owner, agent_id, **changes)
    assert _errors(excinfo) == {field: message}


def test_empty_values_fall_back_to_the_environment(world, agent_id, monkeypatch):
    monkeypatch.setenv("CRM_LLM_MODEL", "env-model")
    monkeypatch.setenv("CRM_LLM_API_KEY", "env-key")
    view = _update(world.owner, agent_id, llm_provider="openai", llm_base_url="", llm_model="")
    assert view["llm_model"] == "" and view["env_model"] == "env-model" and view["env_key_set"]
    with session_scope() as s:
        config = agent_settings.engine_config(s.get(Agent, agent_id))
    assert config == {"provider": "openai", "base_url": "", "model": "", "api_key": ""}


def test_every_mode_can_be_chosen_and_each_change_is_audited(world, agent_id):
    for mode in ("Restrict", "Pay for Access", "Use for Free"):
        view = _update(world.admin, agent_id, visibility="Public", access_mode=mode)
        assert view["visibility"] == "Public" and view["access_mode"] == mode
    view = _update(world.owner, agent_id, visibility="Private")
    assert view["visibility"] == "Private" and view["access_mode"] == "Use for Free"
    with session_scope() as s:
        descriptions = [
            e.description
            for e in s.exec(select(AuditLog).order_by(AuditLog.id)).all()
            if e.description.startswith("Updated the settings")
        ]
    assert descriptions == [
        "Updated the settings of the agent Reception: visibility Private → Public; "
        "access mode Use for Free → Restrict",
        "Updated the settings of the agent Reception: access mode Restrict → Pay for Access",
        "Updated the settings of the agent Reception: access mode Pay for Access → Use for Free",
        "Updated the settings of the agent Reception: visibility Public → Private",
    ]


def _stage_ids(agent_id) -> dict[str, int]:
    from crm_app.models import Stage

    with session_scope() as s:
        return {st.name: st.id for st in s.exec(select(Stage).where(Stage.agent_id == agent_id))}


def test_the_restrict_rule_in_plain_words(world, agent_id):
    view = _get(world.owner, agent_id)
    assert view["gate_statuses"] == ["Active"] and view["gate_stage_ids"] == []
    assert view["gate_description"] == "Only Active contacts can chat."
    stages = _stage_ids(agent_id)
    assert [s["name"] for s in view["stages"]][:1] == ["Lead"] and "Customer" in stages
    with session_scope() as s:
        view = rule_settings.update_gate_rule(
            s, world.admin, agent_id, statuses=["Active"], stage_ids=[stages["Customer"]]
        )
    assert view["gate_description"] == "Only Active contacts in stage Customer can chat."
    with session_scope() as s:
        assert s.get(Agent, agent_id).gate_rule == {
            "statuses": ["Active"],
            "stage_ids": [stages["Customer"]],
        }
        view = rule_settings.update_gate_rule(
            s,
            world.owner,
            agent_id,
            statuses=["Inactive", "Active"],
            stage_ids=[stages["Customer"], stages["Lead"]],
        )
    assert view["gate_description"] == (
        "Only Active or Inactive contacts in stages Lead or Customer can chat."
    )
    with session_scope() as s:  # the same rule again: no new audit entry
        rule_settings.update_gate_rule(
            s,
            world.owner,
            agent_id,
            statuses=["Active", "Inactive"],
            stage_ids=[stages["Lead"], stages["Customer"]],
        )
        entries = [
            e.description
            for e in s.exec(select(AuditLog).order_by(AuditLog.id)).all()
            if e.description.startswith("Changed who may chat")
        ]
    assert entries == [
        "Changed who may chat with the agent Reception (Restrict): Only Active contacts in "
        "stage Customer can chat.",
        "Changed who may chat with the agent Reception (Restrict): Only Active or Inactive "
        "contacts in stages Lead or Customer can chat.",
    ]


@pytest.mark.parametrize(
    ("statuses", "stage_ids", "field"),
    [
        ([], [], "statuses"),
        (["Blocked"], [], "statuses"),
        (["Active"], [999999], "stage_ids"),
        (["Active"], ["x"], "stage_ids"),
    ],
)
def test_a_wrong_rule_is_refused_and_nothing_changes(world, agent_id, statuses, stage_ids, field):
    with session_scope() as s, pytest.raises(ServiceValidationError) as excinfo:
        rule_settings.update_gate_rule(
            s, world.owner, agent_id, statuses=statuses, stage_ids=stage_ids
        )
    assert excinfo.value.field == field
    with session_scope() as s:
        assert s.get(Agent, agent_id).gate_rule == {}


def test_another_agents_stage_is_refused(world, agent_id):
    with session_scope() as s:
        other = create_agent(s, world.owner, "Front desk")
    foreign = _stage_ids(other.id)["Customer"]
    with session_scope() as s, pytest.raises(ServiceValidationError):
        rule_settings.update_gate_rule(
            s, world.owner, agent_id, statuses=["Active"], stage_ids=[foreign]
        )


def test_users_read_but_never_write_and_other_orgs_see_nothing(world, agent_id):
    with pytest.raises(NotFound):  # a User not given the agent
        _get(world.user, agent_id)
    with session_scope() as s:
        from crm_app.models import Membership

        row = s.exec(select(Membership).where(Membership.user_id == world.user.user_id)).one()
        row.agent_ids = [agent_id]
        s.add(row)
        user = world.refresh(s, world.user)
    view = _get(user, agent_id)
    assert view["can_edit"] is False and view["name"] == "Reception"
    with pytest.raises(PermissionDenied):
        _update(user, agent_id, name="Hacked")
    with pytest.raises(PermissionDenied):
        _update(user, agent_id, api_key_action="remove")
    with pytest.raises(PermissionDenied):
        _update(user, agent_id, visibility="Public", access_mode="Use for Free")
    with session_scope() as s, pytest.raises(PermissionDenied):
        rule_settings.update_gate_rule(s, user, agent_id, statuses=["Inactive"], stage_ids=[])
    with session_scope() as s, pytest.raises(NotFound):
        rule_settings.update_gate_rule(
            s, world.other_owner, agent_id, statuses=["Inactive"], stage_ids=[]
        )
    for call in (
        lambda: _get(world.other_owner, agent_id),
        lambda: _update(world.other_owner, agent_id, visibility="Public"),
    ):
        with pytest.raises(NotFound):
            call()
    with session_scope() as s, pytest.raises(NotFound):
        agent_settings.provider_test_config(
            s, world.other_owner, agent_id, llm_base_url="", llm_model="m"
        )
    with session_scope() as s, pytest.raises(PermissionDenied):
        agent_settings.provider_test_config(s, user, agent_id, llm_base_url="", llm_model="m")
    assert _get(world.owner, agent_id)["name"] == "Reception"
    assert _get(world.owner, agent_id)["visibility"] == "Private"


def test_the_key_is_sealed_at_rest_and_never_read_back(world, agent_id):
    view = _update(
        world.owner,
        agent_id,
        llm_provider="openai",
        llm_model="gpt-4o-mini",
        api_key_action="replace",
        api_key=KEY,
    )
    stored = _stored_key(agent_id)
    assert stored.startswith(secret_box.PREFIX) and KEY not in stored and "sk-live" not in stored
    assert len(stored) <= 1000
    assert KEY not in repr(view) and KEY not in repr(_get(world.owner, agent_id))
    with session_scope() as s:
        assert agent_settings.engine_config(s.get(Agent, agent_id))["api_key"] == KEY
        test_config = agent_settings.provider_test_config(
            s, world.owner, agent_id, llm_base_url="", llm_model="gpt-4o-mini"
        )
    assert test_config.api_key == KEY
    # Saving other settings keeps the key; replacing and removing change it.
    _update(world.owner, agent_id, name="Front desk", llm_model="gpt-4.1-mini")
    assert _stored_key(agent_id) == stored
    _update(world.owner, agent_id, api_key_action="replace", api_key="sk-second-" + "k" * 490)
    second = _stored_key(agent_id)
    assert second != stored and len(second) <= 1000 and "sk-second" not in second
    view = _update(world.owner, agent_id, api_key_action="remove")
    assert _stored_key(agent_id) == "" and view["has_api_key"] is False


def test_a_key_sealed_under_another_secret_reads_as_unreadable(world, agent_id):
    with session_scope() as s:
        agent = s.get(Agent, agent_id)
        agent.llm_api_key = secret_box.seal(KEY, secret="an older installation secret")
        s.add(agent)
    view = _get(world.owner, agent_id)
    assert view["has_api_key"] and view["api_key_unreadable"]
    with session_scope() as s:
        assert agent_settings.engine_config(s.get(Agent, agent_id))["api_key"] == ""


def test_test_config_uses_the_form_not_the_saved_values(world, agent_id):
    _update(
        world.owner,
        agent_id,
        llm_provider="openai",
        llm_model="saved",
        api_key_action="replace",
        api_key=KEY,
    )
    with session_scope() as s:
        typed = agent_settings.provider_test_config(
            s,
            world.owner,
            agent_id,
            llm_base_url="http://localhost:8080/v1",
            llm_model="typed",
            api_key_action="replace",
            api_key="sk-typed",
        )
        removed = agent_settings.provider_test_config(
            s, world.owner, agent_id, llm_base_url="", llm_model="typed", api_key_action="remove"
        )
        with pytest.raises(ServiceValidationError) as excinfo:
            agent_settings.provider_test_config(
                s, world.owner, agent_id, llm_base_url="nope", llm_model=""
            )
    assert (typed.base_url, typed.model, typed.api_key) == (
        "http://localhost:8080/v1",
        "typed",
        "sk-typed",
    )
    assert removed.api_key == "" and removed.provider == "openai"
    assert _errors(excinfo) == {"llm_base_url": agent_settings.MSG_BASE_URL}


def test_seal_and_unseal():
    sealed = secret_box.seal("abc", secret="s1")
    assert sealed != secret_box.seal("abc", secret="s1")  # a fresh IV every time
    assert secret_box.unseal(sealed, secret="s1") == "abc"
    assert secret_box.unseal(sealed, secret="s2") is None
    assert secret_box.readable(sealed, secret="s1") and not secret_box.readable(sealed, secret="s2")
    assert secret_box.unseal("fernet:garbage", secret="s1") is None
    assert secret_box.unseal("legacy-plain", secret="s1") == "legacy-plain"
    assert secret_box.seal("") == "" and secret_box.unseal("") == ""


def test_a_rule_whose_stages_were_deleted_says_so(world, agent_id):
    from crm_app.models import Stage

    stages = _stage_ids(agent_id)
    with session_scope() as s:
        rule_settings.update_gate_rule(
            s, world.owner, agent_id, statuses=["Active"], stage_ids=[stages["Old Customer"]]
        )
    with session_scope() as s:
        s.delete(s.get(Stage, stages["Old Customer"]))
    view = _get(world.owner, agent_id)
    assert view["gate_description"] == "No contact can chat: the chosen stages no longer exist."
