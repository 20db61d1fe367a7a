"""A chat turn with the OpenAI-compatible engine against a local chat-completions server:
the reply streams, the streamed tool call captures through the real capture, and whatever
the model tries beyond the Allow-for-AI fields (or with a wrong type) changes nothing and
is recorded on the visitor's message. A provider failure is a polite reply for the visitor
and the detail for the team."""

from __future__ import annotations

from sqlmodel import select

from crm_app import db
from crm_app.agent.openai_engine import OpenAIEngine
from crm_app.models import Contact, ContactValue, Message
from crm_app.services.chat import conversations as chats
from crm_app.services.chat.turn import Delta, Done, chat_turn
from tests.support.fake_llm import FakeLLM, Reply


def _turn(world, visitor, engine, text):
    with db.session_scope() as s:
        conv_id = chats.start_conversation(s, world.agent_id, visitor).id
    events = list(chat_turn(world.agent_id, visitor, conv_id, text, engine=engine))
    return conv_id, events


def test_streamed_tool_call_captures_only_allowed_fields_with_valid_values(world, visitor):
    with FakeLLM() as llm:
        llm.script(
            Reply(
                text=["Thanks ", "Ann, ", "noted!"],
                tool_args=[
                    '{"name": "Ann Lee", "email": "ann@',
                    'example.com", "notes": "VIP customer", "gender": "Female", ',
                    '"insurance": 42}',
                ],
            )
        )
        engine = OpenAIEngine(base_url=llm.base_url, model="fake-model", api_key="k", timeout=5)
        conv_id, events = _turn(world, visitor, engine, "I'm Ann Lee, ann@example.com")
        tool = llm.requests[0]["tools"][0]["function"]["parameters"]
    assert set(tool["properties"]) == {"name", "email", "phone", "insurance"}
    assert "".join(e.text for e in events if isinstance(e, Delta)) == "Thanks Ann, noted!"
    done = events[-1]
    assert isinstance(done, Done) and done.reply.content == "Thanks Ann, noted!"
    with db.session_scope() as s:
        contact = s.exec(select(Contact)).one()
        assert (contact.name, contact.email, contact.source) == (
            "Ann Lee",
            "ann@example.com",
            "Chat",
        )
        assert contact.gender is None
        assert s.exec(select(ContactValue).where(ContactValue.contact_id == contact.id)).all() == []
        said = s.exec(
            select(Message).where(Message.conversation_id == conv_id, Message.role == "visitor")
        ).one()
        rejected = {key for key, _reason in said.data["rejected"]}
        assert rejected == {"notes", "gender", "insurance"}
        assert sorted(said.data["filled"]) == ["email", "name"]


def test_a_provider_error_is_polite_for_the_visitor_and_detailed_for_the_team(world, visitor):
    with FakeLLM() as llm:
        llm.script(Reply(status=500, error_message="model overloaded"))
        engine = OpenAIEngine(base_url=llm.base_url, model="fake-model", api_key="k", timeout=5)
        conv_id, events = _turn(world, visitor, engine, "Hello?")
    done = events[-1]
    assert done.reply.status == "error" and "overloaded" not in done.reply.content
    with db.session_scope() as s:
        reply = s.get(Message, done.reply.id)
        assert "500" in reply.data["error"] or "overloaded" in reply.data["error"]
        assert s.exec(select(Contact)).all() == []
