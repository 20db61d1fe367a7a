"""The visitor chat over HTTP, for any website: JSON plus a streamed reply (Server-Sent
Events). The chat page and the widget use the app's own pages; this API is for sites that
build their own chat box, for the load benchmark, and for anything that cannot run the page.

Visitors are identified by an opaque token the client keeps (`POST /visitors` hands one
out) and sends as `X-Visitor-Token`: no cookies, so any origin may call it (the middleware
in api/origins.py answers CORS with `*` and strips the Cookie header). Only the token's
hash is stored. Every call reaches only that visitor's conversations with a Public agent.

GET  /api/public-chat/{slug}                              the agent (name, welcome, availability)
POST /api/public-chat/{slug}/visitors                     a new visitor token
GET  /api/public-chat/{slug}/conversations                the visitor's conversations
POST /api/public-chat/{slug}/conversations                start one (the welcome message)
GET  /api/public-chat/{slug}/conversations/{id}/messages  its messages, oldest first
POST /api/public-chat/{slug}/conversations/{id}/messages  {"text"} -> text/event-stream:
     `accepted` {visitor message, reply_id}, `delta` {text}..., `done` {reply}; a refusal
     before anything is stored (empty, too long, too fast) is a JSON error with its status.
POST /api/public-chat/{slug}/messages/{id}/feedback       {"value": "like"|"dislike"|""}

A Restrict or Pay for Access agent (`gate` in the agent's description) answers a visitor
only while their token has access (services/gate): 403 with what to do otherwise.
GET  /api/public-chat/{slug}/access                       {state: open|sign_in|paywall|private, ...}
POST /api/public-chat/{slug}/sign-in/code                 {"email"} -> 202, the same for anyone
POST /api/public-chat/{slug}/sign-in/verify               {"email", "code"} -> the new access
POST /api/public-chat/{slug}/sign-out                     ends the token's session (then drop the token)
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import asdict, is_dataclass
from datetime import datetime
from typing import Annotated, Any

import anyio.to_thread
from fastapi import APIRouter, Depends, Header
from fastapi.responses import JSONResponse, StreamingResponse
from pydantic import BaseModel, Field

from crm_app import routes
from crm_app.api.deps import NO_STORE, ClientIp, Db, DbSnapshot, error_response
from crm_app.db import session_scope
from crm_app.models import Agent
from crm_app.services.chat import conversations, turn, visitors
from crm_app.services.errors import NotAuthenticated, ServiceError
from crm_app.services.gate import access as gate_access
from crm_app.services.gate import signin

router = APIRouter(prefix=routes.API_PUBLIC_CHAT, tags=["visitor chat"])
MAX_TEXT = 20_000  # characters accepted in the body; the chat's own limit is checked after


class PostMessage(BaseModel):
    text: str = Field(default="", max_length=MAX_TEXT)


class Feedback(BaseModel):
    value: str = Field(default="", max_length=10)


class SendCode(BaseModel):
    email: str = Field(default="", max_length=400)


class VerifyCode(BaseModel):
    email: str = Field(default="", max_length=400)
    code: str = Field(default="", max_length=20)


def _visitor(x_visitor_token: Annotated[str | None, Header()] = None) -> str:
    if not x_visitor_token or not visitors.valid_token(x_visitor_token):
        raise NotAuthenticated(
            "Send the visitor token from POST /visitors in the X-Visitor-Token header."
        )
    return visitors.visitor_key(x_visitor_token)


Visitor = Annotated[str, Depends(_visitor)]


def _plain(value: Any) -> Any:
    if is_dataclass(value):
        value = asdict(value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, datetime):
        return value.isoformat()
    return value


def _json(data: Any, status: int = 200) -> JSONResponse:
    return JSONResponse({"data": _plain(data)}, status_code=status, headers=NO_STORE)


def _agent_id(session, slug: str) -> int:
    return visitors.public_agent(session, slug).id


@router.get(routes.PUBLIC_CHAT_AGENT)
def describe(slug: str, session: DbSnapshot) -> JSONResponse:
    agent = visitors.public_agent(session, slug)
    data = _plain(agent)
    data["message"] = visitors.REASON_MESSAGES.get(agent.reason, "")
    return _json(data)


@router.post(routes.PUBLIC_CHAT_VISITORS, status_code=201)
def new_visitor(slug: str, session: DbSnapshot) -> JSONResponse:
    visitors.public_agent(session, slug)  # 404 for an unknown agent
    return _json({"token": visitors.new_visitor_token()}, 201)


@router.get(routes.PUBLIC_CHAT_CONVERSATIONS)
def list_conversations(slug: str, visitor: Visitor, session: DbSnapshot) -> JSONResponse:
    agent_id = _agent_id(session, slug)
    return _json(conversations.list_conversations(session, agent_id, visitor))


@router.post(routes.PUBLIC_CHAT_CONVERSATIONS, status_code=201)
def start(slug: str, visitor: Visitor, session: Db, ip: ClientIp) -> JSONResponse:
    agent_id = _agent_id(session, slug)
    return _json(conversations.start_conversation(session, agent_id, visitor, ip=ip), 201)


@router.get(routes.PUBLIC_CHAT_MESSAGES)
def list_messages(
    slug: str, conversation_id: int, visitor: Visitor, session: DbSnapshot
) -> JSONResponse:
    agent_id = _agent_id(session, slug)
    return _json(conversations.messages(session, agent_id, visitor, conversation_id))


@router.post(routes.PUBLIC_CHAT_FEEDBACK)
def feedback(
    slug: str, message_id: int, body: Feedback, visitor: Visitor, session: Db
) -> JSONResponse:
    agent_id = _agent_id(session, slug)
    return _json(conversations.set_feedback(session, agent_id, visitor, message_id, body.value))


# ---------------------------------------------------------------- gated agents (sign-in)


def _agent(session, slug: str) -> Agent:
    return session.get(Agent, _agent_id(session, slug))


def _access_data(found: gate_access.Access, agent: Agent) -> dict:
    message = ""
    if found.state == "private":
        message = gate_access.MSG_PRIVATE
    elif found.state == "sign_in":
        message = gate_access.MSG_LOST if found.lost else gate_access.MSG_SIGN_IN
    elif found.state == "paywall":
        message = gate_access.MSG_PAY
    return {
        "state": found.state,
        "gate": visitors.gate_of(agent),
        "message": message,
        "signed_in": found.signed_in,
        "name": found.name,
        "email": found.email,
        "credits_left": found.credits_left,
        "expires_at": found.expires_at,
        "pass_ended": found.pass_ended,
    }


@router.get(routes.PUBLIC_CHAT_ACCESS)
def visitor_access(slug: str, visitor: Visitor, session: DbSnapshot) -> JSONResponse:
    agent = _agent(session, slug)
    return _json(_access_data(gate_access.visitor_access(session, agent, visitor), agent))


@router.post(routes.PUBLIC_CHAT_SIGN_IN_CODE, status_code=202)
def send_code(
    slug: str, body: SendCode, visitor: Visitor, session: Db, ip: ClientIp
) -> JSONResponse:
    """Emails a code only to an allowed contact; the answer is the same for any address."""
    email = signin.send_code(session, _agent(session, slug), body.email, ip)
    data = {
        "email": email,
        "expires_in": signin.CODE_MINUTES * 60,
        "resend_in": signin.RESEND_SECONDS,
    }
    return _json(data, 202)


@router.post(routes.PUBLIC_CHAT_SIGN_IN_VERIFY)
def verify_code(
    slug: str, body: VerifyCode, visitor: Visitor, session: Db, ip: ClientIp
) -> JSONResponse:
    agent = _agent(session, slug)
    signin.verify(session, agent, visitor, body.email, body.code, ip)
    return _json(_access_data(gate_access.visitor_access(session, agent, visitor), agent))


@router.post(routes.PUBLIC_CHAT_SIGN_OUT)
def sign_out(slug: str, visitor: Visitor, session: Db) -> JSONResponse:
    agent = _agent(session, slug)
    signin.sign_out(session, agent, visitor)
    return _json(_access_data(gate_access.visitor_access(session, agent, visitor), agent))


def _sse(event: str, data: Any) -> str:
    return f"event: {event}\ndata: {json.dumps(_plain(data), separators=(',', ':'))}\n\n"


_EVENT_NAMES = {"Accepted": "accepted", "Delta": "delta", "Done": "done"}


@router.post(routes.PUBLIC_CHAT_MESSAGES, response_model=None)
async def post_message(
    slug: str, conversation_id: int, body: PostMessage, visitor: Visitor, ip: ClientIp
) -> JSONResponse | StreamingResponse:
    """The visitor's message, answered as a stream. The turn's first event (the message
    accepted and stored) is awaited before the response starts, so every refusal is a
    plain JSON error with its status; the reply then streams as it is written."""

    def first() -> tuple[Iterator, Any]:
        with session_scope(read_only=True) as session:
            agent_id = _agent_id(session, slug)
        events = turn.chat_turn(agent_id, visitor, conversation_id, body.text, ip=ip)
        return events, next(events)

    try:
        events, head = await anyio.to_thread.run_sync(first)
    except ServiceError as error:
        return error_response(error)

    def stream() -> Iterator[str]:
        yield _sse(_EVENT_NAMES[type(head).__name__], head)
        try:
            for event in events:
                yield _sse(_EVENT_NAMES.get(type(event).__name__, "event"), event)
        except ServiceError as error:
            yield _sse("error", {"message": error.message})

    return StreamingResponse(
        stream(),
        media_type="text/event-stream",
        headers={**NO_STORE, "X-Accel-Buffering": "no"},
    )
