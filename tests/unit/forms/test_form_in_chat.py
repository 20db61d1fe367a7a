"""Asking a form in chat: each answer is read from a sentence, checked with the public
page's rules, re-asked when wrong; the last one files a submission like the page does."""

from __future__ import annotations

from datetime import datetime

import pytest

from crm_app import db
from crm_app.models import Contact, FormSubmission
from crm_app.services import forms
from crm_app.services.errors import ValidationError
from crm_app.services.forms import chat as form_chat
from tests.unit.forms.helpers import booking_draft, published_form

NOW = datetime(2026, 12, 3, 10, 0)


def chat_draft() -> dict:
    draft = booking_draft()
    draft["elements"] = [e for e in draft["elements"] if e["type"] != "file"]
    draft["elements"].append({"id": "day", "type": "date", "label": "Preferred day"})
    draft["settings"]["ask_in_chat"] = True
    return draft


def walk_through(schema, answers: list[str], region: str = "US") -> list[form_chat.Step]:
    form = type("F", (), {"id": 1, "slug": "book", "name": "Book"})()
    step = form_chat.begin(form, schema)
    steps = [step]
    for text in answers:
        step = form_chat.answer(step.walk, schema, text, region, NOW)
        steps.append(step)
    return steps


def test_questions_skip_display_elements_and_answers_are_read_from_sentences():
    schema = chat_draft()
    labels = [e["label"] for e in form_chat.questions(schema)]
    assert labels[0] == "Your name" and "Book a visit" not in labels
    steps = walk_through(
        schema,
        [
            "Maria Lopez",
            "it's maria@example.com thanks",
            "call me on (415) 555-0134",
            "harbour",  # a typo still picks Harbor
            "we are 2",
            "whitening and cleaning",
            "yes",
            "next friday",
        ],
    )
    first = steps[0].reply
    assert "8 quick questions" in first and "(1/8) Your name" in first
    last = steps[-1]
    assert last.finished and last.walk["state"] == "done"
    answers = last.walk["answers"]
    assert answers == {
        "name": "Maria Lopez",
        "email": "maria@example.com",
        "phone": "+14155550134",
        "clinic": "Harbor",
        "guests": "2",
        "topics": ["Cleaning", "Whitening"],
        "consent": True,
        "day": "2026-12-04",
    }


def test_a_wrong_answer_gets_the_page_message_and_the_question_again():
    schema = chat_draft()
    steps = walk_through(schema, ["M"])  # min 2 characters
    assert not steps[-1].finished and steps[-1].walk["index"] == 0
    assert "Write at least 2 characters." in steps[-1].reply
    assert "(1/8) Your name" in steps[-1].reply
    steps = walk_through(schema, ["Maria", "skip", "skip", "the moon clinic"])
    assert steps[-1].walk["index"] == 3 and "Choose one of the options shown." in steps[-1].reply
    steps = walk_through(schema, ["Maria", "skip", "skip", "2", "7"])  # max 6 guests
    assert "no larger than 6" in steps[-1].reply and steps[-1].walk["answers"]["clinic"] == "Harbor"
    # A required consent answered "no" is refused like an unticked box.
    steps = walk_through(schema, ["Maria", "skip", "skip", "1", "skip", "skip", "no"])
    assert "Please tick this box to continue." in steps[-1].reply


def test_stop_ends_the_walk_without_filing():
    steps = walk_through(chat_draft(), ["Maria", "stop"])
    assert steps[-1].stopped and not steps[-1].finished and steps[-1].walk["state"] == "stopped"


def test_a_form_with_a_file_question_cannot_be_asked_in_chat(world):
    draft = booking_draft()  # has a file upload question
    draft["settings"]["ask_in_chat"] = True
    with db.session_scope() as s:
        form = forms.create_form(s, world.owner, world.agent_id, "With file")
        forms.save_draft(s, world.owner, world.agent_id, form.id, draft)
        with pytest.raises(ValidationError, match="file upload question"):
            forms.publish(s, world.owner, world.agent_id, form.id)


def test_the_agent_asks_its_newest_chat_form_and_the_walk_files_a_submission(world):
    with db.session_scope() as s:
        assert form_chat.chat_form(s, world.agent_id) is None
    published_form(world, booking_draft())  # not asked in chat
    form_id, slug = published_form(world, chat_draft())
    with db.session_scope() as s:
        form = form_chat.chat_form(s, world.agent_id)
        assert form is not None and form.id == form_id
        assert form_chat.chat_form(s, world.other_agent_id) is None
        schema = form_chat.form_schema(s, {"slug": slug})
    steps = walk_through(
        schema, ["Ana Ruiz", "ana@example.com", "skip", "downtown", "1", "skip", "yes", "skip"]
    )
    walk = {**steps[-1].walk, "slug": slug}
    with db.session_scope() as s:
        result = form_chat.file_submission(s, walk, conversation_id=None, ip="198.51.100.7")
    assert result.status == "New" and result.contact_id
    with db.session_scope() as s:
        sub = s.get(FormSubmission, result.submission_id)
        assert sub.form_id == form_id and sub.answers["clinic"]["value"] == "Downtown"
        contact = s.get(Contact, result.contact_id)
        assert contact.email == "ana@example.com" and contact.source == "Form"
