"""A form asked in the chat: its first question answers the visitor's first message, each answer is checked
by the page's rules without calling the engine, the last one files a submission linked to
the conversation and its contact; the Playground files nothing; "stop" hands back to the
engine."""

from __future__ import annotations

from sqlmodel import func, select

from crm_app import db
from crm_app.models import Contact, Conversation, FormSubmission, Message
from crm_app.services import forms
from crm_app.services.chat import conversations as chats
from crm_app.services.chat import form_walk, visitors


def _chat_form(world) -> int:
    draft = {
        "elements": [
            {"id": "intro", "type": "heading", "label": "New patient"},
            {
                "id": "name",
                "type": "short_text",
                "label": "Your name",
                "required": True,
                "min": 2,
                "maps_to": "name",
            },
            {
                "id": "email",
                "type": "email",
                "label": "Email",
                "required": True,
                "maps_to": "email",
            },
            {
                "id": "consent",
                "type": "consent",
                "label": "I agree to be contacted",
                "required": True,
            },
        ],
        "settings": {
            "title": "New patient",
            "success_message": "See you soon!",
            "ask_in_chat": True,
        },
    }
    with db.session_scope() as s:
        form = forms.create_form(s, world.owner, world.agent_id, "New patient")
        forms.save_draft(s, world.owner, world.agent_id, form.id, draft)
        forms.publish(s, world.owner, world.agent_id, form.id)
        return form.id


def _texts(conv_id: int) -> list[tuple[str, str]]:
    with db.session_scope() as s:
        rows = s.exec(
            select(Message).where(Message.conversation_id == conv_id).order_by(Message.id)
        )
        return [(m.role, m.content) for m in rows]


def test_the_form_is_asked_and_filed_without_the_engine(world, visitor, make_fake, run_turn):
    form_id = _chat_form(world)
    with db.session_scope() as s:
        started = chats.start_conversation(s, world.agent_id, visitor)
    assert _texts(started.id) == [("agent", "Welcome to reception-clinic!")]
    engine = make_fake()
    _, done = run_turn(world.agent_id, visitor, started.id, "Hi, I'm new here", engine=engine)
    assert "3 quick questions" in done.reply.content and "(1/3) Your name" in done.reply.content
    _, done = run_turn(world.agent_id, visitor, started.id, "M", engine=engine)
    assert "Write at least 2 characters." in done.reply.content  # asked again
    run_turn(world.agent_id, visitor, started.id, "I'm Maria Lopez", engine=engine)
    run_turn(world.agent_id, visitor, started.id, "maria@example.com", engine=engine)
    events, done = run_turn(world.agent_id, visitor, started.id, "yes", engine=engine)
    assert done.reply.content == "See you soon!" and done.reply.status == "ok"
    assert engine.turns == []  # no engine while the form was asked
    with db.session_scope() as s:
        conv = s.get(Conversation, started.id)
        sub = s.exec(select(FormSubmission).where(FormSubmission.form_id == form_id)).one()
        assert sub.conversation_id == conv.id and conv.form_id == form_id
        assert conv.form_walk["state"] == "submitted" and conv.contact_id == sub.contact_id
        assert s.get(Contact, sub.contact_id).email == "maria@example.com"
    # Afterwards the engine answers again.
    _, done = run_turn(world.agent_id, visitor, started.id, "Thanks!", engine=engine)
    assert len(engine.turns) == 1 and done.reply.content == "Thanks, noted."
    roles = [r for r, _ in _texts(started.id)]
    assert roles == ["agent"] + ["visitor", "agent"] * 6


def test_stop_hands_back_to_the_engine(world, visitor, make_fake, run_turn):
    _chat_form(world)
    with db.session_scope() as s:
        conv_id = chats.start_conversation(s, world.agent_id, visitor).id
    engine = make_fake()
    run_turn(world.agent_id, visitor, conv_id, "Hello", engine=engine)
    _, done = run_turn(world.agent_id, visitor, conv_id, "stop", engine=engine)
    assert done.reply.content == "No problem, I've stopped the form." and engine.turns == []
    run_turn(world.agent_id, visitor, conv_id, "When are you open?", engine=engine)
    assert len(engine.turns) == 1


def test_the_playground_walks_the_form_but_files_nothing(world, make_fake, run_turn):
    _chat_form(world)
    key = visitors.member_key(world.owner.user_id)
    with db.session_scope() as s:
        conv_id = chats.start_conversation(s, world.agent_id, key, member=world.owner).id
    for text in ("Hello", "Test Person", "test@example.com"):
        run_turn(world.agent_id, key, conv_id, text, member=world.owner, engine=make_fake())
    _, done = run_turn(world.agent_id, key, conv_id, "yes", member=world.owner, engine=make_fake())
    assert done.reply.content == form_walk.MSG_TEST_DONE and done.test
    with db.session_scope() as s:
        assert s.exec(select(func.count()).select_from(FormSubmission)).one() == 0
        assert s.exec(select(func.count()).select_from(Contact)).one() == 0


def test_no_chat_form_no_question(world, visitor, make_fake, run_turn):
    with db.session_scope() as s:
        conv_id = chats.start_conversation(s, world.agent_id, visitor).id
    engine = make_fake()
    _, done = run_turn(world.agent_id, visitor, conv_id, "Hello", engine=engine)
    assert len(engine.turns) == 1 and done.reply.content == "Thanks, noted."
    # A form switched on later is not started in the middle of this conversation.
    _chat_form(world)
    run_turn(world.agent_id, visitor, conv_id, "Anyone there?", engine=engine)
    assert len(engine.turns) == 2


def test_deleting_the_form_keeps_the_conversation(world, visitor, make_fake, run_turn):
    form_id = _chat_form(world)
    with db.session_scope() as s:
        conv_id = chats.start_conversation(s, world.agent_id, visitor).id
    run_turn(world.agent_id, visitor, conv_id, "Hello", engine=make_fake())
    with db.session_scope() as s:
        assert s.get(Conversation, conv_id).form_id == form_id
    with db.session_scope() as s:
        forms.delete_form(s, world.owner, world.agent_id, form_id)
    with db.session_scope() as s:
        conv = s.get(Conversation, conv_id)
        assert conv is not None and conv.form_id is None
