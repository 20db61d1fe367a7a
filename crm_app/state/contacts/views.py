"""The contacts list's saved views: the member's named filters, sort and columns.
A mixin of `ContactsState` (it reads and sets the list's query and columns)."""

from __future__ import annotations

import reflex as rx

from crm_app.services import saved_views
from crm_app.state.base import shows_errors
from crm_app.state.dto import SavedView, pick_all


class SavedViews(rx.State, mixin=True):
    views: list[SavedView] = []
    current_view: str = ""
    view_dialog_open: bool = False
    view_name: str = ""
    view_error: str = ""

    def _load_views(self, session, actor, agent_id: int | None) -> None:
        self.views = pick_all(SavedView, saved_views.list_views(session, actor, agent_id))

    @rx.event
    @shows_errors
    def apply_view(self, view_id: str):
        view = next((v for v in self.views if str(v.id) == view_id), None)
        if view is None:
            return rx.toast.error("View not found.")
        self._show_query(saved_views.query_from_dict(view.query))
        self._show_columns(view.columns)
        self.current_view = view_id
        self._reset_selection()
        self._to_first_page()
        return type(self).refresh

    @rx.event
    def open_view_dialog(self):
        self.view_dialog_open, self.view_error = True, ""
        self.view_name = next((v.name for v in self.views if str(v.id) == self.current_view), "")

    @rx.event
    def set_view_name(self, value: str):
        self.view_name, self.view_error = str(value)[:80], ""

    @rx.event
    @shows_errors(fields="view_error")
    def save_view(self):
        with self.unit() as (session, actor):
            agent_id = self.route_agent_id()
            view = saved_views.save_view(
                session, actor, agent_id, self.view_name, self._query(), self.visible
            )
            self._load_views(session, actor, agent_id)
        self.current_view = str(view["id"])
        self.view_dialog_open = False
        return rx.toast.success(f"View “{view['name']}” saved")

    @rx.event
    @shows_errors
    def delete_view(self):
        if not self.current_view.isdigit():
            return None
        with self.unit() as (session, actor):
            agent_id = self.route_agent_id()
            saved_views.delete_view(session, actor, agent_id, int(self.current_view))
            self._load_views(session, actor, agent_id)
        self.current_view = ""
        return rx.toast.success("View deleted")
