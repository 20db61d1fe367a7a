"""CRM → Forms → one form: the builder (loading, saving the draft, publishing)."""

from __future__ import annotations

from typing import Any

import reflex as rx

from crm_app import routes
from crm_app.services import forms as form_service
from crm_app.services.errors import NotFound, ValidationError
from crm_app.state.base import route_param, shows_errors
from crm_app.state.dto import pick_all
from crm_app.state.forms.common import (
    FORM_ONLY,
    FieldChoice,
    FormElement,
    FormsBase,
    element_dicts,
    form_elements,
    form_path,
    plain,
)
from crm_app.state.forms.edits import ElementEdits

# ------------------------------------------------------------------ builder


class FormBuilderState(ElementEdits, FormsBase):
    form_id: str = ""
    name: str = ""
    slug: str = ""
    status: str = ""
    version: int = 0
    unpublished: bool = False
    tab: str = "build"
    elements: list[FormElement] = []
    selected_id: str = ""
    fields: list[FieldChoice] = []
    archived_fields: list[FieldChoice] = []
    settings: dict[str, str] = {}
    errors: dict[str, str] = {}
    share_url: str = ""
    share_embed: str = ""
    share_qr: str = ""
    name_draft: str = ""

    # ---------------------------------------------------------------- derived

    @rx.var
    def element_ids(self) -> list[str]:
        return [e.id for e in self.elements]

    @rx.var
    def element_labels(self) -> dict[str, str]:
        return {
            e.id: e.label or form_service.ELEMENT_TYPES.get(e.type, "element")
            for e in self.elements
        }

    @rx.var
    def selected(self) -> FormElement:
        for element in self.elements:
            if element.id == self.selected_id:
                return element
        return FormElement()

    @rx.var
    def selected_options_text(self) -> str:
        return "\n".join(self.selected.options)

    @rx.var
    def selected_maps_to(self) -> str:
        return self.selected.maps_to or FORM_ONLY

    @rx.var
    def selected_kind(self) -> str:
        """display | text | number | choice | plain (what the properties panel shows)."""
        t = self.selected.type
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
        if element.type not in form_service.CHOICE_TYPES:
            return ""
        target = next((f for f in self.fields if f.key == element.maps_to), None)
        return target.label if target and target.type in form_service.OPTION_FIELD_TYPES else ""

    @rx.var
    def crm_settings_href(self) -> str:
        return routes.CRM_SETTINGS.replace("[agent_id]", route_param(self.router, "agent_id"))

    @rx.var
    def selected_mappable(self) -> bool:
        return self.selected.type in form_service.MAPPABLE

    @rx.var
    def map_choices(self) -> list[FieldChoice]:
        allowed = form_service.MAPPABLE.get(self.selected.type, ())
        choices = [FieldChoice(FORM_ONLY, "Form only")] + [
            FieldChoice(f.key, f.label) for f in self.fields if f.type in allowed
        ]
        current = self.selected.maps_to
        archived = next((f for f in self.archived_fields if f.key == current), None)
        if archived is not None:
            choices.append(FieldChoice(current, archived.label + " (archived)"))
        return choices

    @rx.var
    def preview_elements(self) -> list[dict[str, Any]]:
        return form_service.public_elements({"elements": element_dicts(self.elements)})

    @rx.var
    def publish_label(self) -> str:
        return "Publish" if self.status == "Draft" else "Publish changes"

    @rx.var
    def submissions_href(self) -> str:
        return form_path(
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
        self._show_draft(data["draft"])
        self.fields = pick_all(FieldChoice, data["fields"])
        self.archived_fields = pick_all(FieldChoice, data["archived_fields"])
        self.can_edit = data["can_edit"]
        self.agent_name = data["agent_name"]
        if self.selected_id not in {e.id for e in self.elements}:
            self.selected_id = self.elements[0].id if self.elements else ""
        self.load_error = ""
        self.loaded = True

    def _show_draft(self, draft: dict) -> None:
        """The draft as the service returns it: typed elements, settings as input text."""
        self.elements = form_elements(draft["elements"])
        settings = {k: "" if v is None else str(v) for k, v in draft["settings"].items()}
        if settings.get("limit") == "0":
            settings["limit"] = ""
        self.settings = settings

    @rx.event
    @shows_errors
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
        self.share_url, self.share_embed, self.share_qr = links["url"], links["embed"], links["qr"]

    @shows_errors
    def _save(self, elements: list[FormElement] | None = None, settings: dict | None = None):
        """Save the draft with these changes; a validation error stays next to its input."""
        draft = {
            "elements": element_dicts(elements if elements is not None else self.elements),
            "settings": plain(settings if settings is not None else self.settings),
        }
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
        self.errors = {}
        self._show_draft(cleaned)
        return None

    def _index(self, element_id: str) -> int:
        for i, element in enumerate(self.elements):
            if element.id == str(element_id):
                return i
        return -1

    # ---------------------------------------------------------------- lifecycle

    @shows_errors
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
