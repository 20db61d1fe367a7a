"""CRM → Forms → one form → Submissions: filters, pages and the detail drawer."""

from __future__ import annotations

from datetime import date
from urllib.parse import urlencode

import reflex as rx

from crm_app import routes
from crm_app.services import forms as form_service
from crm_app.services.errors import NotFound, ValidationError
from crm_app.state.base import DialogFlags, route_param, shows_errors
from crm_app.state.dto import pick_all
from crm_app.state.forms.common import (
    FormsBase,
    SubmissionColumn,
    SubmissionDetail,
    SubmissionRow,
    form_path,
    submission_detail,
)

# ------------------------------------------------------------------ submissions


class SubmissionsState(DialogFlags, FormsBase):
    form_id: str = ""
    form_name: str = ""
    form_status: str = ""
    columns: list[SubmissionColumn] = []
    items: list[SubmissionRow] = []
    total: int = 0
    page: int = 1
    pages: int = 1
    counts: dict[str, int] = {}
    status_filter: str = "New+Reviewed"
    search: str = ""
    date_from: str = ""
    date_to: str = ""
    filter_error: str = ""
    drawer_open: bool = False
    detail: SubmissionDetail = SubmissionDetail()
    can_export: bool = False

    @rx.var
    def builder_href(self) -> str:
        return form_path(routes.FORM_BUILDER, route_param(self.router, "agent_id"), self.form_id)

    @rx.var
    def contact_base(self) -> str:
        return routes.CONTACT.replace("[agent_id]", route_param(self.router, "agent_id")).replace(
            "[contact_id]", ""
        )

    @rx.var
    def export_href(self) -> str:
        query = {"status": self._status_param()}
        for key, value in (("search", self.search), ("from", self.date_from), ("to", self.date_to)):
            if value:
                query[key] = value
        return (
            routes.API_FORM_EXPORT.format(
                agent_id=route_param(self.router, "agent_id"), form_id=self.form_id
            )
            + "?"
            + urlencode(query)
        )

    def _status_param(self) -> str:
        return {"New+Reviewed": "", "All": "All"}.get(self.status_filter, self.status_filter)

    def _query(self) -> form_service.SubmissionQuery:
        def parse(raw: str, name: str):
            if not raw:
                return None
            try:
                return date.fromisoformat(raw)
            except ValueError:
                raise ValidationError("Use a date like 2026-03-31.", field=name) from None

        return form_service.SubmissionQuery(
            status=self._status_param(),
            search=self.search,
            date_from=parse(self.date_from, "from"),
            date_to=parse(self.date_to, "to"),
            page=self.page,
        )

    def _refresh(self, session, actor) -> None:
        agent, form = form_service.form_of(session, actor, self._agent_id(), self._form_id())
        self.form_id, self.form_name, self.form_status = str(form.id), form.name, form.status
        self.agent_name = agent.name
        self.can_export = actor.is_admin
        try:
            query = self._query()
            self.filter_error = ""
        except ValidationError as error:
            self.filter_error = error.message
            query = form_service.SubmissionQuery(status=self._status_param(), search=self.search)
        view = form_service.list_submissions(session, actor, agent.id, form.id, query)
        self.columns = pick_all(SubmissionColumn, view["columns"])
        self.items = pick_all(SubmissionRow, view["items"])
        self.total, self.page, self.pages, self.counts = (
            view["total"],
            view["page"],
            view["pages"],
            view["counts"],
        )
        self.load_error = ""
        self.loaded = True

    @shows_errors
    def _reload(self):
        try:
            with self.unit() as (session, actor):
                self._refresh(session, actor)
        except NotFound as error:
            self.loaded, self.load_error, self.items = True, error.message, []

    @rx.event
    def load(self):
        self.drawer_open, self.page = False, 1
        return self._reload()

    @rx.event
    def set_status_filter(self, value: str):
        if value in ("New+Reviewed", "New", "Reviewed", "Spam", "All"):
            self.status_filter, self.page = value, 1
            return self._reload()

    @rx.event
    def set_search(self, value: str):
        self.search, self.page = str(value or "")[:100], 1
        return self._reload()

    @rx.event
    def set_date_from(self, value: str):
        self.date_from, self.page = str(value or "")[:10], 1
        return self._reload()

    @rx.event
    def set_date_to(self, value: str):
        self.date_to, self.page = str(value or "")[:10], 1
        return self._reload()

    @rx.event
    def go_page(self, delta: int):
        self.page = max(1, min(self.pages, self.page + int(delta)))
        return self._reload()

    @rx.event
    @shows_errors
    def open_detail(self, submission_id: str):
        with self.unit() as (session, actor):
            self.detail = submission_detail(
                form_service.submission_detail(
                    session, actor, self._agent_id(), self.form_id, str(submission_id)
                )
            )
        self.drawer_open = True

    @shows_errors
    def _act(self, action, success: str):
        sid = self.detail.id
        with self.unit() as (session, actor):
            action(session, actor, self._agent_id(), self.form_id, sid)
            self.detail = submission_detail(
                form_service.submission_detail(session, actor, self._agent_id(), self.form_id, sid)
            )
            self._refresh(session, actor)
        return rx.toast.success(success)

    @rx.event
    def mark_reviewed(self):
        return self._act(form_service.mark_reviewed, "Marked as reviewed.")

    @rx.event
    def release(self):
        return self._act(
            form_service.release_from_spam, "Released from spam. It now counts as a submission."
        )
