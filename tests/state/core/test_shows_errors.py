"""`shows_errors`: a service error raised in a handler becomes a toast, a sign-in redirect
or the inline error of the field it names — for sync, async and generator handlers alike."""

from __future__ import annotations

import asyncio

from crm_app.services.errors import (
    NotAuthenticated,
    ServiceError,
    ValidationError,
    ValidationErrors,
)
from crm_app.state.base import AppState, shows_errors


class _Screen:
    """Stands in for a state: the helper only needs the vars it writes and this method."""

    _show_service_error = AppState._show_service_error

    def __init__(self):
        self.errors: dict[str, str] = {}
        self.name_error = ""
        self.busy = False

    @shows_errors
    def plain(self, error):
        raise error

    @shows_errors(fields="errors")
    def into_dict(self, error):
        raise error

    @shows_errors(fields="name_error")
    def into_text(self, error):
        raise error

    @shows_errors
    async def later(self, error):
        raise error

    @shows_errors(fields="errors")
    def steps(self, error):
        self.busy = True
        yield
        try:
            raise error
        finally:
            self.busy = False

    @shows_errors
    async def async_steps(self, error):
        yield "first"
        raise error


def _finish(generator):
    """Run a generator handler to its end: what it yielded, and what it returned."""
    yielded = []
    try:
        while True:
            yielded.append(next(generator))
    except StopIteration as stop:
        return yielded, stop.value


def test_error_becomes_a_toast_and_sign_in_loss_a_redirect():
    screen = _Screen()
    assert "Stage not found." in str(screen.plain(ServiceError("Stage not found.")))
    assert "/login" in str(screen.plain(NotAuthenticated("Please sign in again.")))
    assert "Agent not found." in str(asyncio.run(screen.later(ServiceError("Agent not found."))))


def test_field_errors_go_to_the_named_var():
    screen = _Screen()
    assert screen.into_dict(ValidationError("Enter a name.", field="name")) is None
    assert screen.errors == {"name": "Enter a name."}
    both = ValidationErrors(
        [ValidationError("Enter a name.", "name"), ValidationError("Bad email.", "email")]
    )
    assert screen.into_dict(both) is None
    assert screen.errors == {"name": "Enter a name.", "email": "Bad email."}
    assert screen.into_text(ValidationError("Taken.", field="name")) is None
    assert screen.name_error == "Taken."
    # An error that names no field is still a toast.
    assert "Try again." in str(screen.into_dict(ServiceError("Try again.")))


def test_generators_run_their_cleanup_and_return_the_error():
    screen = _Screen()
    yielded, returned = _finish(screen.steps(ValidationError("Enter a name.", field="name")))
    assert yielded == [None] and returned is None
    assert screen.errors == {"name": "Enter a name."} and screen.busy is False

    async def collect():
        return [event async for event in screen.async_steps(ServiceError("Gone."))]

    first, toast = asyncio.run(collect())
    assert first == "first" and "Gone." in str(toast)


def test_other_exceptions_are_not_swallowed():
    screen = _Screen()
    try:
        screen.plain(RuntimeError("bug"))
    except RuntimeError:
        return
    raise AssertionError("a programming error must still fail the event")
