"""The OpenAI-compatible engine against a local chat-completions server (tests/support)."""

from __future__ import annotations

import pytest

from crm_app.agent import EngineConfig, engine_for
from crm_app.agent.base import Capture, EngineError, FieldSpec, Revision, TextDelta
from crm_app.agent.openai_engine import ACKNOWLEDGEMENT, OpenAIEngine
from tests.support.fake_llm import Reply
from tests.unit.agent.conftest import FIELDS, make_turn


def _engine(llm, timeout: float = 10) -> OpenAIEngine:
    return OpenAIEngine(base_url=llm.base_url, model="fake-model", api_key="k", timeout=timeout)


def _split(chunks):
    text = "".join(c.text for c in chunks if isinstance(c, TextDelta))
    captures = [c for c in chunks if isinstance(c, Capture)]
    return text, captures


def test_streams_text_deltas_in_order(llm):
    llm.script(Reply(text=["Hel", "lo ", "there!"]))
    chunks = list(_engine(llm).reply(make_turn("hi")))
    deltas = [c.text for c in chunks if isinstance(c, TextDelta)]
    assert deltas == ["Hel", "lo ", "there!"]
    assert not [c for c in chunks if isinstance(c, Capture)]
    body = llm.requests[0]
    assert body["stream"] is True and body["model"] == "fake-model"
    assert body["messages"][0]["role"] == "system" and "Ava" in body["messages"][0]["content"]
    assert [m["role"] for m in body["messages"][1:]] == ["assistant", "user"]
    assert body["messages"][-1]["content"] == "hi"


def test_streamed_tool_call_arguments_are_joined_into_one_capture(llm):
    llm.script(
        Reply(
            text=["Thanks, Maria!"],
            tool_args=['{"na', 'me": "Maria", "pho', 'ne": "+14155552671", ', '"budget": 2000}'],
        )
    )
    text, captures = _split(list(_engine(llm).reply(make_turn("I'm Maria, 415 555 2671"))))
    assert text == "Thanks, Maria!"
    assert len(captures) == 1
    assert captures[0].values == {"name": "Maria", "phone": "+14155552671", "budget": 2000}
    assert len(llm.requests) == 1  # text came with the call: no second request


def test_keys_outside_the_schema_are_passed_through_for_the_service_to_drop(llm):
    llm.script(Reply(text=["Ok."], tool_args=['{"name": "Al", "stage": "Won"}']))
    _, captures = _split(list(_engine(llm).reply(make_turn("I'm Al"))))
    assert captures[0].values == {"name": "Al", "stage": "Won"}


def test_only_a_tool_call_makes_a_second_call_for_the_text(llm):
    llm.script(
        Reply(tool_args=['{"email": "ann@example.com"}'], tool_first=True),
        Reply(text=["Got it, ", "thanks!"]),
    )
    chunks = list(_engine(llm).reply(make_turn("ann@example.com")))
    text, captures = _split(chunks)
    assert captures[0].values == {"email": "ann@example.com"}
    assert text == "Got it, thanks!"
    assert isinstance(chunks[0], Capture)
    second = llm.requests[1]
    assert second["tool_choice"] == "none"
    assert second["messages"][-2]["tool_calls"][0]["function"]["name"] == "save_contact_details"
    assert second["messages"][-1] == {
        "role": "tool",
        "tool_call_id": "call_fake_1",
        "content": "Saved.",
    }


def test_a_silent_second_call_gives_a_short_acknowledgement(llm):
    llm.script(Reply(tool_args=['{"name": "Bo"}']), Reply(text=[]))
    text, captures = _split(list(_engine(llm).reply(make_turn("Bo"))))
    assert text == ACKNOWLEDGEMENT and captures[0].values == {"name": "Bo"}


def test_invalid_tool_json_captures_nothing_and_says_why(llm):
    llm.script(Reply(text=["Sure."], tool_args=['{"name": "Bo"', ", oops"]))
    text, captures = _split(list(_engine(llm).reply(make_turn("Bo"))))
    assert text == "Sure."
    assert captures[0].values == {}
    assert "not valid JSON" in captures[0].notes[0]


def test_tool_schema_lists_exactly_the_allow_for_ai_fields(llm):
    fields = (
        FieldSpec("name", "Name", "Text"),
        FieldSpec("email", "Email", "Email"),
        FieldSpec("service", "Service", "Dropdown", ("Whitening", "Braces"), hint="What they want"),
        FieldSpec("interests", "Interests", "Multi-select", ("Sedation", "Payment plans")),
        FieldSpec("budget", "Budget", "Number"),
        FieldSpec("newsletter", "Newsletter", "Checkbox"),
        FieldSpec("preferred_date", "Preferred date", "Date"),
    )
    llm.script(Reply(text=["Hi"]))
    list(_engine(llm).reply(make_turn("hello", fields=fields)))
    tools = llm.requests[0]["tools"]
    assert len(tools) == 1 and tools[0]["function"]["name"] == "save_contact_details"
    params = tools[0]["function"]["parameters"]
    assert params["additionalProperties"] is False
    props = params["properties"]
    assert set(props) == {f.key for f in fields}
    assert props["email"]["format"] == "email" and props["email"]["type"] == "string"
    assert props["service"]["enum"] == ["Whitening", "Braces"]
    assert "What they want" in props["service"]["description"]
    assert props["interests"] == {
        "type": "array",
        "items": {"type": "string", "enum": ["Sedation", "Payment plans"]},
        "description": "Interests",
    }
    assert props["budget"]["type"] == "number"
    assert props["newsletter"]["type"] == "boolean"
    assert props["preferred_date"]["format"] == "date"


def test_no_fields_means_no_tool(llm):
    llm.script(Reply(text=["Hi"]))
    list(_engine(llm).reply(make_turn("hello", fields=())))
    assert "tools" not in llm.requests[0]


def test_system_prompt_carries_known_values_and_revised_answers(llm):
    llm.script(Reply(text=["We open at 8."]))
    turn = make_turn(
        "when do you open?",
        known={"name": "Maria"},
        revisions=(Revision("What are your opening hours?", "8am to 6pm, Monday to Friday."),),
    )
    list(_engine(llm).reply(turn))
    system = llm.requests[0]["messages"][0]["content"]
    assert '"name": "Maria"' in system
    assert 'When asked "What are your opening hours?", answer: "8am to 6pm' in system
    assert "Email" in system and "2026-12-03" in system


def test_http_error_raises_engine_error_without_leaking_text(llm):
    llm.script(Reply(status=500, error_message="boom: secret stack"))
    with pytest.raises(EngineError) as caught:
        list(_engine(llm).reply(make_turn("hi")))
    assert "500" in caught.value.detail
    assert "secret" not in caught.value.visitor_message


def test_bad_credentials_raise_engine_error(llm):
    llm.script(Reply(status=401, error_message="invalid api key"))
    with pytest.raises(EngineError, match="401"):
        list(_engine(llm).reply(make_turn("hi")))


def test_timeout_raises_engine_error(llm):
    llm.script(Reply(text=["late"], delay=3))
    with pytest.raises(EngineError, match="timed out"):
        list(_engine(llm, timeout=0.5).reply(make_turn("hi")))


def test_a_stream_that_breaks_off_raises_engine_error(llm):
    llm.script(Reply(text=["a", "b", "c"], break_after=2))
    chunks = []
    with pytest.raises(EngineError):
        for chunk in _engine(llm).reply(make_turn("hi")):
            chunks.append(chunk)


def test_unreachable_server_raises_engine_error():
    engine = OpenAIEngine(base_url="http://127.0.0.1:9/v1", model="m", api_key="k", timeout=2)
    with pytest.raises(EngineError, match="Could not reach"):
        list(engine.reply(make_turn("hi")))


def test_missing_model_raises_engine_error(llm):
    engine = OpenAIEngine(base_url=llm.base_url, model="", api_key="k")
    with pytest.raises(EngineError, match="model"):
        list(engine.reply(make_turn("hi")))
    assert llm.requests == []


def test_engine_for_picks_the_provider_with_env_fallback(llm, monkeypatch):
    monkeypatch.setenv("CRM_LLM_BASE_URL", llm.base_url)
    monkeypatch.setenv("CRM_LLM_MODEL", "env-model")
    monkeypatch.setenv("CRM_LLM_API_KEY", "env-key")
    engine = engine_for(EngineConfig(provider="openai", timeout=5))
    assert engine.name == "openai"
    llm.script(Reply(text=["Hi!"]))
    text, _ = _split(list(engine.reply(make_turn("hello"))))
    assert text == "Hi!" and llm.requests[0]["model"] == "env-model"
    explicit = engine_for(EngineConfig(provider="openai", base_url=llm.base_url, model="mine"))
    list(explicit.reply(make_turn("hello")))
    assert llm.requests[1]["model"] == "mine"
    assert engine_for(EngineConfig()).name == "offline"
    assert engine_for(EngineConfig(provider="something-else")).name == "offline"
    assert engine_for().name == "offline"
    assert FIELDS  # the shared field set is importable here
