"""CRM → Forms: the list of an agent's forms (create, duplicate, share, delete)."""

from __future__ import annotations

import reflex as rx

from crm_app import routes
from crm_app.services import forms as form_service
from crm_app.services.access import require_agent
from crm_app.services.errors import NotFound
from crm_app.state.base import DialogFlags, route_param, shows_errors
from crm_app.state.dto import pick_all
from crm_app.state.forms.common import FormRow, FormsBase, form_path

# ------------------------------------------------------------------ list


class FormsListState(DialogFlags, FormsBase):
    forms: list[FormRow] = []
    create_open: bool = False
    new_name: str = ""
    new_name_error: str = ""
    share_open: bool = False
    share_name: str = ""
    share_url: str = ""
    share_embed: str = ""
    share_qr: str = ""
    share_status: str = ""
    delete_open: bool = False
    delete_id: str = ""
    delete_name: str = ""

    @rx.var
    def agent_key(self) -> str:
        return route_param(self.router, "agent_id")

    def _refresh(self, session, actor) -> None:
        agent_id = self._agent_id()
        self.forms = pick_all(FormRow, form_service.list_forms(session, actor, agent_id))
        self.agent_name = require_agent(session, actor, agent_id).name
        self.can_edit = actor.is_admin
        self.load_error = ""
        self.loaded = True

    @rx.event
    @shows_errors
    def load(self):
        self.create_open = self.share_open = self.delete_open = False
        try:
            with self.unit() as (session, actor):
                self._refresh(session, actor)
        except NotFound as error:
            self.forms, self.loaded, self.load_error = [], True, error.message

    @rx.event
    def open_create(self):
        self.new_name, self.new_name_error, self.create_open = "", "", True

    @rx.event
    @shows_errors(fields="new_name_error")
    def create(self, form_data: dict):
        name = str((form_data or {}).get("name", ""))
        with self.unit() as (session, actor):
            form_id = form_service.create_form(session, actor, self._agent_id(), name).id
        self.create_open = False
        return rx.redirect(form_path(routes.FORM_BUILDER, self._agent_id(), form_id))

    @rx.event
    @shows_errors
    def duplicate(self, form_id: str):
        with self.unit() as (session, actor):
            copy_ = form_service.duplicate_form(session, actor, self._agent_id(), str(form_id))
            name = copy_.name
            self._refresh(session, actor)
        return rx.toast.success(f"Created “{name}” as a draft.")

    @rx.event
    def ask_delete(self, form_id: str):
        match = next((f for f in self.forms if f.id == str(form_id)), None)
        if match is None:
            return rx.toast.error("Form not found.")
        self.delete_id, self.delete_name, self.delete_open = match.id, match.name, True

    @rx.event
    @shows_errors
    def confirm_delete(self):
        with self.unit() as (session, actor):
            form_service.delete_form(session, actor, self._agent_id(), self.delete_id)
            self._refresh(session, actor)
        self.delete_open = False
        return rx.toast.success(f"Deleted “{self.delete_name}” and its submissions.")

    @rx.event
    @shows_errors
    def open_share(self, form_id: str):
        with self.unit() as (session, actor):
            _, form = form_service.form_of(session, actor, self._agent_id(), str(form_id))
            links = form_service.share_links(form)
            self.share_name, self.share_status = form.name, form.status
        self.share_url, self.share_embed, self.share_qr = links["url"], links["embed"], links["qr"]
        self.share_open = True
