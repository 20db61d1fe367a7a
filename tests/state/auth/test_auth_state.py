"""Signed-out screens: the development mailbox's gate, and sign-up errors shown all at once."""

from __future__ import annotations

import pytest
from reflex.istate.data import RouterData

from crm_app import db, settings
from crm_app.services import auth, email
from crm_app.state.auth import LoginState, MailboxState, SignupState
from crm_app.state.base import AppState


@pytest.fixture()
def dev_env(db_env, monkeypatch):
    def configure(**env):
        for name in ("CRM_SMTP_URL", "CRM_DEV_MODE", "CRM_TRUSTED_PROXY_HOPS"):
            monkeypatch.delenv(name, raising=False)
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        settings.get_settings.cache_clear()
        with db.session_scope() as s:
            auth.request_code(s, "owner@clinic.example")  # a code another member could steal

    monkeypatch.setattr(AppState, "_token", lambda self: None)
    monkeypatch.setattr(email, "_send_smtp", lambda *args: None)
    return configure


def _state(cls, client_ip: str = "127.0.0.1", **headers: str):
    """`cls` as Reflex builds it for an event from a socket at `client_ip` with `headers`."""
    root = AppState(_reflex_internal_init=True)
    state = root.get_substate(cls.get_full_name().split(".")[2:])
    router = RouterData.from_router_data(
        {
            "ip": client_ip,
            "headers": {"host": "localhost:3000", **headers},
            "pathname": "/dev/mailbox",
        }
    )
    for each in (root, state):
        object.__setattr__(each, "router", router)
    return state


def _mailbox(**kwargs) -> MailboxState:
    state = _state(MailboxState, **kwargs)
    state.load()
    return state


def test_mailbox_shows_codes_to_a_browser_on_this_machine_in_development_mode(dev_env):
    dev_env(CRM_DEV_MODE="1")
    for loopback in ("127.0.0.1", "::1"):
        state = _mailbox(client_ip=loopback)
        assert state.enabled and "is your Agent CRM code" in state.emails[0]["subject"]
    login = _state(LoginState)
    login.load()
    assert login.dev_mailbox is True


@pytest.mark.parametrize(
    "env",
    [{}, {"CRM_SMTP_URL": "smtp://mail.example:587", "CRM_DEV_MODE": "1"}],
    ids=["no-smtp-default", "smtp-configured"],
)
def test_mailbox_is_closed_outside_development_mode(dev_env, env):
    dev_env(**env)
    state = _mailbox()
    assert not state.enabled and state.emails == []
    login = _state(LoginState)
    login.load()
    assert login.dev_mailbox is False


@pytest.mark.parametrize(
    "client_ip,headers,hops",
    [
        ("203.0.113.9", {}, "0"),  # a visitor on the network
        ("203.0.113.9", {"x-forwarded-for": "127.0.0.1"}, "0"),  # forging a loopback address
        (
            "127.0.0.1",
            {"x-forwarded-for": "203.0.113.9"},
            "0",
        ),  # through a reverse proxy on this machine
        ("127.0.0.1", {"x-forwarded-for": "127.0.0.1"}, "1"),  # forged hop behind a trusted proxy
        ("127.0.0.1", {"x-real-ip": "203.0.113.9"}, "0"),
        ("127.0.0.1", {"forwarded": "for=203.0.113.9"}, "0"),
    ],
    ids=["remote", "forged-xff", "local-proxy", "trusted-proxy-forged", "x-real-ip", "forwarded"],
)
def test_mailbox_refuses_every_request_that_is_not_from_this_machine(
    dev_env, client_ip, headers, hops
):
    dev_env(CRM_DEV_MODE="1", CRM_TRUSTED_PROXY_HOPS=hops)
    state = _mailbox(client_ip=client_ip, **headers)
    assert not state.enabled and state.emails == []


def test_empty_sign_up_form_shows_every_field_error_at_once(dev_env):
    dev_env()
    state = _state(SignupState)
    state.load()
    list(state.send_code({"org_name": "", "first_name": "", "last_name": "", "email": ""}))
    assert state.org_name_error == "Enter your organization's name."
    assert state.first_name_error == "Enter your first name."
    assert state.email_error == "Enter a valid email address."
    assert state.last_name_error == "" and state.form_error == "" and state.step == "email"
    assert not state.sending
