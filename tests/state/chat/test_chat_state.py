"""The chat states under pytest: the public page's visitor identity (cookie ticket, embed
storage), Private / unknown agents, conversations that are not the visitor's, feedback, the
Playground's member checks; and the reply stream helper."""

from __future__ import annotations

import asyncio

import pytest
import reflex as rx

from crm_app import db
from crm_app.models import Agent, Membership, User
from crm_app.services import agents, sessions, visitor_cookie
from crm_app.state.base import AppState
from crm_app.state.chat import core
from crm_app.state.chat.backend import conversations, visitors
from crm_app.state.chat.playground import PlaygroundState
from crm_app.state.chat.public import UNAVAILABLE, PublicChatState


@pytest.fixture()
def world(db_env):
    with db.session_scope() as s:
        owner = agents.create_owner(s, "rosa@harbor.example", "Harbor", "Rosa")
        public = agents.create_agent(s, owner, "Front Desk", "front-desk")
        s.get(Agent, public.id).visibility = "Public"
        private = agents.create_agent(s, owner, "Back Office", "back-office")
        outsider = agents.create_owner(s, "olga@other.example", "Other", "Olga")
        other = agents.create_agent(s, outsider, "Shop", "shop")
        staff = User(email="sam@harbor.example")
        s.add(staff)
        s.flush()
        s.add(Membership(org_id=owner.org_id, user_id=staff.id, role="User", agent_ids=[]))
        s.flush()
        return {
            "public": public.id,
            "private": private.id,
            "other": other.id,
            "owner": sessions.create_session(s, s.get(User, owner.user_id), owner.org_id),
            "outsider": sessions.create_session(s, s.get(User, outsider.user_id), outsider.org_id),
            "staff": sessions.create_session(s, staff, owner.org_id),
        }


def _public(monkeypatch, slug: str, *, cookie: str = "", query: dict | None = None):
    query = query or {}
    monkeypatch.setattr(PublicChatState, "_slug", lambda self: slug)
    monkeypatch.setattr(PublicChatState, "_query", lambda self, name: query.get(name, ""))
    monkeypatch.setattr(PublicChatState, "_cookie_header", lambda self: cookie)
    monkeypatch.setattr(PublicChatState, "_ip", lambda self: "203.0.113.9")
    root = rx.State(_reflex_internal_init=True)
    return root.get_substate(PublicChatState.get_full_name().split(".")[1:])


def _ticket_of(spec) -> str:
    script = str(spec.args[0][1]) if hasattr(spec, "args") else str(spec)
    start = script.index("ticket: ") + len("ticket: ")
    return script[start:].split("}")[0].strip().strip('\\"').strip('"')


def test_a_first_visit_gets_a_ticket_for_an_httponly_cookie_and_the_welcome(world, monkeypatch):
    state = _public(monkeypatch, "front-desk")
    store = state.load()
    assert state.view == "open" and state.agent_name == "Front Desk"
    assert [line.content for line in state.lines] == [agents.DEFAULT_WELCOME]
    assert state.lines[0].id == 0  # not stored until the visitor writes
    assert store is not None and "/api/chat/visitor" in str(store)
    ticket = _ticket_of(store)
    token = visitor_cookie.redeem_ticket(ticket)
    assert visitors.valid_token(token)
    assert state._visitor_key == visitors.visitor_key(token)
    assert token not in state.embed_token  # the token is not kept in browser storage


def test_a_returning_visitor_sees_their_latest_conversation_and_list(world, monkeypatch):
    token = visitors.new_visitor_token()
    key = visitors.visitor_key(token)
    with db.session_scope() as s:
        first = conversations.start_conversation(s, world["public"], key)
        conversations.start_conversation(
            s, world["public"], visitors.visitor_key(visitors.new_visitor_token())
        )
    state = _public(monkeypatch, "front-desk", cookie=f"{visitor_cookie.COOKIE_NAME}={token}")
    assert state.load() is None  # the cookie is there: no new ticket
    assert [c.id for c in state.chats] == [first.id]
    assert state.conversation_id == first.id


def test_a_conversation_of_another_visitor_does_not_open(world, monkeypatch):
    with db.session_scope() as s:
        theirs = conversations.start_conversation(
            s, world["public"], visitors.visitor_key(visitors.new_visitor_token())
        ).id
    state = _public(monkeypatch, "front-desk")
    state.load()
    state.open_chat(theirs)
    assert state.conversation_id == 0 and state.error == "This conversation is not available."
    state.feedback(theirs, "like")  # not a line of this chat: nothing happens
    assert state.error == "This conversation is not available."


def test_embed_mode_keeps_the_token_in_the_frames_storage(world, monkeypatch):
    state = _public(monkeypatch, "front-desk", query={"embed": "1", "close": "1"})
    assert state.load() is None  # no cookie hand-off inside the iframe
    assert state.embed and state.closable
    assert visitors.valid_token(state.embed_token)
    assert state._visitor_key == visitors.visitor_key(state.embed_token)
    # A forged value in storage is replaced, not trusted.
    again = _public(monkeypatch, "front-desk", query={"embed": "1"})
    again.embed_token = "not a token"
    again.load()
    assert visitors.valid_token(again.embed_token) and not again.closable


@pytest.mark.parametrize(
    ("slug", "view"), [("back-office", "private"), ("no-such-agent", "not_found")]
)
def test_private_and_unknown_agents_offer_no_chat(world, monkeypatch, slug, view):
    state = _public(monkeypatch, slug)
    assert state.load() is None
    assert state.view == view and state.message == UNAVAILABLE[view] and state.lines == []
    state.new_chat()
    state.open_chat(1)
    assert state.error == "This conversation is not available."


def test_the_page_stops_when_the_agent_becomes_private(world, monkeypatch):
    state = _public(monkeypatch, "front-desk", query={"embed": "1"})
    state.load()
    with db.session_scope() as s:
        chat = conversations.start_conversation(s, world["public"], state._visitor_key).id
        s.get(Agent, world["public"]).visibility = "Private"
    state.open_chat(chat)
    assert state.conversation_id == 0 and state.error == "This conversation is not available."


def test_feedback_toggles_on_the_visitors_own_agent_message(world, monkeypatch):
    state = _public(monkeypatch, "front-desk", query={"embed": "1"})
    state.load()
    with db.session_scope() as s:
        chat = conversations.start_conversation(s, world["public"], state._visitor_key)
    state.open_chat(chat.id)
    welcome = state.lines[0]
    assert welcome.id > 0 and welcome.role == "agent"
    state.feedback(welcome.id, "like")
    assert state.lines[0].feedback == "like"
    state.feedback(welcome.id, "like")
    assert state.lines[0].feedback == ""
    state.feedback(welcome.id, "<script>")
    assert state.lines[0].feedback == ""


def test_the_counter_shows_near_the_limit():
    root = rx.State(_reflex_internal_init=True)
    state = root.get_substate(PublicChatState.get_full_name().split(".")[1:])
    state.set_draft("x" * 100)
    assert state.counter == "" and not state.over_limit
    state.set_draft("x" * 3900)
    assert state.counter == "3,900 / 4,000" and not state.over_limit
    state.set_draft("x" * 4001)
    assert state.over_limit


def _playground(monkeypatch, token: str, agent_id: int):
    monkeypatch.setattr(AppState, "_token", lambda self: token)
    monkeypatch.setattr(AppState, "route_agent_id", lambda self: agent_id)
    root = AppState(_reflex_internal_init=True)
    state = root.get_substate(PlaygroundState.get_full_name().split(".")[2:])
    state.load_shell()
    state.load()
    return state


def test_the_playground_is_for_the_agents_members_only(world, monkeypatch):
    mine = _playground(monkeypatch, world["owner"], world["private"])
    assert mine.load_error == "" and mine.agent_name == "Back Office"
    assert mine._who().visitor_key == visitors.member_key(mine._who().member.user_id)
    assert _playground(monkeypatch, world["outsider"], world["private"]).load_error
    assert _playground(monkeypatch, world["staff"], world["private"]).load_error


def test_the_stream_helper_runs_the_turn_off_the_event_loop():
    def turn():
        yield "a"
        yield "b"

    async def collect():
        return [item async for item in core._stream(turn())]

    items = asyncio.run(collect())
    assert [i for i in items if i is not None] == ["a", "b"]  # None: "nothing new yet"

    def failing():
        yield "a"
        raise RuntimeError("boom")

    async def collect_failing():
        return [item async for item in core._stream(failing())]

    with pytest.raises(RuntimeError):
        asyncio.run(collect_failing())
