"""Shared by the API tests that need the whole ASGI app as Reflex composes it."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def asgi_app():
    """The backend app `reflex run` serves, without compiling the front end. Built once per
    test session: Reflex adds its middleware when the app is built, which a started
    Starlette app refuses a second time."""
    from crm_app.crm_app import app

    compile_ = app._compile
    app._compile = lambda *args, **kwargs: None
    try:
        return app()
    finally:
        app._compile = compile_
