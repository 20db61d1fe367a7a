"""Test connection (services/provider_check.py) against the local chat-completions server:
connected, a refused key, an unknown model, a timeout, an unreachable address; and the
chat turn's engine config gets the unsealed key (the provider sees it as a Bearer token)."""

from __future__ import annotations

import socket

import pytest

from crm_app.agent.base import EngineConfig
from crm_app.db import session_scope
from crm_app.models import Agent
from crm_app.services import agent_settings, provider_check
from crm_app.services.agents import create_agent
from tests.support.fake_llm import FakeLLM, Reply


@pytest.fixture
def llm():
    with FakeLLM() as server:
        yield server


def _config(llm, **overrides) -> EngineConfig:
    values = {"provider": "openai", "base_url": llm.base_url, "model": "fake-model"}
    values |= {"api_key": "sk-test", "timeout": 5} | overrides
    return EngineConfig(**values)


def test_connected(llm):
    llm.script(Reply(text=["O", "K"]))
    check = provider_check.test_provider(_config(llm))
    assert check == provider_check.ProviderCheck(True, "Connected: fake-model answered “OK”.")
    assert len(llm.requests) == 1 and "tools" not in llm.requests[0]
    assert llm.requests[0]["model"] == "fake-model"
    assert llm.authorizations == ["Bearer sk-test"]


def test_refused_key(llm):
    llm.script(Reply(status=401, error_message="Incorrect API key provided."))
    check = provider_check.test_provider(_config(llm))
    assert not check.ok
    assert check.message == (
        "The provider refused the API key (HTTP 401): Incorrect API key provided."
    )


def test_unknown_model(llm):
    llm.script(Reply(status=404, error_message="model 'nope' not found"))
    check = provider_check.test_provider(_config(llm, model="nope"))
    assert not check.ok and check.message.startswith("Unknown model “nope”")
    assert "model 'nope' not found" in check.message


def test_timeout(llm):
    llm.script(Reply(text=["late"], delay=2))
    check = provider_check.test_provider(_config(llm, timeout=0.5))
    assert not check.ok
    assert check.message == f"Timed out: {llm.base_url} did not answer within 0.5 seconds."


def test_unreachable():
    with socket.socket() as sock:  # a port nothing listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    url = f"http://127.0.0.1:{port}/v1"
    check = provider_check.test_provider(
        EngineConfig(provider="openai", base_url=url, model="m", timeout=5)
    )
    assert not check.ok and check.message.startswith(f"Unreachable: could not connect to {url}.")


def test_the_chat_turn_engine_gets_the_unsealed_key(world, llm, monkeypatch):
    monkeypatch.delenv("CRM_LLM_API_KEY", raising=False)
    with session_scope() as s:
        agent_id = create_agent(s, world.owner, "Reception").id
        agent_settings.update_agent_settings(
            s,
            world.owner,
            agent_id,
            llm_provider="openai",
            llm_base_url=llm.base_url,
            llm_model="fake-model",
            api_key_action="replace",
            api_key="sk-sealed-then-unsealed",
        )
    with session_scope() as s:
        config = EngineConfig(**agent_settings.engine_config(s.get(Agent, agent_id)))
    llm.script(Reply(text=["OK"]))
    assert provider_check.test_provider(config).ok
    assert llm.authorizations == ["Bearer sk-sealed-then-unsealed"]
