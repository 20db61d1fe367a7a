"""Contact details: the agent's captured values marked on General, its suggestions
accepted from Activity with one click (ContactDetailState.accept_suggestion)."""

from __future__ import annotations

from crm_app.db import session_scope
from crm_app.models import Agent, Contact, Conversation, Message
from crm_app.services.chat import capture


def _chat(world, values) -> int:
    with session_scope() as s:
        agent = s.get(Agent, world.agent_id)
        conv = Conversation(agent_id=agent.id, visitor_id="v1")
        s.add(conv)
        s.flush()
        msg = Message(conversation_id=conv.id, role="visitor", content="hi")
        s.add(msg)
        s.flush()
        capture.capture(s, agent, conv, msg.id, values)
        return conv.id


def test_accept_a_suggestion_with_one_click_once(world, make_state):
    conv_id = _chat(
        world, {"email": "maria@example.com", "name": "Mary", "phone": "(415) 555-2671"}
    )
    state = make_state(world.user, world.agent_id, world.contact_id)
    phone = next(f for f in state.fields if f["key"] == "phone")
    assert phone["ai"] is True and phone["conversation_id"] == str(conv_id)
    assert phone["source"].startswith("Captured by the agent from a chat on ")
    name = next(f for f in state.fields if f["key"] == "name")
    assert name["ai"] is False and name["value"] == "Maria Lopez"
    line = next(a for a in state.activity if a.suggestion == "open")
    assert line.message == "Agent suggests Name: Mary" and line.conversation_id == str(conv_id)
    assert any(a.message.startswith("Captured via chat: ") for a in state.activity)

    toast = str(state.accept_suggestion(line.id))
    assert "Name updated from the agent's suggestion" in toast
    assert state.contact["name"] == "Mary"
    assert next(a for a in state.activity if a.id == line.id).suggestion == "accepted"
    name = next(f for f in state.fields if f["key"] == "name")
    assert name["ai"] is True and "accepted by Sam Staff" in name["source"]
    assert "already accepted" in str(state.accept_suggestion(line.id))


def test_open_conversation_switches_to_the_chat_tab(world, make_state):
    conv_id = _chat(world, {"email": "maria@example.com", "phone": "(415) 555-2671"})
    state = make_state(world.owner, world.agent_id, world.contact_id)
    event = state.open_conversation(str(conv_id))
    assert state.tab == "chat"
    assert "open_transcript" in str(event)


def test_another_organization_cannot_accept(world, make_state):
    _chat(world, {"email": "maria@example.com", "name": "Mary"})
    owner = make_state(world.owner, world.agent_id, world.contact_id)
    line = next(a for a in owner.activity if a.suggestion == "open")
    for token in (world.outsider, world.stranger):
        state = make_state(token, world.agent_id, world.contact_id)
        assert state.not_found
        assert "Contact not found" in str(state.accept_suggestion(line.id))
    with session_scope() as s:
        assert s.get(Contact, world.contact_id).name == "Maria Lopez"
