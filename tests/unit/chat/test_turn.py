"""One chat turn: refused text and floods store nothing; the engine runs with no database
connection checked out; the reply (or the polite error) is stored; capture is called for
real chats and never for the Playground."""

from __future__ import annotations

from dataclasses import dataclass
from types import SimpleNamespace

import pytest
from sqlmodel import func, select

from crm_app import db
from crm_app.models import (
    Contact,
    ContactField,
    ContactValue,
    Conversation,
    Message,
    RevisedAnswer,
)
from crm_app.services import rate_limits
from crm_app.services.chat import conversations as chats
from crm_app.services.chat import turn as chat
from crm_app.services.chat import visitors
from crm_app.services.errors import NotFound, RateLimited, ValidationError


def _count(model=Message) -> int:
    with db.session_scope() as s:
        return s.exec(select(func.count()).select_from(model)).one()


def _start(agent_id, key, member=None) -> int:
    with db.session_scope() as s:
        return chats.start_conversation(s, agent_id, key, member=member).id


@pytest.fixture()
def captures(monkeypatch):
    """capture.capture replaced by a recorder (CAPTURE writes the real one)."""
    calls = []

    def capture(session, agent, conversation, message_id, values):
        calls.append((agent.id, conversation.id, message_id, dict(values)))
        assert session.in_transaction()
        return SimpleNamespace(
            contact_id=None,
            created=False,
            filled=[k for k in values if k not in ("phone", "notes")],
            suggested=["phone"] if "phone" in values else [],
            rejected=[("notes", "not allowed for AI")] if "notes" in values else [],
            captured={k: v for k, v in values.items() if k != "notes"},
            labels={},
        )

    monkeypatch.setattr(chat, "capture_service", SimpleNamespace(capture=capture))
    return calls


def test_a_turn_streams_and_stores_both_messages(world, visitor, make_fake, run_turn, captures):
    conv_id = _start(world.agent_id, visitor)
    engine = make_fake(reply_text="Happy to help with that booking.")
    events, done = run_turn(
        world.agent_id, visitor, conv_id, "  Hi, I'd like to book a check-up.  ", engine=engine
    )
    accepted = events[0]
    assert isinstance(accepted, chat.Accepted)
    assert accepted.visitor.content == "Hi, I'd like to book a check-up."
    deltas = [e.text for e in events if isinstance(e, chat.Delta)]
    assert "".join(deltas) == "Happy to help with that booking." and len(deltas) == 6
    assert done.reply.id == accepted.reply_id and done.reply.status == "ok"
    assert done.reply.content == "Happy to help with that booking." and done.captured == []
    assert captures == []  # nothing captured: capture not called
    with db.session_scope() as s:
        shown = chats.messages(s, world.agent_id, visitor, conv_id)
        assert [(m.role, m.content) for m in shown] == [
            ("agent", "Welcome to reception-clinic!"),
            ("visitor", "Hi, I'd like to book a check-up."),
            ("agent", "Happy to help with that booking."),
        ]
        conv = s.get(Conversation, conv_id)
        assert conv.title == "Hi, I'd like to book a check-up."
        assert conv.last_message_at >= conv.created_at
    turn = engine.turns[0]
    assert turn.agent_name == "Reception-Clinic" and turn.phone_region == "US"
    assert [m.role for m in turn.history] == ["agent", "visitor"]
    assert turn.history[-1].content == "Hi, I'd like to book a check-up."
    # Only the Allow-for-AI fields, in order, with type, options and hint.
    assert [f.key for f in turn.fields] == ["name", "email", "phone", "insurance"]
    insurance = turn.fields[-1]
    assert insurance.options == ("Aetna", "Cigna") and insurance.required
    assert insurance.hint == "The patient's insurer" and insurance.type == "Dropdown"
    assert turn.now is not None and not turn.test


def test_the_engine_runs_with_no_connection_checked_out(world, visitor, make_fake, run_turn):
    conv_id = _start(world.agent_id, visitor)
    engine = make_fake(reply_text="one two three four")
    run_turn(world.agent_id, visitor, conv_id, "hello", engine=engine)
    assert engine.connections_seen and set(engine.connections_seen) == {0}
    # The check itself is real: inside a session_scope a connection is checked out.
    with db.session_scope() as s:
        s.exec(select(func.count()).select_from(Message)).one()
        assert db.get_engine().pool.checkedout() == 1


def test_a_consumer_that_stops_reading_does_not_hold_a_transaction(world, visitor, make_fake):
    """Between events the generator holds no session: a page may stream slowly."""
    conv_id = _start(world.agent_id, visitor)
    stream = chat.chat_turn(
        world.agent_id, visitor, conv_id, "hello", engine=make_fake(reply_text="a b c")
    )
    for _event in stream:
        assert db.get_engine().pool.checkedout() == 0


def test_refused_text_stores_nothing(world, visitor, make_fake, run_turn):
    conv_id = _start(world.agent_id, visitor)
    before = _count()
    for text, message in (
        ("", "Please type a message."),
        ("   \n\t ", "Please type a message."),
        ("\x00", "Please type a message."),
        ("x" * 4001, "Messages can be at most 4,000 characters."),
    ):
        with pytest.raises(ValidationError, match=message):
            next(chat.chat_turn(world.agent_id, visitor, conv_id, text, engine=make_fake()))
    assert _count() == before
    _, done = run_turn(world.agent_id, visitor, conv_id, "y" * 4000, engine=make_fake())
    assert done.reply.status == "ok" and _count() == before + 2


def test_markup_is_stored_as_text(world, visitor, make_fake, run_turn):
    conv_id = _start(world.agent_id, visitor)
    text = "<script>alert(1)</script> **bold** &amp; <b>hi</b>"
    events, _ = run_turn(world.agent_id, visitor, conv_id, text, engine=make_fake())
    with db.session_scope() as s:
        assert s.get(Message, events[0].visitor.id).content == text


def test_rate_limits_refuse_before_storing(world, visitor, make_fake, run_turn, monkeypatch):
    conv_id = _start(world.agent_id, visitor)
    for i in range(chat.PER_VISITOR.amount):
        run_turn(world.agent_id, visitor, conv_id, f"message {i}", engine=make_fake())
    before = _count()
    with pytest.raises(RateLimited, match="sending messages too quickly"):
        next(chat.chat_turn(world.agent_id, visitor, conv_id, "one more", engine=make_fake()))
    assert _count() == before
    # Per network: many visitors from one IP.
    monkeypatch.setattr(chat, "PER_IP", rate_limits.Limit("chat-message-ip-test", 3, 60))
    keys = [visitors.visitor_key(visitors.new_visitor_token()) for _ in range(4)]
    convs = [_start(world.agent_id, key) for key in keys]
    for key, conv in zip(keys[:3], convs, strict=False):
        run_turn(world.agent_id, key, conv, "hi", ip="203.0.113.9", engine=make_fake())
    before = _count()
    with pytest.raises(RateLimited):
        next(
            chat.chat_turn(
                world.agent_id, keys[3], convs[3], "hi", ip="203.0.113.9", engine=make_fake()
            )
        )
    assert _count() == before
    run_turn(world.agent_id, keys[3], convs[3], "hi", ip="203.0.113.10", engine=make_fake())


def test_not_this_visitors_conversation_stores_nothing(world, visitor, make_fake):
    conv_id = _start(world.agent_id, visitor)
    shop_conv = _start(world.other_agent_id, visitor)
    other = visitors.visitor_key(visitors.new_visitor_token())
    before = _count()
    for agent_id, key, conv in (
        (world.agent_id, other, conv_id),
        (world.other_agent_id, visitor, conv_id),
        (world.agent_id, visitor, shop_conv),
        (world.agent_id, visitors.member_key(world.owner.user_id), conv_id),
    ):
        with pytest.raises(NotFound):
            next(chat.chat_turn(agent_id, key, conv, "hello", engine=make_fake()))
    with pytest.raises(NotFound):
        next(
            chat.chat_turn(
                world.agent_id,
                visitors.member_key(world.other_owner.user_id),
                conv_id,
                "hello",
                member=world.other_owner,
                engine=make_fake(),
            )
        )
    assert _count() == before


def test_an_engine_error_stores_the_polite_message_for_the_visitor_and_the_detail(
    world, visitor, make_fake, run_turn
):
    conv_id = _start(world.agent_id, visitor)
    engine = make_fake(reply_text="Partial answer here", fail="timeout after 30 s (provider X)")
    events, done = run_turn(world.agent_id, visitor, conv_id, "Are you open Sunday?", engine=engine)
    assert [e.text for e in events if isinstance(e, chat.Delta)] == ["Partial"]
    assert done.reply.status == "error"
    assert done.reply.content == "Sorry, I can't answer right now. Please try again in a moment."
    with db.session_scope() as s:
        stored = s.get(Message, done.reply.id)
        assert stored.status == "error" and stored.data == {
            "error": "timeout after 30 s (provider X)"
        }
        assert chats.messages(s, world.agent_id, visitor, conv_id)[-1].status == "error"
    # The failed reply is not history the next turn's engine sees.
    engine = make_fake()
    run_turn(world.agent_id, visitor, conv_id, "Hello?", engine=engine)
    assert [m.content for m in engine.turns[0].history][-2:] == [
        "Are you open Sunday?",
        "Hello?",
    ]


def test_an_engine_bug_is_recorded_and_propagates(world, visitor):
    conv_id = _start(world.agent_id, visitor)

    class Broken:
        name = "broken"

        def reply(self, turn):
            raise KeyError("boom")
            yield  # pragma: no cover

    with pytest.raises(KeyError):
        list(chat.chat_turn(world.agent_id, visitor, conv_id, "hi", engine=Broken()))
    with db.session_scope() as s:
        last = s.exec(select(Message).order_by(Message.id.desc())).first()
        assert last.status == "error" and "KeyError" in last.data["error"]


def test_an_empty_reply_is_an_error(world, visitor, make_fake, run_turn):
    conv_id = _start(world.agent_id, visitor)
    _, done = run_turn(world.agent_id, visitor, conv_id, "hi", engine=make_fake(reply_text=""))
    assert done.reply.status == "error"


def test_a_page_that_goes_away_mid_reply_still_gets_it_stored(world, visitor, make_fake, captures):
    conv_id = _start(world.agent_id, visitor)
    engine = make_fake(reply_text="Thanks Maria, we will call you.", capture={"name": "Maria"})
    stream = chat.chat_turn(world.agent_id, visitor, conv_id, "I'm Maria", engine=engine)
    accepted = next(stream)
    next(stream)  # the first word, then the page closes
    stream.close()
    with db.session_scope() as s:
        reply = s.get(Message, accepted.reply_id)
        assert reply.status == "ok" and reply.content == "Thanks Maria, we will call you."
    assert [c[3] for c in captures] == [{"name": "Maria"}]


def test_capture_gets_the_visitor_message_and_values(world, visitor, make_fake, run_turn, captures):
    conv_id = _start(world.agent_id, visitor)
    engine = make_fake(capture={"email": "maria@example.com", "insurance": "Aetna"})
    events, done = run_turn(
        world.agent_id, visitor, conv_id, "maria@example.com, Aetna", engine=engine
    )
    assert captures == [
        (
            world.agent_id,
            conv_id,
            events[0].visitor.id,
            {"email": "maria@example.com", "insurance": "Aetna"},
        )
    ]
    assert done.captured == ["Email", "Insurance provider"] and not done.test
    # What became of each value is recorded on the visitor's message, for the team.
    engine = make_fake(
        capture={"name": "Maria", "phone": "312 555 0100", "notes": "VIP"}, reply_text="Ok."
    )
    noted = _NotedCapture(values={}, notes=("tool call arguments were not JSON",))
    engine.reply = _with_extra(engine.reply, noted)
    events, done = run_turn(world.agent_id, visitor, conv_id, "Maria, 312 555 0100", engine=engine)
    assert done.captured == ["Name"]
    with db.session_scope() as s:
        assert s.get(Message, events[0].visitor.id).data == {
            "captured": ["name", "phone"],
            "filled": ["name"],
            "suggested": ["phone"],
            "rejected": [["notes", "not allowed for AI"]],
            "notes": ["tool call arguments were not JSON"],
        }


@dataclass(frozen=True)
class _NotedCapture(chat.Capture):
    """A Capture with the engine's notes for the team (Capture.notes, from ENGINE)."""

    notes: tuple[str, ...] = ()


def _with_extra(reply, extra):
    def wrapped(turn):
        yield from reply(turn)
        yield extra

    return wrapped


def test_a_refused_capture_keeps_the_reply(world, visitor, make_fake, run_turn, monkeypatch):
    def capture(session, agent, conversation, message_id, values):
        session.add(Contact(agent_id=agent.id, email="half@example.com", source="Chat"))
        session.flush()
        raise ValidationError("That is not an email address.", field="email")

    monkeypatch.setattr(chat, "capture_service", SimpleNamespace(capture=capture))
    conv_id = _start(world.agent_id, visitor)
    events, done = run_turn(
        world.agent_id, visitor, conv_id, "x", engine=make_fake(capture={"email": "nope"})
    )
    assert done.reply.status == "ok" and done.captured == []
    with db.session_scope() as s:
        assert s.get(Message, done.reply.id).content == "Thanks, noted."
        assert s.get(Message, events[0].visitor.id).data == {
            "capture_error": "That is not an email address."
        }
    assert _count(Contact) == 0  # the savepoint rolled back what capture half-wrote


def test_known_values_come_from_the_contact_and_this_chat(world, visitor, make_fake, run_turn):
    conv_id = _start(world.agent_id, visitor)
    with db.session_scope() as s:
        contact = Contact(
            agent_id=world.agent_id,
            name="Maria Lopez",
            email="maria@example.com",
            gender="Female",  # gender is not Allow-for-AI: not known to the engine
            source="Chat",
        )
        s.add(contact)
        s.flush()
        fields = {
            f.key: f.id
            for f in s.exec(select(ContactField).where(ContactField.agent_id == world.agent_id))
        }
        s.add(ContactValue(contact_id=contact.id, field_id=fields["insurance"], value_text="Cigna"))
        s.add(ContactValue(contact_id=contact.id, field_id=fields["notes"], value_text="VIP"))
        conv = s.get(Conversation, conv_id)
        conv.contact_id = contact.id
        conv.captured = {"phone": "+13125550100", "insurance": "Aetna", "notes": "x"}
        s.add(RevisedAnswer(agent_id=world.agent_id, question="Open Sunday?", answer="No."))
    engine = make_fake()
    run_turn(world.agent_id, visitor, conv_id, "hi", engine=engine)
    turn = engine.turns[0]
    assert dict(turn.known) == {
        "name": "Maria Lopez",
        "email": "maria@example.com",
        "phone": "+13125550100",
        "insurance": "Aetna",  # this chat's newer answer
    }
    assert [(r.question, r.answer) for r in turn.revisions] == [("Open Sunday?", "No.")]


def test_playground_turns_are_tests_and_write_no_contacts(world, make_fake, run_turn, captures):
    key = visitors.member_key(world.owner.user_id)
    conv_id = _start(world.private_agent_id, key, member=world.owner)
    engine = make_fake(
        capture={
            "name": "Test Person",
            "email": "Test@Example.com",
            "insurance": "aetna",
            "notes": "not allowed",
            "phone": "not a phone",
        }
    )
    events, done = run_turn(
        world.private_agent_id, key, conv_id, "I'm Test Person", member=world.owner, engine=engine
    )
    assert engine.turns[0].test
    assert done.test and done.captured == ["Name", "Email", "Insurance provider"]
    assert captures == [] and _count(Contact) == 0
    with db.session_scope() as s:
        conv = s.get(Conversation, conv_id)
        assert conv.test and conv.contact_id is None
        assert conv.captured == {
            "name": "Test Person",
            "email": "test@example.com",
            "insurance": "Aetna",
        }
        data = s.get(Message, events[0].visitor.id).data
        assert data["captured"] == ["name", "email", "insurance"]
        assert [d[0] for d in data["rejected"]] == ["notes", "phone"]
    # The next turn's engine knows what the Playground captured.
    engine = make_fake()
    run_turn(world.private_agent_id, key, conv_id, "and?", member=world.owner, engine=engine)
    assert engine.turns[0].known["email"] == "test@example.com"


def test_without_an_engine_the_agents_own_is_used(world, visitor, run_turn, captures):
    """engine_for(EngineConfig from the agent's llm_* columns): the offline engine here."""
    conv_id = _start(world.agent_id, visitor)
    _, done = run_turn(world.agent_id, visitor, conv_id, "Hi, I'm Jane Doe, jane@example.com")
    assert done.reply.status == "ok" and done.reply.content
    assert captures and captures[0][3].get("email") == "jane@example.com"


def test_a_reply_left_pending_by_a_dead_process_becomes_an_error(world, visitor, make_fake):
    conv_id = _start(world.agent_id, visitor)
    stream = chat.chat_turn(world.agent_id, visitor, conv_id, "hello", engine=make_fake())
    accepted = next(stream)  # the process "dies" here: the generator is never finished
    with db.session_scope() as s:
        reply = s.get(Message, accepted.reply_id)
        reply.created_at = reply.created_at - chat.ABANDONED_AFTER * 2
        s.add(reply)
    with db.session_scope() as s:
        assert [m.id for m in chats.messages(s, world.agent_id, visitor, conv_id)][-1] != (
            accepted.reply_id
        )
    run_turn_events = list(
        chat.chat_turn(world.agent_id, visitor, conv_id, "anyone?", engine=make_fake())
    )
    assert run_turn_events[-1].reply.status == "ok"
    with db.session_scope() as s:
        reply = s.get(Message, accepted.reply_id)
        assert reply.status == "error" and "interrupted" in reply.data["error"]
    stream.close()  # (the test's own generator: finishing it now changes nothing above)
