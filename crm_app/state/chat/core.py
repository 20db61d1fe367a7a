"""What every chat screen shares (the public page /a/<slug>, its embed mode in the widget's
iframe, and the dashboard's Playground): the messages, the streamed reply, feedback, the
visitor's earlier conversations and `New chat`.

A subclass says who is chatting with `_who()` -> (agent id, visitor key, member or None,
client ip), checked again on every event. The reply streams from
services/chat/turn.chat_turn, a blocking iterator that opens its own database sessions: it
runs on a worker thread of a background event, and its text reaches the browser in small
batches (one state update per ~50 ms, not one per token).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass, field
from datetime import datetime

import reflex as rx

from crm_app.db import session_scope
from crm_app.services.errors import ServiceError
from crm_app.state.chat.backend import Accepted, Delta, Done, conversations, turn

log = logging.getLogger(__name__)

MAX_CHARS = 4000
COUNTER_FROM = 3500  # the character counter shows from here on
FLUSH_SECONDS = 0.05
INPUT_ID = "crm-chat-input"
LIST_ID = "crm-chat-list"
GENERIC_ERROR = "Something went wrong. Please try again."


@dataclass
class ChatLine:
    """One message as the chat shows it (id 0: the welcome of a chat not started yet)."""

    id: int = 0
    role: str = "agent"  # visitor | agent | member
    content: str = ""
    feedback: str = ""  # "" | like | dislike
    status: str = "ok"  # ok | error
    time: str = ""


@dataclass
class ChatItem:
    """One of the visitor's earlier conversations, in the list to reopen."""

    id: int = 0
    title: str = ""
    when: str = ""
    preview: str = ""


@dataclass
class Who:
    agent_id: int
    visitor_key: str
    member: object | None = None
    ip: str = ""
    extra: dict = field(default_factory=dict)


def _time(value) -> str:
    return value.strftime("%H:%M") if isinstance(value, datetime) else ""


def _when(value) -> str:
    if not isinstance(value, datetime):
        return ""
    return value.strftime("%b %-d, %H:%M")


def line_of(view) -> ChatLine:
    return ChatLine(
        id=int(view.id),
        role=str(view.role),
        content=str(view.content),
        feedback=str(getattr(view, "feedback", "") or ""),
        status=str(getattr(view, "status", "ok") or "ok"),
        time=_time(getattr(view, "created_at", None)),
    )


def item_of(summary) -> ChatItem:
    return ChatItem(
        id=int(summary.id),
        title=str(summary.title or "Untitled Conversation"),
        when=_when(getattr(summary, "last_at", None)),
        preview=str(getattr(summary, "preview", "") or "")[:90],
    )


async def _stream(events):
    """Run the blocking `events` iterator on a worker thread; yield its items here."""
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue = asyncio.Queue()
    end = object()

    def pump():
        try:
            for event in events:
                loop.call_soon_threadsafe(queue.put_nowait, event)
        except BaseException as error:  # handed to the event loop, raised there
            loop.call_soon_threadsafe(queue.put_nowait, error)
        else:
            loop.call_soon_threadsafe(queue.put_nowait, end)

    worker = loop.run_in_executor(None, pump)
    try:
        while True:
            try:
                item = await asyncio.wait_for(queue.get(), FLUSH_SECONDS)
            except TimeoutError:
                yield None  # nothing new for a while: a chance to show what arrived
                continue
            if item is end:
                return
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        with contextlib.suppress(Exception):
            await worker


class ChatCore(rx.State, mixin=True):
    agent_name: str = ""
    avatar_url: str = ""
    welcome: str = ""
    lines: list[ChatLine] = []
    conversation_id: int = 0
    chats: list[ChatItem] = []
    replying: bool = False
    typing: bool = False  # replying, and no token has arrived yet
    streaming: str = ""  # the reply so far
    error: str = ""
    draft_len: int = 0
    captured: list[str] = []  # Playground: what the last reply would have captured
    chat_ready: bool = False

    @rx.var
    def agent_initial(self) -> str:
        return (self.agent_name.strip()[:1] or "?").upper()

    @rx.var
    def counter(self) -> str:
        if self.draft_len < COUNTER_FROM:
            return ""
        return f"{self.draft_len:,} / {MAX_CHARS:,}"

    @rx.var
    def over_limit(self) -> bool:
        return self.draft_len > MAX_CHARS

    # ------------------------------------------------------------------ identity

    def _who(self) -> Who:
        """Who is chatting, checked again (raises a ServiceError when they may not)."""
        raise NotImplementedError

    def _refused(self, error: ServiceError) -> None:
        """A message was refused (the public page shows its gate again on lost access)."""
        self.error = error.message

    def _start(self, session, who: Who):
        return conversations.start_conversation(
            session, who.agent_id, who.visitor_key, member=who.member, ip=who.ip
        )

    # ------------------------------------------------------------------ loading

    def _welcome_lines(self) -> list[ChatLine]:
        return [ChatLine(id=0, role="agent", content=self.welcome)] if self.welcome else []

    def _fill_chats(self, session, who: Who, *, open_latest: bool) -> None:
        summaries = conversations.list_conversations(
            session, who.agent_id, who.visitor_key, member=who.member
        )
        self.chats = [item_of(s) for s in summaries]
        if open_latest and self.chats:
            self._open(session, who, self.chats[0].id)
        elif open_latest:
            self._reset()

    def _open(self, session, who: Who, conversation_id: int) -> None:
        views = conversations.messages(
            session, who.agent_id, who.visitor_key, conversation_id, member=who.member
        )
        self.conversation_id = conversation_id
        self.lines = [line_of(v) for v in views if v.role in ("visitor", "agent", "member")]
        self.error, self.captured = "", []

    def _reset(self) -> None:
        self.conversation_id = 0
        self.lines = self._welcome_lines()
        self.error, self.captured, self.streaming = "", [], ""

    # ------------------------------------------------------------------ events

    @rx.event
    def new_chat(self):
        if self.replying:
            return
        self._reset()
        return rx.set_focus(INPUT_ID)

    @rx.event
    def open_chat(self, conversation_id: int):
        if self.replying:
            return
        try:
            who = self._who()
            with session_scope(read_only=True) as session:
                self._open(session, who, int(conversation_id))
        except (ServiceError, ValueError, TypeError):
            self.error = "This conversation is not available."

    @rx.event
    def set_draft(self, value: str):
        self.draft_len = len(str(value or ""))
        if self.error and not self.replying:
            self.error = ""

    @rx.event
    def feedback(self, message_id: int, value: str):
        try:
            message_id = int(message_id)
        except (TypeError, ValueError):
            return
        line = next((x for x in self.lines if x.id == message_id and x.role == "agent"), None)
        if line is None or value not in ("like", "dislike"):
            return
        new = "" if line.feedback == value else value
        try:
            who = self._who()
            with session_scope() as session:
                conversations.set_feedback(
                    session, who.agent_id, who.visitor_key, message_id, new, member=who.member
                )
        except ServiceError as error:
            self.error = error.message
            return
        self.lines = [
            ChatLine(x.id, x.role, x.content, new, x.status, x.time) if x.id == message_id else x
            for x in self.lines
        ]

    @rx.event
    def copy(self, message_id: int):
        line = next((x for x in self.lines if str(x.id) == str(message_id)), None)
        if line is None:
            return
        return [rx.set_clipboard(line.content), rx.toast.success("Copied", duration=1500)]

    @rx.event(background=True)
    async def send(self, form_data: dict):
        text = str((form_data or {}).get("message") or "")[: MAX_CHARS * 4]
        async with self:
            if self.replying:
                return
            try:
                who = self._who()
            except ServiceError as error:
                self._refused(error)
                return
            if not text.strip():
                self.error = "Please type a message."
                return
            if len(text.strip()) > MAX_CHARS:
                self.error = "Messages can be at most 4,000 characters."
                return
            self.replying, self.typing, self.streaming, self.error = True, True, "", ""
            self.captured = []
            conversation_id = self.conversation_id
        try:
            if not conversation_id:
                with session_scope() as session:
                    conversation_id = self._start(session, who).id
                async with self:
                    self.conversation_id = conversation_id
            events = turn.chat_turn(
                who.agent_id,
                who.visitor_key,
                conversation_id,
                text,
                ip=who.ip,
                member=who.member,
            )
            pending = ""
            async for event in _stream(events):
                if isinstance(event, Delta):
                    pending += event.text
                    continue
                if isinstance(event, Accepted):
                    async with self:
                        self.lines = [*self.lines, line_of(event.visitor)]
                        self.draft_len = 0
                    yield rx.call_script(
                        f"(() => {{ const el = document.getElementById('{INPUT_ID}');"
                        " if (el) { el.value = ''; } })()"
                    )
                    continue
                if pending and (event is None or isinstance(event, Done)):
                    async with self:
                        self.streaming += pending
                        self.typing = False
                    pending = ""
                if isinstance(event, Done):
                    async with self:
                        self.lines = [*self.lines, line_of(event.reply)]
                        self.captured = [str(c) for c in (event.captured or [])]
                        self.streaming, self.typing = "", False
        except ServiceError as error:
            async with self:
                self._refused(error)
        except Exception:
            log.exception("chat turn failed")
            async with self:
                self.error = GENERIC_ERROR
        finally:
            async with self:
                self.replying, self.typing, self.streaming = False, False, ""
                with contextlib.suppress(ServiceError):
                    who = self._who()
                    with session_scope(read_only=True) as session:
                        self._fill_chats(session, who, open_latest=False)
