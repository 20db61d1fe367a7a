"""CRM → Data requests: visitors' erasure requests (services/erasure_requests.py), and the
sidebar's "Data requests" link with its count of open ones.

Owners and Admins only (the service checks organization, agent and role on every event);
the browser sends back only request ids the page was given.
"""

from __future__ import annotations

import dataclasses

import reflex as rx

from crm_app.services import erasure_requests as service
from crm_app.services.errors import NotFound, PermissionDenied, ServiceError
from crm_app.state.base import AppState, BrowserTimeZone, DialogFlags, shows_errors
from crm_app.state.dto import pick_all

TABS = ("open", "handled")


@dataclasses.dataclass
class RequestRow:
    id: str = ""
    contact_id: str = ""
    name: str = ""
    email: str = ""
    status: str = ""
    requested: str = ""
    handled: str = ""
    handled_by: str = ""


class DataRequestsNavState(AppState):
    """The sidebar link: shown once the agent has had a request, with the open count."""

    nav_agent: str = ""  # the agent the numbers are about
    nav_shown: bool = False
    open_count: int = 0

    def _count(self) -> None:
        key = self.current_agent_key
        self.nav_agent, self.nav_shown, self.open_count = key, False, 0
        if not key.isdigit():
            return
        try:
            with self.unit(read_only=True) as (session, actor):
                self.open_count = service.count_open(session, actor, int(key))
                self.nav_shown = service.has_any(session, actor, int(key))
        except ServiceError:
            pass  # not the member's agent, or signed out: the shell deals with that

    @rx.event
    def load_nav(self):
        self._count()


class DataRequestsState(DialogFlags, BrowserTimeZone, AppState):
    loaded: bool = False
    load_error: str = ""
    tab: str = "open"
    rows: list[RequestRow] = []
    open_total: int = 0
    erase_open: bool = False
    erase_id: str = ""
    erase_name: str = ""
    busy: bool = False

    def _fill(self) -> None:
        with self.unit(read_only=True) as (session, actor):
            agent_id = self.route_agent_id()
            self.rows = pick_all(
                RequestRow,
                service.list_requests(session, actor, agent_id, self.tab, tz_name=self._tz_name),
            )
            self.open_total = service.count_open(session, actor, agent_id)

    def _refill(self) -> None:
        self._fill()

    async def _sync_nav(self) -> None:
        nav = await self.get_state(DataRequestsNavState)
        nav.open_count, nav.nav_shown = self.open_total, True
        nav.nav_agent = self.current_agent_key

    @rx.event
    def load(self):
        self.loaded, self.load_error, self.tab, self.rows = False, "", "open", []
        self.erase_open, self.busy = False, False
        try:
            self._fill()
        except (NotFound, PermissionDenied) as error:
            self.load_error = error.message
        except ServiceError as error:
            self.loaded = True
            return rx.toast.error(error.message)
        self.loaded = True
        return self._ask_time_zone() if not self.load_error else None

    @rx.event
    @shows_errors
    def set_tab(self, tab: str | list[str]):
        self.tab = tab if tab in TABS else "open"
        self._fill()

    @rx.event
    def ask_erase(self, request_id: str, name: str):
        self.erase_id, self.erase_name = str(request_id), str(name)[:200]
        self.erase_open = True

    @rx.event
    @shows_errors
    async def erase(self):
        self.busy = True
        try:
            with self.unit() as (session, actor):
                service.erase(session, actor, self.route_agent_id(), self.erase_id)
        finally:
            self.busy = False
            self.erase_open = False
        self._fill()
        await self._sync_nav()
        return rx.toast.success("Contact erased. The request is closed.")

    @rx.event
    @shows_errors
    async def dismiss(self, request_id: str):
        with self.unit() as (session, actor):
            service.dismiss(session, actor, self.route_agent_id(), str(request_id))
        self._fill()
        await self._sync_nav()
        return rx.toast.success("Request dismissed. The contact was kept.")
