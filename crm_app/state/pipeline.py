"""CRM → Contacts → Pipeline: the contacts as a kanban board by stage.

The board shows what the contacts list shows: the list's filters of the same agent (its
stage filter aside — the board is by stage) plus the board's own search, with a "Clear
filters" that clears them on the list too. The browser holds the columns' display cards only. Every handler re-checks the member and
the agent through the services (a card id or stage id from the browser may belong to
anyone), and every answer bumps `revision`, which drops the board's local (optimistic) moves.
"""

from __future__ import annotations

import dataclasses

import reflex as rx

from crm_app import routes
from crm_app.services import pipeline
from crm_app.services.contact_list import ListQuery
from crm_app.services.errors import NotFound, ServiceError
from crm_app.state.base import AppState, shows_errors
from crm_app.state.contacts import ContactsState
from crm_app.state.dto import pick, pick_all

SEARCH_ID = "pipeline-search"


@dataclasses.dataclass
class Card:
    """A contact on the board (`stage_id`: the key of its column)."""

    id: str = ""
    title: str = ""
    email: str = ""
    phone: str = ""
    owner: str = ""
    owner_initials: str = ""
    source: str = ""
    created: str = ""
    stage_id: str = ""


@dataclasses.dataclass
class BoardColumn:
    """A column of the board: a stage (or "No stage", not a drop target), its total and the
    cards shown so far."""

    id: str = ""
    name: str = ""
    count: int = 0
    droppable: bool = False
    cards: list[Card] = dataclasses.field(default_factory=list)


def _column(data: dict) -> BoardColumn:
    column = pick(BoardColumn, data)
    column.cards = pick_all(Card, data.get("cards") or [])
    return column


class PipelineState(AppState):
    columns: list[BoardColumn] = []
    revision: int = 0
    search: str = ""
    list_filters: int = 0  # filters of the contacts list applied to the board
    loaded: bool = False
    not_found: bool = False
    contacts_href: str = ""  # the list page of this agent ("List" button; cards add "/<id>")
    card_href: str = ""

    @rx.var
    def total(self) -> int:
        return sum(c.count for c in self.columns)

    @rx.var
    def summary(self) -> str:
        stages = sum(1 for c in self.columns if c.droppable)
        noun = "contact" if self.total == 1 else "contacts"
        return f"{self.total:,} {noun} across {stages} stages"

    # ------------------------------------------------------------ loading

    async def _query(self) -> ListQuery:
        contacts = await self.get_state(ContactsState)
        query, self.list_filters = contacts._board_query(self.route_agent_id())
        query.search = self.search[:200]
        return query

    def _per_stage(self) -> int:
        """Keep what "Load more" already opened when the board is reloaded."""
        shown = max((len(c.cards) for c in self.columns), default=0)
        return min(max(pipeline.PER_STAGE, shown), pipeline.MAX_PER_STAGE)

    def _reload(self, session, actor, query: ListQuery) -> None:
        self.columns = [
            _column(c)
            for c in pipeline.board(session, actor, self.route_agent_id(), query, self._per_stage())
        ]
        self.revision += 1

    @rx.event
    def load_page(self):
        """on_load: the shell, then the board."""
        redirect = self.load_shell()
        if redirect is not None:
            return redirect
        self.columns = []
        self.loaded = False
        self.contacts_href = routes.agent_path(routes.CONTACTS, self.route_agent_id() or 0)
        self.card_href = self.contacts_href + "/"
        return PipelineState.refresh

    @rx.event
    @shows_errors
    async def refresh(self):
        query = await self._query()
        try:
            with self.unit() as (session, actor):
                self._reload(session, actor, query)
            self.not_found = False
        except NotFound:
            self.columns, self.not_found = [], True
            raise
        finally:
            self.loaded = True

    @rx.event
    def set_search(self, value: str):
        self.search = str(value)[:200]
        return PipelineState.refresh

    @rx.event
    async def clear_filters(self):
        """The list's filters (and both searches) off: the whole pipeline."""
        contacts = await self.get_state(ContactsState)
        contacts._reset_filters()
        self.search = ""
        return [rx.set_value(SEARCH_ID, ""), PipelineState.refresh]

    # ------------------------------------------------------------ board events

    @rx.event
    @shows_errors
    async def move_card(self, payload: list[str]):
        """A card dropped into another column (or moved with its "Move to…" menu)."""
        if not isinstance(payload, (list, tuple)) or len(payload) != 2:
            return rx.toast.error("That move could not be read. Please try again.")
        contact_id, stage_key = (str(p)[:40] for p in payload)
        query = await self._query()
        try:
            with self.unit() as (session, actor):
                moved = pipeline.move_to_stage(
                    session, actor, self.route_agent_id(), contact_id, stage_key
                )
                self._reload(session, actor, query)
        except ServiceError:
            self.revision += 1  # the card goes back where the server has it
            raise
        if not moved:
            return None
        title, stage = self._card_title(contact_id), self._column_name(stage_key)
        return rx.toast.success(
            f"Moved {title} to {stage}." if title and stage else "Stage updated."
        )

    @rx.event
    @shows_errors
    async def load_more(self, payload: list[str]):
        """A column's "Load more": its next cards after the ones shown."""
        key = str(payload[0])[:20] if isinstance(payload, (list, tuple)) and payload else ""
        column = next((c for c in self.columns if c.id == key), None)
        if column is None:
            return rx.toast.error("Stage not found.")
        query = await self._query()
        with self.unit() as (session, actor):
            more = pipeline.more_cards(
                session, actor, self.route_agent_id(), query, key, len(column.cards)
            )
        known = {c.id for c in column.cards}
        cards = list(column.cards) + [m for m in pick_all(Card, more) if m.id not in known]
        self.columns = [
            dataclasses.replace(c, cards=cards) if c.id == key else c for c in self.columns
        ]

    # ------------------------------------------------------------ helpers

    def _card_title(self, contact_id: str) -> str:
        for column in self.columns:
            for card in column.cards:
                if card.id == contact_id:
                    return card.title
        return ""

    def _column_name(self, key: str) -> str:
        return next((c.name for c in self.columns if c.id == key), "")
