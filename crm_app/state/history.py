"""Agent → History: users → their chats → a transcript, and Revise Answer.

Every handler opens `self.unit()` and calls one service of services/chat/history/ with the
routed agent id; the service checks organization, agent and role. The browser only ever
sends keys the service itself gave (a user key, a conversation or message id) and gets
"not found" for anything out of reach. On phones one pane shows at a time (`pane`).
"""

from __future__ import annotations

import dataclasses

import reflex as rx

from crm_app import routes
from crm_app.services.chat import history as history_service
from crm_app.services.errors import NotFound
from crm_app.state.base import AppState, BrowserTimeZone, DialogFlags, shows_errors
from crm_app.state.dto import TranscriptMessage, pick, pick_all

PANES = ("users", "chats", "transcript")


@dataclasses.dataclass
class HistoryUserRow:
    key: str = ""
    name: str = ""
    contact_id: str = ""
    time: str = ""
    chats: int = 0
    test: bool = False


@dataclasses.dataclass
class ChatRow:
    id: str = ""
    title: str = ""
    time: str = ""
    messages: int = 0
    test: bool = False


def _row(cls, item):
    return pick(cls, dataclasses.asdict(item))


class HistoryState(DialogFlags, BrowserTimeZone, AppState):
    loaded: bool = False
    load_error: str = ""
    can_revise: bool = False
    search: str = ""
    limit: int = history_service.LIMIT
    users: list[HistoryUserRow] = []
    more: bool = False

    user: HistoryUserRow = HistoryUserRow()  # the selected user ("" key: none)
    chats: list[ChatRow] = []
    chat: ChatRow = ChatRow()  # the open chat ("" id: none)
    messages: list[TranscriptMessage] = []
    pane: str = "users"  # on phones: the one pane shown
    contact_href: str = ""  # the selected user's contact page ("" for anonymous visitors)

    revise_open: bool = False
    revise_message_id: int = 0
    revise_question: str = ""
    revise_current: str = ""
    revise_draft: str = ""
    revise_error: str = ""

    # ------------------------------------------------------------------ loading

    def _tz(self) -> str:
        return self._tz_name

    def _fill_users(self, session, actor) -> None:
        found = history_service.history_users(
            session, actor, self.route_agent_id(), self.search, limit=self.limit, tz_name=self._tz()
        )
        self.users = [_row(HistoryUserRow, u) for u in found.users]
        self.more = found.more
        self.can_revise = actor.is_admin

    def _fill_chats(self, session, actor, key: str | None = None) -> None:
        found = history_service.history_chats(
            session,
            actor,
            self.route_agent_id(),
            self.user.key if key is None else key,
            tz_name=self._tz(),
        )
        self.user = _row(HistoryUserRow, found.user)
        self.chats = [_row(ChatRow, c) for c in found.chats]
        self.contact_href = (
            routes.agent_path(routes.CONTACT, self.route_agent_id()).replace(
                "[contact_id]", self.user.contact_id
            )
            if self.user.contact_id
            else ""
        )

    def _fill_transcript(self, session, actor, chat: ChatRow | None = None) -> None:
        found = history_service.history_transcript(
            session, actor, self.route_agent_id(), (chat or self.chat).id, tz_name=self._tz()
        )
        if chat is not None:
            self.chat = chat
        self.messages = pick_all(TranscriptMessage, [dataclasses.asdict(m) for m in found.messages])

    def _refill(self) -> None:
        with self.unit(read_only=True) as (session, actor):
            self._fill_users(session, actor)
            if self.user.key:
                self._fill_chats(session, actor)
            if self.chat.id:
                self._fill_transcript(session, actor)

    @rx.event
    @shows_errors
    def load(self):
        self.loaded, self.load_error = False, ""
        self.search, self.limit, self.more = "", history_service.LIMIT, False
        self.users, self.chats, self.messages = [], [], []
        self.user, self.chat, self.pane = HistoryUserRow(), ChatRow(), "users"
        self.contact_href = ""
        self.revise_open = False
        try:
            with self.unit(read_only=True) as (session, actor):
                self._fill_users(session, actor)
        except NotFound as error:
            self.load_error = error.message
        self.loaded = True
        return self._ask_time_zone() if not self.load_error else None

    @rx.event
    @shows_errors
    def set_search(self, value: str):
        self.search = str(value or "")[: history_service.SEARCH_MAX]
        self.limit = history_service.LIMIT
        with self.unit(read_only=True) as (session, actor):
            self._fill_users(session, actor)

    @rx.event
    @shows_errors
    def show_more(self):
        self.limit = min(self.limit + history_service.LIMIT, history_service.MAX_LIMIT)
        with self.unit(read_only=True) as (session, actor):
            self._fill_users(session, actor)

    @rx.event
    @shows_errors
    def select_user(self, key: str):
        with self.unit(read_only=True) as (session, actor):
            self._fill_chats(session, actor, str(key)[:100])
        self.chat, self.messages = ChatRow(), []
        self.pane = "chats"

    @rx.event
    @shows_errors
    def select_chat(self, conversation_id: str):
        chat = next((c for c in self.chats if c.id == str(conversation_id)), None)
        if chat is None:
            return rx.toast.error("Conversation not found.")
        with self.unit(read_only=True) as (session, actor):
            self._fill_transcript(session, actor, chat)
        self.pane = "transcript"

    @rx.event
    @shows_errors
    def refresh(self):
        """Pull in new messages (and chats, and users) of conversations still going on."""
        self._refill()
        return rx.toast.success("Up to date")

    @rx.event
    def show_pane(self, pane: str):
        if pane in PANES:
            self.pane = pane

    # ------------------------------------------------------------------ Revise Answer

    @rx.event
    def open_revise(self, message_id: int):
        message = next((m for m in self.messages if m.id == message_id), None)
        if message is None or message.role != "agent" or not self.can_revise:
            return
        self.revise_message_id = message.id
        self.revise_question = message.question
        self.revise_current = message.content
        self.revise_draft = message.revised or message.content
        self.revise_error = ""
        self.revise_open = True

    @rx.event
    @shows_errors(fields="revise_error")
    def submit_revise(self, form_data: dict | None = None):
        answer = (form_data or {}).get("answer")
        answer = answer if isinstance(answer, str) else self.revise_draft
        self.revise_draft = answer[: history_service.ANSWER_MAX + 1]
        with self.unit() as (session, actor):
            history_service.revise_answer(
                session, actor, self.route_agent_id(), self.revise_message_id, self.revise_draft
            )
        self.revise_open = False
        with self.unit(read_only=True) as (session, actor):
            self._fill_transcript(session, actor)
        return rx.toast.success("Answer revised. The agent will use it for this question.")
