"""The public form page's state turning the submit endpoint's answers into what the visitor sees."""

from __future__ import annotations

import reflex as rx

from crm_app.state.public_form import TOO_LARGE, PublicFormState


def _state() -> PublicFormState:
    root = rx.State(_reflex_internal_init=True)
    state = root.get_substate(PublicFormState.get_full_name().split(".")[1:])
    state.view, state.elements = "open", [{"id": "letter", "type": "file"}]
    return state


def test_a_body_over_the_limit_says_what_is_too_large():
    state = _state()
    # The limiter answers 413 before the endpoint runs: not our JSON, so the page's script
    # hands over only the status and its generic message.
    state.show_result(
        {"ok": False, "message": "Something went wrong. Please try again.", "http_status": 413}
    )
    assert state.form_error == TOO_LARGE and state.errors == {} and state.view == "open"


def test_errors_per_question_stay_on_the_page():
    state = _state()
    state.show_result(
        {
            "ok": False,
            "message": "Please check the highlighted answers.",
            "errors": {"letter": "This file is empty.", "unknown": "x"},
            "http_status": 422,
        }
    )
    assert state.errors == {"letter": "This file is empty."}
    assert state.form_error == "Please check the highlighted answers."
