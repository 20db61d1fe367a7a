"""The chat page's gate under pytest: a Restrict agent shows the sign-in screen; a contact
and a stranger see the same screens; the code opens the chat as the contact; access lost
mid-chat brings the sign-in screen back; sign-out forgets the visitor token."""

from __future__ import annotations

from datetime import timedelta

import pytest
import reflex as rx
from sqlmodel import func, select

from crm_app import db
from crm_app.models import Agent, Contact, LoginCode, SentEmail
from crm_app.services import agents, visitor_cookie
from crm_app.services.errors import PermissionDenied
from crm_app.services.gate import access, signin
from crm_app.state.chat.backend import visitors
from crm_app.state.chat.public import PublicChatState
from tests.mailbox import code_in, inbox

ANN = "ann@patients.example"
SCREEN = ("view", "gate_step", "gate_email", "gate_error", "gate_notice", "resend_ready")


@pytest.fixture()
def world(db_env, monkeypatch):
    from crm_app import settings

    monkeypatch.setenv("CRM_DEV_MODE", "1")
    settings.get_settings.cache_clear()
    monkeypatch.setattr(signin, "RESEND_SECONDS", 0)
    with db.session_scope() as s:
        owner = agents.create_owner(s, "rosa@harbor.example", "Harbor", "Rosa")
        agent = agents.create_agent(s, owner, "Front Desk", "front-desk")
        row = s.get(Agent, agent.id)
        row.visibility, row.access_mode = "Public", "Restrict"
        contact = Contact(agent_id=agent.id, email=ANN, name="Ann Lopez", source="Manual")
        s.add(contact)
        s.flush()
        return {"agent": agent.id, "contact": contact.id}


def _public(monkeypatch, *, cookie: str = "", query: dict | None = None):
    query = query or {}
    monkeypatch.setattr(PublicChatState, "_slug", lambda self: "front-desk")
    monkeypatch.setattr(PublicChatState, "_query", lambda self, name: query.get(name, ""))
    monkeypatch.setattr(PublicChatState, "_cookie_header", lambda self: cookie)
    monkeypatch.setattr(PublicChatState, "_ip", lambda self: "203.0.113.9")
    root = rx.State(_reflex_internal_init=True)
    return root.get_substate(PublicChatState.get_full_name().split(".")[1:])


def _screen(state) -> dict:
    return {name: getattr(state, name) for name in SCREEN}


def _mails() -> int:
    with db.session_scope() as s:
        return s.exec(select(func.count()).select_from(SentEmail)).one()


def test_a_contact_and_a_stranger_see_the_same_screens(world, monkeypatch):
    screens = []
    for email in (ANN, "bob@x.example"):
        state = _public(monkeypatch, cookie=f"{visitor_cookie.COOKIE_NAME}={'a' * 43}")
        state.load()
        assert state.view == "sign_in" and state.lines == [] and state.chats == []
        state.gate_send_code({"email": email.upper()})
        screens.append({**_screen(state), "gate_email": "<the address>"})
        assert state.gate_email == email
    assert (
        screens[0]
        == screens[1]
        == {
            "view": "sign_in",
            "gate_step": "code",
            "gate_email": "<the address>",
            "gate_error": "",
            "gate_notice": "",
            "resend_ready": False,
        }
    )
    assert _mails() == 1  # only the contact got one
    state.gate_verify({"code": "123456"})
    assert (
        state.view == "sign_in"
        and state.gate_error == "That code is not correct. Check the email and try again."
    )
    state.gate_change_email()
    assert state.gate_step == "email" and state.gate_error == ""


def test_the_code_opens_the_chat_and_access_lost_brings_the_gate_back(world, monkeypatch):
    state = _public(monkeypatch)
    store = state.load()
    assert store is not None and state.view == "sign_in"  # a new visitor: a cookie ticket
    state.gate_send_code({"email": ANN})
    state.gate_verify({"code": code_in(inbox(ANN))})
    state.gate_enter()
    assert state.view == "open" and state.chat_ready
    assert (state.signed_in_name, state.signed_in_email) == ("Ann Lopez", ANN)
    assert state.signed_in_label == "Ann Lopez"
    assert [line.id for line in state.lines] == [0]  # the welcome
    # The team archives the contact: the next message is refused and the gate is back.
    with db.session_scope() as s:
        s.get(Contact, world["contact"]).archived = True
    state._refused(PermissionDenied(access.MSG_LOST))
    assert state.view == "sign_in" and state.gate_notice == access.MSG_LOST
    assert state.lines == [] and state.gate_step == "email"
    # A rate limit or a refused text keeps the chat.
    with db.session_scope() as s:
        s.get(Contact, world["contact"]).archived = False
    state.load()
    assert state.view == "open" and state.gate_notice == ""
    state._refused(PermissionDenied("Too quick."))
    assert state.view == "open" and state.error == "Too quick."


def test_sign_out_ends_the_session_and_forgets_the_token(world, monkeypatch):
    token = visitors.new_visitor_token()
    cookie = f"{visitor_cookie.COOKIE_NAME}={token}"
    state = _public(monkeypatch, cookie=cookie)
    state.load()
    state.gate_send_code({"email": ANN})
    state.gate_verify({"code": code_in(inbox(ANN))})
    state.gate_enter()
    assert state._visitor_key == visitors.visitor_key(token) and state.view == "open"
    store = state.gate_sign_out()
    assert state.view == "sign_in" and state.gate_notice == "You are signed out."
    assert not state.signed_in and state.lines == []
    assert "/api/chat/visitor" in str(store)  # a new cookie replaces the old one
    assert state._visitor_key != visitors.visitor_key(token)
    with db.session_scope() as s:
        agent = s.get(Agent, world["agent"])
        assert access.visitor_access(s, agent, visitors.visitor_key(token)).state == "sign_in"
    # The page reloads before the new cookie arrived: the old token is not taken back.
    state.load()
    assert state._visitor_key != visitors.visitor_key(token) and state.view == "sign_in"


def test_in_the_widget_sign_out_replaces_the_iframe_token(world, monkeypatch):
    state = _public(monkeypatch, query={"embed": "1"})
    state.load()
    first = state.embed_token
    state.gate_send_code({"email": ANN})
    state.gate_verify({"code": code_in(inbox(ANN))})
    state.gate_enter()
    assert state.view == "open"
    state.gate_sign_out()
    assert state.embed_token != first and visitors.valid_token(state.embed_token)
    assert state._visitor_key == visitors.visitor_key(state.embed_token)


def test_pay_for_access_shows_the_paywall_and_its_sign_in(world, monkeypatch):
    with db.session_scope() as s:
        s.get(Agent, world["agent"]).access_mode = "Pay for Access"
    state = _public(monkeypatch)
    state.load()
    assert state.view == "paywall" and state.gate == "Pay for Access"
    state.gate_show_sign_in()
    assert state.view == "sign_in" and state.from_paywall
    state.gate_back_to_paywall()
    assert state.view == "paywall"


def test_a_mode_switched_while_the_page_is_open_shows_the_gate(world, monkeypatch):
    with db.session_scope() as s:
        s.get(Agent, world["agent"]).access_mode = "Use for Free"
    state = _public(monkeypatch)
    state.load()
    assert state.view == "open" and state.gate == ""
    with db.session_scope() as s:
        s.get(Agent, world["agent"]).access_mode = "Restrict"
    state._refused(PermissionDenied(access.MSG_SIGN_IN))
    assert state.view == "sign_in" and state.gate == "Restrict"
    assert state.gate_notice == access.MSG_SIGN_IN
    state.load()
    with db.session_scope() as s:
        s.get(Agent, world["agent"]).visibility = "Private"
    state.view = "open"  # as if it were still open in the browser
    state._refused(PermissionDenied(access.MSG_PRIVATE))
    assert state.view == "private" and "private" in state.message


def test_resend_is_offered_only_when_the_server_agrees(world, monkeypatch):
    monkeypatch.setattr(signin, "RESEND_SECONDS", 60)
    state = _public(monkeypatch)
    state.load()
    state.gate_send_code({"email": ANN})
    state.gate_resend_ready()  # the browser's clock says so; the server does not
    assert not state.resend_ready
    assert state.gate_resend() is None and state.gate_error == signin.MSG_WAIT
    assert _mails() == 1
    state._code_sent_at -= 61
    state.gate_resend_ready()
    assert state.resend_ready
    with db.session_scope() as s:  # the code row is a minute old, as the page's clock says
        for row in s.exec(select(LoginCode)):
            row.created_at -= timedelta(seconds=61)
            s.add(row)
    state.gate_error = ""
    assert state.gate_resend() is not None and state.gate_error == ""
    assert _mails() == 2 and not state.resend_ready
