"""CRM → Forms: the forms list, the builder and the submissions view.

Thin states: every handler opens `self.unit()` (the member is checked again), reads the
agent and form from the page route, calls services/forms/ and copies small DTOs back.
Admins and Owners edit; Users read; another organization's member gets "Agent not found".
"""

from __future__ import annotations

import copy
from datetime import date
from typing import Any
from urllib.parse import urlencode

import reflex as rx

from crm_app import routes
from crm_app.services import forms as form_service
from crm_app.services.errors import NotFound, ServiceError, ValidationError
from crm_app.state.base import AppState, error_toast, route_param

PALETTE = [{"type": t, "label": label} for t, label in form_service.ELEMENT_TYPES.items()]
PALETTE_ICONS = {
    "short_text": "type",
    "long_text": "align-left",
    "email": "mail",
    "phone": "phone",
    "number": "hash",
    "date": "calendar",
    "dropdown": "chevron-down",
    "radio": "circle-dot",
    "checkboxes": "square-check",
    "consent": "shield-check",
    "file": "paperclip",
    "heading": "heading",
    "paragraph": "pilcrow",
}
FORM_ONLY = "__form_only__"


def _plain(value):
    """Plain dicts and lists from Reflex's mutable proxies (services check Mapping/list types)."""
    value = getattr(value, "__wrapped__", value)
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def _form_path(route: str, agent_id, form_id) -> str:
    return route.replace("[agent_id]", str(agent_id)).replace("[form_id]", str(form_id))


class _FormsBase(AppState):
    load_error: str = ""
    loaded: bool = False
    can_edit: bool = False
    agent_name: str = ""

    def _agent_id(self) -> int | None:
        return self.route_agent_id()

    def _form_id(self) -> str:
        raw = route_param(self.router, "form_id")
        return raw if raw.isdigit() else ""


# ------------------------------------------------------------------ list


class FormsListState(_FormsBase):
    forms: list[dict] = []
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
        self.forms = form_service.list_forms(session, actor, agent_id)
        from crm_app.models import Agent

        agent = session.get(Agent, agent_id)
        self.agent_name = agent.name if agent else ""
        self.can_edit = actor.is_admin
        self.load_error = ""
        self.loaded = True

    @rx.event
    def load(self):
        self.create_open = self.share_open = self.delete_open = False
        try:
            with self.unit() as (session, actor):
                self._refresh(session, actor)
        except NotFound as error:
            self.forms, self.loaded, self.load_error = [], True, error.message
        except ServiceError as error:
            return error_toast(error)

    @rx.event
    def open_create(self):
        self.new_name, self.new_name_error, self.create_open = "", "", True

    @rx.event
    def set_create_open(self, value: bool):
        self.create_open = bool(value)

    @rx.event
    def create(self, form_data: dict):
        name = str((form_data or {}).get("name", ""))
        try:
            with self.unit() as (session, actor):
                form = form_service.create_form(session, actor, self._agent_id(), name)
                form_id = form.id
        except ValidationError as error:
            self.new_name_error = error.message
            return
        except ServiceError as error:
            return error_toast(error)
        self.create_open = False
        return rx.redirect(_form_path(routes.FORM_BUILDER, self._agent_id(), form_id))

    @rx.event
    def duplicate(self, form_id: str):
        try:
            with self.unit() as (session, actor):
                copy_ = form_service.duplicate_form(session, actor, self._agent_id(), str(form_id))
                name = copy_.name
                self._refresh(session, actor)
        except ServiceError as error:
            return error_toast(error)
        return rx.toast.success(f"Created “{name}” as a draft.")

    @rx.event
    def ask_delete(self, form_id: str):
        match = next((f for f in self.forms if f["id"] == str(form_id)), None)
        if match is None:
            return rx.toast.error("Form not found.")
        self.delete_id, self.delete_name, self.delete_open = match["id"], match["name"], True

    @rx.event
    def set_delete_open(self, value: bool):
        self.delete_open = bool(value)

    @rx.event
    def confirm_delete(self):
        try:
            with self.unit() as (session, actor):
                form_service.delete_form(session, actor, self._agent_id(), self.delete_id)
                self._refresh(session, actor)
        except ServiceError as error:
            return error_toast(error)
        self.delete_open = False
        return rx.toast.success(f"Deleted “{self.delete_name}” and its submissions.")

    @rx.event
    def open_share(self, form_id: str):
        try:
            with self.unit() as (session, actor):
                _, form = form_service.form_of(session, actor, self._agent_id(), str(form_id))
                links = form_service.share_links(form)
                self.share_name, self.share_status = form.name, form.status
        except ServiceError as error:
            return error_toast(error)
        self.share_url, self.share_embed, self.share_qr = links["url"], links["embed"], links["qr"]
        self.share_open = True

    @rx.event
    def set_share_open(self, value: bool):
        self.share_open = bool(value)


# ------------------------------------------------------------------ builder


class FormBuilderState(_FormsBase):
    form_id: str = ""
    name: str = ""
    slug: str = ""
    status: str = ""
    version: int = 0
    unpublished: bool = False
    tab: str = "build"
    elements: list[dict[str, Any]] = []
    selected_id: str = ""
    fields: list[dict[str, str]] = []
    archived_fields: list[dict[str, str]] = []
    settings: dict[str, str] = {}
    errors: dict[str, str] = {}
    share_url: str = ""
    share_embed: str = ""
    share_qr: str = ""
    name_draft: str = ""

    # ---------------------------------------------------------------- derived

    @rx.var
    def element_ids(self) -> list[str]:
        return [e["id"] for e in self.elements]

    @rx.var
    def element_labels(self) -> dict[str, str]:
        return {
            e["id"]: e["label"] or form_service.ELEMENT_TYPES.get(e["type"], "element")
            for e in self.elements
        }

    @rx.var
    def selected(self) -> dict[str, Any]:
        for element in self.elements:
            if element["id"] == self.selected_id:
                return element
        return {}

    @rx.var
    def selected_options_text(self) -> str:
        return "\n".join(self.selected.get("options") or [])

    @rx.var
    def selected_maps_to(self) -> str:
        return self.selected.get("maps_to") or FORM_ONLY

    @rx.var
    def selected_kind(self) -> str:
        """display | text | number | choice | plain (what the properties panel shows)."""
        t = self.selected.get("type", "")
        if t in form_service.DISPLAY_TYPES:
            return "display"
        if t in form_service.TEXT_TYPES:
            return "text"
        if t == "number":
            return "number"
        if t in form_service.CHOICE_TYPES:
            return "choice"
        return "plain"

    @rx.var
    def selected_options_from(self) -> str:
        """The label of the contact field whose options the selected choice element offers
        (then read-only here: they follow the field), or ""."""
        element = self.selected
        if element.get("type") not in form_service.CHOICE_TYPES:
            return ""
        target = next((f for f in self.fields if f["key"] == element.get("maps_to")), None)
        return (
            target["label"] if target and target["type"] in form_service.OPTION_FIELD_TYPES else ""
        )

    @rx.var
    def crm_settings_href(self) -> str:
        return routes.CRM_SETTINGS.replace("[agent_id]", route_param(self.router, "agent_id"))

    @rx.var
    def selected_mappable(self) -> bool:
        return self.selected.get("type", "") in form_service.MAPPABLE

    @rx.var
    def map_choices(self) -> list[dict[str, str]]:
        allowed = form_service.MAPPABLE.get(self.selected.get("type", ""), ())
        choices = [{"key": FORM_ONLY, "label": "Form only"}] + [
            {"key": f["key"], "label": f["label"]} for f in self.fields if f["type"] in allowed
        ]
        current = self.selected.get("maps_to") or ""
        archived = next((f for f in self.archived_fields if f["key"] == current), None)
        if archived is not None:
            choices.append({"key": current, "label": archived["label"] + " (archived)"})
        return choices

    @rx.var
    def preview_elements(self) -> list[dict[str, Any]]:
        return form_service.public_elements({"elements": self.elements})

    @rx.var
    def publish_label(self) -> str:
        return "Publish" if self.status == "Draft" else "Publish changes"

    @rx.var
    def submissions_href(self) -> str:
        return _form_path(
            routes.FORM_SUBMISSIONS, route_param(self.router, "agent_id"), self.form_id
        )

    @rx.var
    def forms_href(self) -> str:
        return routes.FORMS.replace("[agent_id]", route_param(self.router, "agent_id"))

    # ---------------------------------------------------------------- loading and saving

    def _fill(self, data: dict) -> None:
        self.form_id = data["id"]
        self.name, self.slug, self.status = data["name"], data["slug"], data["status"]
        self.version, self.unpublished = data["version"], data["unpublished"]
        self.elements = data["draft"]["elements"]
        self.settings = {
            k: "" if v is None else str(v) for k, v in data["draft"]["settings"].items()
        }
        if self.settings.get("limit") == "0":
            self.settings["limit"] = ""
        self.fields = data["fields"]
        self.archived_fields = data["archived_fields"]
        self.can_edit = data["can_edit"]
        self.agent_name = data["agent_name"]
        if self.selected_id not in {e["id"] for e in self.elements}:
            self.selected_id = self.elements[0]["id"] if self.elements else ""
        self.load_error = ""
        self.loaded = True

    def _draft(self) -> dict:
        return {"elements": self.elements, "settings": dict(self.settings)}

    @rx.event
    def load(self):
        self.tab, self.errors = "build", {}
        try:
            with self.unit() as (session, actor):
                self._fill(
                    form_service.builder_data(session, actor, self._agent_id(), self._form_id())
                )
                _, form = form_service.form_of(session, actor, self._agent_id(), self._form_id())
                links = form_service.share_links(form)
                self.name_draft = self.name
        except NotFound as error:
            self.loaded, self.load_error, self.elements = True, error.message, []
            return
        except ServiceError as error:
            return error_toast(error)
        self.share_url, self.share_embed, self.share_qr = links["url"], links["embed"], links["qr"]

    def _save(self, elements: list[dict] | None = None, settings: dict | None = None):
        """Save the draft with these changes; a validation error stays next to its input."""
        draft = _plain(
            {
                "elements": elements if elements is not None else self.elements,
                "settings": settings if settings is not None else self.settings,
            }
        )
        try:
            with self.unit() as (session, actor):
                cleaned = form_service.save_draft(
                    session, actor, self._agent_id(), self.form_id, draft
                )
                _, form = form_service.form_of(session, actor, self._agent_id(), self.form_id)
                self.unpublished = form_service.has_unpublished_changes(session, form)
        except ValidationError as error:
            if elements is not None:
                self.elements = elements
            if settings is not None:
                self.settings = settings
            self.errors = {error.field or "form": error.message}
            return None
        except ServiceError as error:
            return error_toast(error)
        self.errors = {}
        self.elements = cleaned["elements"]
        self.settings = {k: "" if v is None else str(v) for k, v in cleaned["settings"].items()}
        if self.settings.get("limit") == "0":
            self.settings["limit"] = ""
        return None

    def _index(self, element_id: str) -> int:
        for i, element in enumerate(self.elements):
            if element["id"] == str(element_id):
                return i
        return -1

    # ---------------------------------------------------------------- canvas events

    @rx.event
    def set_tab(self, tab: str):
        if tab in ("build", "preview", "settings", "share"):
            self.tab = tab

    @rx.event
    def select(self, element_id: str):
        if self._index(element_id) >= 0:
            self.selected_id = str(element_id)

    def _insert(self, type_: str, index: int):
        if not self.can_edit:
            return rx.toast.error("Only Owners and Admins can edit forms.")
        if type_ not in form_service.ELEMENT_TYPES:
            return rx.toast.error("Choose an element from the palette.")
        taken = {e.get("maps_to") for e in self.elements}
        element = form_service.new_element(type_, None, taken)
        elements = [dict(e) for e in self.elements]
        index = max(0, min(index, len(elements)))
        elements.insert(index, element)
        result = self._save(elements=elements)
        if not self.errors:
            self.selected_id = element["id"]
        return result

    @rx.event
    def add_element(self, type_: str):
        """Palette button: add below the selected element (or at the end)."""
        at = self._index(self.selected_id)
        return self._insert(str(type_), at + 1 if at >= 0 else len(self.elements))

    @rx.event
    def drop_new(self, payload: list):
        if not isinstance(payload, list) or len(payload) != 2 or not str(payload[1]).isdigit():
            return
        return self._insert(str(payload[0]), int(payload[1]))

    @rx.event
    def reorder(self, ids: list):
        if not self.can_edit or not isinstance(ids, list):
            return
        by_id = {e["id"]: e for e in self.elements}
        if sorted(map(str, ids)) != sorted(by_id):
            return rx.toast.error("The form changed meanwhile; please try again.")
        return self._save(elements=[by_id[str(i)] for i in ids])

    @rx.event
    def move(self, element_id: str, direction: str):
        i = self._index(element_id)
        j = i + (-1 if direction == "up" else 1)
        if not self.can_edit or i < 0 or not 0 <= j < len(self.elements):
            return
        elements = list(self.elements)
        elements[i], elements[j] = elements[j], elements[i]
        self.selected_id = str(element_id)
        return self._save(elements=elements)

    @rx.event
    def duplicate_element(self, element_id: str):
        i = self._index(element_id)
        if not self.can_edit or i < 0:
            return
        clone = copy.deepcopy(self.elements[i])
        clone["id"] = form_service.new_element_id()
        clone["maps_to"] = ""
        elements = list(self.elements)
        elements.insert(i + 1, clone)
        self.selected_id = clone["id"]
        return self._save(elements=elements)

    @rx.event
    def remove_element(self, element_id: str):
        i = self._index(element_id)
        if not self.can_edit or i < 0:
            return
        elements = [e for e in self.elements if e["id"] != str(element_id)]
        if self.selected_id == str(element_id):
            self.selected_id = elements[min(i, len(elements) - 1)]["id"] if elements else ""
        return self._save(elements=elements)

    # ---------------------------------------------------------------- properties and settings

    @rx.event
    def set_prop(self, element_id: str, key: str, value):
        """One property of an element (label, placeholder, help, required, min, max, options
        (one per line), maps_to). The element id travels with the change, so a late (debounced
        or blur) change never lands on an element selected meanwhile."""
        return self._set_prop(element_id, key, value)

    # One handler per debounced text input: a debounce is kept per handler, so inputs sharing
    # one handler would cancel each other's pending change.
    @rx.event
    def set_label(self, element_id: str, value: str):
        return self._set_prop(element_id, "label", value)

    @rx.event
    def set_placeholder(self, element_id: str, value: str):
        return self._set_prop(element_id, "placeholder", value)

    @rx.event
    def set_help(self, element_id: str, value: str):
        return self._set_prop(element_id, "help", value)

    @rx.event
    def set_min(self, element_id: str, value: str):
        return self._set_prop(element_id, "min", value)

    @rx.event
    def set_max(self, element_id: str, value: str):
        return self._set_prop(element_id, "max", value)

    @rx.event
    def set_options(self, element_id: str, value: str):
        return self._set_prop(element_id, "options", value)

    def _set_prop(self, element_id: str, key: str, value):
        i = self._index(str(element_id))
        if (
            not self.can_edit
            or i < 0
            or key
            not in ("label", "placeholder", "help", "required", "min", "max", "options", "maps_to")
        ):
            return
        element = dict(self.elements[i])
        if key == "options":
            value = [line for line in str(value or "").splitlines()]
        elif key == "maps_to":
            value = "" if value == FORM_ONLY else str(value or "")
            if value and any(
                e.get("maps_to") == value for e in self.elements if e["id"] != element["id"]
            ):
                self.errors = {
                    f"{element['id']}.maps_to": "Another question already fills this contact field."
                }
                return
        elif key == "required":
            value = bool(value)
        else:
            value = str(value if value is not None else "")
        element[key] = value
        elements = list(self.elements)
        elements[i] = element
        return self._save(elements=elements)

    @rx.event
    def set_title(self, value: str):
        return self._setting("title", value)

    @rx.event
    def set_description(self, value: str):
        return self._setting("description", value)

    @rx.event
    def set_submit_label(self, value: str):
        return self._setting("submit_label", value)

    @rx.event
    def set_success_message(self, value: str):
        return self._setting("success_message", value)

    @rx.event
    def set_redirect_url(self, value: str):
        return self._setting("redirect_url", value)

    @rx.event
    def set_close_date(self, value: str):
        return self._setting("close_date", value)

    @rx.event
    def set_limit(self, value: str):
        return self._setting("limit", value)

    @rx.event
    def set_setting(self, key: str, value):
        return self._setting(key, value)

    def _setting(self, key: str, value):
        if not self.can_edit or key not in form_service.DEFAULT_SETTINGS:
            return
        settings = dict(self.settings)
        settings[key] = str(value if value is not None else "")
        return self._save(settings=settings)

    @rx.event
    def rename(self, form_data: dict):
        name = str((form_data or {}).get("name", ""))
        try:
            with self.unit() as (session, actor):
                form = form_service.rename_form(
                    session, actor, self._agent_id(), self.form_id, name
                )
                self.name = form.name
        except ValidationError as error:
            self.errors = {"name": error.message}
            return
        except ServiceError as error:
            return error_toast(error)
        self.errors = {}
        return rx.toast.success("Form name saved.")

    # ---------------------------------------------------------------- lifecycle

    def _lifecycle(self, action, success: str):
        try:
            with self.unit() as (session, actor):
                action(session, actor)
                self._fill(
                    form_service.builder_data(session, actor, self._agent_id(), self.form_id)
                )
        except ValidationError as error:
            self.errors = {error.field or "form": error.message}
            if error.field and "." in error.field:
                # The element at fault is selected (its property shows the error) and the
                # header says it too, however far the page is scrolled.
                self.selected_id = error.field.split(".")[0]
                self.tab = "build"
                self.errors["form"] = error.message
            return rx.toast.error(error.message)
        except ServiceError as error:
            return error_toast(error)
        self.errors = {}
        return rx.toast.success(success)

    @rx.event
    def publish(self):
        first = self.status == "Draft"

        def run(session, actor):
            form_service.publish(session, actor, self._agent_id(), self.form_id)

        return self._lifecycle(
            run,
            "Published. Your form is live."
            if first
            else "Changes published. New visitors see the new version.",
        )

    @rx.event
    def close_form(self):
        return self._lifecycle(
            lambda s, a: form_service.set_status(s, a, self._agent_id(), self.form_id, "Closed"),
            "Form closed. Visitors now see a polite closed page.",
        )

    @rx.event
    def reopen_form(self):
        return self._lifecycle(
            lambda s, a: form_service.set_status(s, a, self._agent_id(), self.form_id, "Published"),
            "Form reopened.",
        )


# ------------------------------------------------------------------ submissions


class SubmissionsState(_FormsBase):
    form_id: str = ""
    form_name: str = ""
    form_status: str = ""
    columns: list[dict[str, str]] = []
    items: list[dict[str, Any]] = []
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
    detail: dict[str, Any] = {}
    detail_answers: list[dict[str, str]] = []
    can_export: bool = False

    @rx.var
    def builder_href(self) -> str:
        return _form_path(routes.FORM_BUILDER, route_param(self.router, "agent_id"), self.form_id)

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
        self.columns, self.items = view["columns"], view["items"]
        self.total, self.page, self.pages, self.counts = (
            view["total"],
            view["page"],
            view["pages"],
            view["counts"],
        )
        self.load_error = ""
        self.loaded = True

    def _reload(self):
        try:
            with self.unit() as (session, actor):
                self._refresh(session, actor)
        except NotFound as error:
            self.loaded, self.load_error, self.items = True, error.message, []
        except ServiceError as error:
            return error_toast(error)

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
    def open_detail(self, submission_id: str):
        try:
            with self.unit() as (session, actor):
                self.detail = form_service.submission_detail(
                    session, actor, self._agent_id(), self.form_id, str(submission_id)
                )
        except ServiceError as error:
            return error_toast(error)
        self.detail_answers = self.detail.pop("answers")
        self.drawer_open = True

    @rx.event
    def set_drawer_open(self, value: bool):
        self.drawer_open = bool(value)

    def _act(self, action, success: str):
        sid = self.detail.get("id", "")
        try:
            with self.unit() as (session, actor):
                action(session, actor, self._agent_id(), self.form_id, sid)
                self.detail = form_service.submission_detail(
                    session, actor, self._agent_id(), self.form_id, sid
                )
                self._refresh(session, actor)
        except ServiceError as error:
            return error_toast(error)
        self.detail_answers = self.detail.pop("answers")
        return rx.toast.success(success)

    @rx.event
    def mark_reviewed(self):
        return self._act(form_service.mark_reviewed, "Marked as reviewed.")

    @rx.event
    def release(self):
        return self._act(
            form_service.release_from_spam, "Released from spam. It now counts as a submission."
        )
