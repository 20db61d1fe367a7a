"""One chat turn: the visitor's message in, the agent's reply streamed out, values captured.

`chat_turn` is a generator that opens its own sessions and never holds one while the reply
engine runs (a provider call can take seconds; a transaction held that long would block
every other writer on SQLite and pin a pooled connection on PostgreSQL):

1. Before anything is stored: the text is checked (stripped; empty or over 4,000
   characters is refused) and the per-visitor and per-IP rate limits are counted.
2. One short transaction: the visitor may chat (a gated agent's access, re-checked on
   every message; a Pay for Access message spends one credit here) and owns the
   conversation; the visitor's message and a `pending` placeholder for the reply are
   stored (the reply's id is known from the start, so a page can key the streaming
   bubble), the title is set from the first message, and the engine's `Turn` is built
   from the database (Allow-for-AI fields, the values already known from the contact and
   this chat, the history, the agent's revised answers).
   Yields `Accepted`.
3. No session open: the engine streams; each text piece is yielded as `Delta`.
4. One transaction: the reply is stored (on `EngineError`, the engine's polite message
   with status "error" and the detail in `data` for members), and captured values go to
   `capture.capture` — except in the Playground (`test` conversations), where nothing
   reaches contacts and `Done.captured` names what would have been captured. Yields `Done`.

While the agent asks a form in the chat (services/chat/form_walk.py), step 2 writes the
reply itself (the form's next question) and the engine is not called.

A page that goes away mid-reply closes the generator: the engine still runs to the end
and the reply and its capture are stored, so nothing the visitor said is lost.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import update
from sqlmodel import Session

from crm_app import db
from crm_app.agent import engine_for
from crm_app.agent.base import (
    Capture,
    EngineConfig,
    EngineError,
    ReplyEngine,
    TextDelta,
    Turn,
)
from crm_app.models import (
    Agent,
    Conversation,
    Message,
    utcnow,
)
from crm_app.services import rate_limits
from crm_app.services.agent_settings import engine_config
from crm_app.services.chat import capture as capture_service
from crm_app.services.chat import context, form_walk
from crm_app.services.chat.conversations import (
    MSG_TOO_FAST,
    MessageView,
    chat_access,
    conversation_of,
    message_view,
)
from crm_app.services.errors import RateLimited, ServiceError, ValidationError
from crm_app.services.gate.access import spend_credit
from crm_app.services.principal import Principal

MAX_CHARS = 4000
TITLE_CHARS = 60
DETAIL_CHARS = 2000
ABANDONED_AFTER = timedelta(minutes=10)
REPLY_CHARS = 20000
PER_VISITOR = rate_limits.Limit("chat-message-visitor", 20, 60)
PER_IP = rate_limits.Limit("chat-message-ip", 60, 60)
MSG_EMPTY = "Please type a message."
MSG_TOO_LONG = "Messages can be at most 4,000 characters."


# ---------------------------------------------------------------- events


@dataclass(frozen=True)
class Accepted:
    """The visitor's message is stored; the reply will be message `reply_id`."""

    visitor: MessageView
    reply_id: int


@dataclass(frozen=True)
class Delta:
    text: str


@dataclass(frozen=True)
class Done:
    reply: MessageView
    captured: list[str] = field(default_factory=list)  # labels of the fields filled
    test: bool = False  # Playground: `captured` is what would have been captured


TurnEvent = Accepted | Delta | Done


@dataclass(frozen=True)
class _Accepted:
    turn: Turn | None  # None when answered without the engine
    test: bool
    visitor: MessageView
    reply_id: int
    conversation_id: int
    engine_config: dict
    answered: MessageView | None = None  # replied without the engine (a form in the chat)


# ---------------------------------------------------------------- the turn


def clean_text(text: object) -> str:
    """The message as stored: stripped, without NUL characters (PostgreSQL refuses them)."""
    cleaned = str(text or "").replace("\x00", "").strip()
    if not cleaned:
        raise ValidationError(MSG_EMPTY, field="text")
    if len(cleaned) > MAX_CHARS:
        raise ValidationError(MSG_TOO_LONG, field="text")
    return cleaned


def title_for(text: str) -> str:
    """A conversation's title: its first message, cut at a word near 60 characters."""
    one = " ".join(text.split())
    if len(one) <= TITLE_CHARS:
        return one
    cut = one[:TITLE_CHARS].rsplit(" ", 1)[0] or one[:TITLE_CHARS]
    return cut.rstrip(" ,.;:-") + "…"


def _count(visitor_key: str, ip: str) -> None:
    ip = (ip or "")[:64]
    if ip and not rate_limits.allows(PER_IP, ip):
        raise RateLimited(MSG_TOO_FAST)
    if not rate_limits.hit(PER_VISITOR, visitor_key) or (ip and not rate_limits.hit(PER_IP, ip)):
        raise RateLimited(MSG_TOO_FAST)


def chat_turn(
    agent_id,
    visitor_key: str,
    conversation_id,
    text: str,
    *,
    ip: str = "",
    member: Principal | None = None,
    engine: ReplyEngine | None = None,
) -> Iterator[TurnEvent]:
    """Yield Accepted, then Delta for each piece of the reply, then Done (see the module
    docstring). ServiceErrors (refused text, rate limit, not this visitor's conversation)
    are raised on the first step, before anything is stored."""
    text = clean_text(text)
    make_engine = None if engine is not None else _engine_factory()
    _count(visitor_key, ip)
    accepted = _accept(agent_id, visitor_key, conversation_id, text, member, ip)
    closed = False  # the consumer went away: finish quietly, store everything
    try:
        yield Accepted(visitor=accepted.visitor, reply_id=accepted.reply_id)
    except GeneratorExit:
        closed = True
    if accepted.answered is not None:  # a form's question: stored already
        if not closed:
            yield Delta(accepted.answered.content)
            yield Done(reply=accepted.answered, test=accepted.test)
        return
    parts: list[str] = []
    values: dict[str, Any] = {}
    notes: list[str] = []
    failure: EngineError | None = None
    try:
        if engine is None:
            engine = make_engine(accepted.engine_config)
        for chunk in engine.reply(accepted.turn):
            if isinstance(chunk, TextDelta) and chunk.text:
                parts.append(chunk.text)
                if not closed:
                    try:
                        yield Delta(chunk.text)
                    except GeneratorExit:
                        closed = True
            elif isinstance(chunk, Capture):
                values.update(chunk.values or {})
                notes.extend(str(n) for n in getattr(chunk, "notes", ()) or ())
    except EngineError as exc:
        failure = exc
    except BaseException as exc:
        # A bug in an engine: the placeholder becomes a visible error, then it propagates.
        _finish(accepted, parts, {}, [], EngineError(f"{type(exc).__name__}: {exc}"))
        raise
    done = _finish(accepted, parts, values, notes, failure)
    if not closed:
        yield done


# ---------------------------------------------------------------- engine


def _engine_factory() -> Callable[[dict], ReplyEngine]:
    """The agent's engine from its settings (the offline engine or a provider)."""
    return lambda config: engine_for(EngineConfig(**config))


# ---------------------------------------------------------------- step 2: accept


def _accept(
    agent_id,
    visitor_key: str,
    conversation_id,
    text: str,
    member: Principal | None,
    ip: str = "",
) -> _Accepted:
    with db.session_scope() as session:
        # A visitor's access is checked on every message (a contact moved out of the rule,
        # archived or blocked is refused here); a Pay for Access message spends one credit,
        # in this transaction: refused or rolled back, nothing is spent.
        agent, access = chat_access(session, agent_id, visitor_key, member)
        conv = conversation_of(session, agent, visitor_key, conversation_id, member)
        if access is not None:
            spend_credit(session, access)
            if access.contact_id and not conv.contact_id:
                conv.contact_id = access.contact_id  # signed in: the chat is theirs
        now = utcnow()
        _close_abandoned(session, conv.id, now)
        visitor = Message(conversation_id=conv.id, role="visitor", content=text, created_at=now)
        session.add(visitor)
        session.flush()
        reply = Message(
            conversation_id=conv.id, role="agent", content="", status="pending", created_at=now
        )
        session.add(reply)
        if not conv.title:
            conv.title = title_for(text)
        conv.last_message_at = conv.updated_at = now
        session.add(conv)
        session.flush()
        answered = form_walk.form_reply(session, agent, conv, text, now, ip)
        if answered is not None:
            reply.content, reply.status = answered, "ok"
            session.add(reply)
            session.flush()
        return _Accepted(
            answered=message_view(reply) if answered is not None else None,
            turn=None if answered is not None else context.build_turn(session, agent, conv, now),
            test=conv.test,
            visitor=message_view(visitor),
            reply_id=reply.id,
            conversation_id=conv.id,
            engine_config=engine_config(agent),  # the API key unsealed here
        )


def _close_abandoned(session: Session, conversation_id: int, now: datetime) -> None:
    """A reply still pending long after any engine's timeout belongs to a process that died
    mid-turn: it becomes a visible error instead of an empty message forever."""
    session.exec(
        update(Message)
        .where(
            Message.conversation_id == conversation_id,
            Message.status == "pending",
            Message.created_at < now - ABANDONED_AFTER,
        )
        .values(
            status="error",
            content=EngineError.visitor_message,
            data={"error": "The reply was interrupted (the server stopped mid-turn)."},
        )
        .execution_options(synchronize_session=False)
    )


# ---------------------------------------------------------------- step 4: store the reply


def _finish(
    accepted: _Accepted,
    parts: list[str],
    values: dict[str, Any],
    notes: list[str],
    failure: EngineError | None,
) -> Done:
    text = "".join(parts).strip()[:REPLY_CHARS]
    if failure is None and not text:
        failure = EngineError("The engine returned an empty reply.")
    with db.session_scope() as session:
        reply = session.get(Message, accepted.reply_id)
        conv = session.get(Conversation, accepted.conversation_id)
        if reply is None or conv is None:  # erased with its contact meanwhile
            content = failure.visitor_message if failure else text
            return Done(
                reply=MessageView(
                    accepted.reply_id, "agent", content, utcnow(), "", "error" if failure else "ok"
                )
            )
        now = utcnow()
        if failure is not None:
            reply.content = failure.visitor_message
            reply.status = "error"
            reply.data = {"error": str(failure.detail)[:DETAIL_CHARS]}
        else:
            reply.content = text
            reply.status = "ok"
        reply.created_at = now
        conv.last_message_at = conv.updated_at = now
        session.add_all([reply, conv])
        session.flush()
        labels: list[str] = []
        record: dict[str, Any] = {}
        if values:
            agent = session.get(Agent, conv.agent_id)
            if conv.test:
                labels, record = _would_capture(session, agent, conv, values)
            else:
                labels, record = _capture(session, agent, conv, accepted.visitor.id, values)
        if notes:
            record["notes"] = [n[:500] for n in notes[:20]]
        if record:  # what became of the message's values, for the team
            visitor = session.get(Message, accepted.visitor.id)
            if visitor is not None:
                visitor.data = {**(visitor.data or {}), **record}
                session.add(visitor)
        return Done(reply=message_view(reply), captured=labels, test=conv.test)


def _capture(
    session: Session, agent: Agent, conv: Conversation, message_id: int, values: dict
) -> tuple[list[str], dict[str, Any]]:
    """capture.capture in a savepoint: a value it refuses never costs the stored reply.
    Returns the labels of the fields filled and what to record on the visitor's message."""
    fields = context.ai_fields(session, agent)
    try:
        with session.begin_nested():
            result = capture_service.capture(session, agent, conv, message_id, values)
    except ServiceError as exc:
        return [], {"capture_error": exc.message}
    record = {
        "captured": list(result.captured),
        "filled": list(result.filled),
        "suggested": list(result.suggested),
        "rejected": [list(r) for r in result.rejected],
    }
    names = [result.labels.get(k) or (fields[k].label if k in fields else k) for k in result.filled]
    return names, {k: v for k, v in record.items() if v}


def _would_capture(
    session: Session, agent: Agent, conv: Conversation, values: dict
) -> tuple[list[str], dict[str, Any]]:
    """Playground: validate as capture would and remember on the conversation (so the
    engine does not ask again); contacts are never touched. Returns the labels it would
    fill and what to record on the visitor's message."""
    fields = context.ai_fields(session, agent)
    valid, dropped = context.validate_values(agent, fields, values)
    conv.captured = {**(conv.captured or {}), **valid}
    session.add(conv)
    record = {"captured": list(valid), "rejected": dropped}
    return [fields[key].label for key in valid], {k: v for k, v in record.items() if v}
