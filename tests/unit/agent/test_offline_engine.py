"""The offline engine's turn: capture first, then the reply streamed word by word."""

from __future__ import annotations

from crm_app.agent.base import Capture, FieldSpec, Revision, TextDelta
from crm_app.agent.offline import OfflineEngine, question_for
from tests.unit.agent.conftest import make_turn


def run(turn):
    chunks = list(OfflineEngine().reply(turn))
    captures = [c for c in chunks if isinstance(c, Capture)]
    text = "".join(c.text for c in chunks if isinstance(c, TextDelta))
    return chunks, captures, text


def test_capture_comes_first_then_word_by_word_text():
    chunks, captures, text = run(make_turn("Hi, I'm Maria and my number is 415 555 2671"))
    assert isinstance(chunks[0], Capture)
    assert captures == [Capture(values={"name": "Maria", "phone": "+14155552671"})]
    assert len([c for c in chunks if isinstance(c, TextDelta)]) > 5
    assert text.startswith("Thanks, Maria — I've noted your mobile number.")
    assert "Could you share your email address so the team can reach you?" in text


def test_asks_for_required_fields_one_at_a_time():
    _, captures, text = run(make_turn("hello"))
    assert captures == []
    assert text == "Hello! How can I help you today? May I have your name?"
    _, _, text = run(make_turn(("agent", "May I have your name?"), "Maria", known={}))
    assert "Nice to meet you, Maria!" in text and "email address" in text
    _, _, text = run(make_turn("just a question", known={"name": "Maria", "email": "m@x.io"}))
    assert "?" not in text.split("follow up with you.")[-1]  # nothing left to ask


def test_does_not_nag_for_the_field_it_just_asked():
    turn = make_turn(
        ("agent", "Could you share your email address so the team can reach you?"),
        "what are your hours?",
        known={"name": "Maria"},
    )
    _, _, text = run(turn)
    assert "email" not in text


def test_hint_is_used_in_the_question():
    spec = FieldSpec("dob", "Date of birth", "Date", required=True, hint="Patient's date of birth")
    assert question_for(spec) == "Which date of birth should I note (patient's date of birth)?"
    asked = FieldSpec("dob", "Date of birth", "Date", hint="When were you born?")
    assert question_for(asked) == "When were you born?"
    service = FieldSpec("service", "Service", "Dropdown", ("Whitening", "Braces"), required=True)
    assert question_for(service) == (
        "Which service would you like? The options are Whitening and Braces."
    )


def test_revised_answer_wins_over_the_fallback():
    revisions = (Revision("What are your opening hours?", "We're open 8am-6pm, Mon-Fri."),)
    _, _, text = run(make_turn("what r your opening hours", revisions=revisions))
    assert text.startswith("We're open 8am-6pm, Mon-Fri.")
    _, _, text = run(make_turn("I'm Ann. What are your opening hours?", revisions=revisions))
    assert "Nice to meet you, Ann!" in text and "8am-6pm" in text
    _, _, text = run(make_turn("do you take insurance?", revisions=revisions))
    assert "8am" not in text and "I'm Ava" in text  # the fallback names the agent


def test_text_pieces_join_to_the_reply_exactly():
    chunks, _, text = run(make_turn("thanks!"))
    assert "".join(c.text for c in chunks if isinstance(c, TextDelta)) == text
    assert text.startswith("You're welcome!")
