"""Chat turns with the real capture (services/chat/capture.py): a visitor's name, then
their email, become one contact `via Chat` with the conversation linked; a value whose
Allow for AI is off is recorded as dropped and never reaches the contact."""

from __future__ import annotations

from sqlmodel import select

from crm_app import db
from crm_app.models import Activity, Contact, ContactValue, Conversation, Message
from crm_app.services.chat import conversations as chats


def test_turns_capture_into_one_contact_via_chat(world, visitor, make_fake, run_turn):
    with db.session_scope() as s:
        conv_id = chats.start_conversation(s, world.agent_id, visitor).id
    engine = make_fake(capture={"name": "Maria Lopez", "notes": "VIP"}, reply_text="Hi Maria!")
    _, done = run_turn(world.agent_id, visitor, conv_id, "I'm Maria Lopez", engine=engine)
    assert done.captured == []  # remembered until an email or phone is known
    with db.session_scope() as s:
        assert s.exec(select(Contact)).all() == []
        assert s.get(Conversation, conv_id).captured == {"name": "Maria Lopez"}
    engine = make_fake(capture={"email": "maria@example.com", "insurance": "aetna"})
    events, done = run_turn(
        world.agent_id, visitor, conv_id, "maria@example.com, Aetna", engine=engine
    )
    assert sorted(done.captured) == ["Email", "Insurance provider", "Name"]
    with db.session_scope() as s:
        (contact,) = s.exec(select(Contact)).all()
        assert (contact.name, contact.email, contact.source) == (
            "Maria Lopez",
            "maria@example.com",
            "Chat",
        )
        assert [v.value_text for v in s.exec(select(ContactValue))] == ["Aetna"]
        assert s.get(Conversation, conv_id).contact_id == contact.id
        assert contact.field_sources["email"]["message_id"] == events[0].visitor.id
        line = s.exec(
            select(Activity).where(Activity.contact_id == contact.id, Activity.kind == "capture")
        ).one()
        assert line.data["conversation_id"] == conv_id
        first = s.exec(
            select(Message)
            .where(Message.conversation_id == conv_id, Message.role == "visitor")
            .order_by(Message.id)
        ).first()
        assert ["notes", "not allowed for AI"] in first.data["rejected"]
