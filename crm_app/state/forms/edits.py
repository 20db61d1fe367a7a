"""The builder's edits: adding, moving and removing elements, their properties and the
form's settings. A mixin of FormBuilderState, which saves each change as the draft."""

from __future__ import annotations

import dataclasses

import reflex as rx

from crm_app.services import forms as form_service
from crm_app.state.base import shows_errors
from crm_app.state.forms.common import FORM_ONLY, FormElement, form_elements


def _own(element: FormElement) -> FormElement:
    """A copy of an element held by the state, safe to change and save."""
    element = getattr(element, "__wrapped__", element)
    return dataclasses.replace(element, options=list(element.options))


class ElementEdits(rx.State, mixin=True):
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
        taken = {e.maps_to for e in self.elements}
        element = form_elements([form_service.new_element(type_, None, taken)])[0]
        elements = list(self.elements)
        index = max(0, min(index, len(elements)))
        elements.insert(index, element)
        result = self._save(elements=elements)
        if not self.errors:
            self.selected_id = element.id
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
        by_id = {e.id: e for e in self.elements}
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
        clone = dataclasses.replace(
            _own(self.elements[i]), id=form_service.new_element_id(), maps_to=""
        )
        elements = list(self.elements)
        elements.insert(i + 1, clone)
        self.selected_id = clone.id
        return self._save(elements=elements)

    @rx.event
    def remove_element(self, element_id: str):
        i = self._index(element_id)
        if not self.can_edit or i < 0:
            return
        elements = [e for e in self.elements if e.id != str(element_id)]
        if self.selected_id == str(element_id):
            self.selected_id = elements[min(i, len(elements) - 1)].id if elements else ""
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
        element = _own(self.elements[i])
        if key == "options":
            value = [line for line in str(value or "").splitlines()]
        elif key == "maps_to":
            value = "" if value == FORM_ONLY else str(value or "")
            if value and any(e.maps_to == value for e in self.elements if e.id != element.id):
                self.errors = {
                    f"{element.id}.maps_to": "Another question already fills this contact field."
                }
                return
        elif key == "required":
            value = bool(value)
        else:
            value = str(value if value is not None else "")
        setattr(element, key, value)
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
    @shows_errors(fields="errors")
    def rename(self, form_data: dict):
        name = str((form_data or {}).get("name", ""))
        with self.unit() as (session, actor):
            form = form_service.rename_form(session, actor, self._agent_id(), self.form_id, name)
            self.name = form.name
        self.errors = {}
        return rx.toast.success("Form name saved.")
