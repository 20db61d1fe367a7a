"""Public answers are checked against their question's type before anything is stored (SQLite,
and PostgreSQL when CRM_TEST_POSTGRES_URL is set — PostgreSQL refuses NUL in text outright)."""

from __future__ import annotations

import pytest
from sqlmodel import select

from crm_app import db
from crm_app.models import Contact, FormSubmission
from crm_app.services import forms
from tests.unit.forms.helpers import GOOD, booking_draft, published_form


def _draft_with_notes() -> dict:
    draft = booking_draft()
    draft["elements"].insert(
        2, {"id": "notes", "type": "long_text", "label": "Notes", "maps_to": "visit_notes"}
    )
    return draft


def _refused(slug: str, **changes) -> dict[str, str]:
    with pytest.raises(forms.SubmissionInvalid) as error:
        with db.session_scope() as s:
            forms.submit_form(s, slug, dict(GOOD, **changes), elapsed=10.0, ip="203.0.113.7")
    return error.value.errors


def _nothing_stored() -> None:
    with db.session_scope() as s:
        assert s.exec(select(FormSubmission)).all() == []
        assert s.exec(select(Contact)).all() == []


@pytest.mark.parametrize(
    "changes, field, message",
    [
        ({"name": {"first": "Maria"}}, "name", "as text"),  # was stored as "{'first': 'Maria'}"
        ({"name": float("nan")}, "name", "as text"),  # was stored as the name "nan"
        (
            {"email": ["maria@example.com", "x@example.com"]},
            "email",
            "one answer",
        ),  # was: the first one
        ({"name": "Maria\x00Lopez"}, "name", "control characters"),  # PostgreSQL: 500
        (
            {"name": "Maria\ud800"},
            "name",
            "control characters",
        ),  # a lone surrogate cannot be encoded
        ({"name": "Maria\x1b[31m"}, "name", "control characters"),
        ({"name": "Maria\tLopez"}, "name", "control characters"),  # single line: no tab
        ({"name": "Maria\nLopez"}, "name", "control characters"),
        ({"notes": "Back\x00pain"}, "notes", "control characters"),
        ({"notes": "\x85"}, "notes", "control characters"),  # C1 control
        ({"guests": float("nan")}, "guests", "Enter a number"),
        ({"guests": "NaN"}, "guests", "Enter a number"),
        ({"guests": True}, "guests", "as text"),
        ({"guests": {"n": 2}}, "guests", "as text"),
        ({"clinic": ["Harbor"]}, "clinic", "one answer"),
        ({"topics": [{"x": 1}]}, "topics", "options shown"),
        ({"consent": {"on": True}}, "consent", "Tick the box"),
    ],
)
def test_wrong_types_and_control_characters_are_refused_on_their_question(
    world, changes, field, message
):
    _, slug = published_form(world, _draft_with_notes())
    errors = _refused(slug, **changes)
    assert list(errors) == [field] and message in errors[field]
    _nothing_stored()


def test_multi_line_text_keeps_newlines_and_tabs_and_json_numbers_and_booleans_are_understood(
    world,
):
    _, slug = published_form(world, _draft_with_notes())
    with db.session_scope() as s:
        result = forms.submit_form(
            s,
            slug,
            dict(GOOD, notes="Line one\r\n\tLine two", guests=3, consent=True),
            elapsed=10.0,
            ip="203.0.113.7",
        )
    with db.session_scope() as s:
        answers = s.get(FormSubmission, result.submission_id).answers
        assert answers["notes"]["value"] == "Line one\n\tLine two"
        assert answers["guests"]["value"] == "3" and answers["consent"]["value"] is True
        contact = s.get(Contact, result.contact_id)
        assert contact.name == "Maria Lopez" and contact.email == "maria@example.com"


def test_an_unknown_slug_with_a_nul_is_simply_not_found(world):
    published_form(world)
    with pytest.raises(forms.FormUnavailable) as error:
        with db.session_scope() as s:
            forms.submit_form(s, "book\x00", dict(GOOD), elapsed=10.0)
    assert error.value.reason == "not_found"
