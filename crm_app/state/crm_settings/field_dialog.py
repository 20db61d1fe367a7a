"""CRM → Settings → Contact Fields: the add / edit field dialog (a mixin of CrmSettingsState)."""

from __future__ import annotations

import dataclasses

import reflex as rx

from crm_app.services import field_rules
from crm_app.services import fields as field_service
from crm_app.state.base import shows_errors
from crm_app.state.ids import as_int


@dataclasses.dataclass
class FieldRow:
    """A contact field as the settings list shows it."""

    id: int = 0
    key: str = ""
    label: str = ""
    type: str = "Text"
    options: list[str] = dataclasses.field(default_factory=list)
    required: bool = False
    ai_hint: str = ""
    allow_ai: bool = False
    is_default: bool = False
    archived: bool = False
    has_values: bool = False


class FieldDialog(rx.State, mixin=True):
    # Add / edit field dialog
    field_dialog_open: bool = False
    editing_field_id: int = 0  # 0: a new custom field
    editing_is_default: bool = False
    editing_has_values: bool = False
    form_label: str = ""
    form_key: str = ""
    form_key_touched: bool = False
    form_type: str = "Text"
    form_options: list[str] = []
    form_option_input: str = ""
    form_required: bool = False
    form_ai_hint: str = ""
    form_allow_ai: bool = False
    form_errors: dict[str, str] = {}

    @rx.var
    def form_has_options(self) -> bool:
        return self.form_type in field_rules.CHOICE_TYPES

    @rx.var
    def form_title(self) -> str:
        if self.editing_field_id == 0:
            return "Add custom field"
        return f"Edit {self.form_label or 'field'}"

    # -- dialog

    def _fill_form(self, values: FieldRow) -> None:
        self.form_label = values.label
        self.form_key = values.key
        self.form_type = values.type
        self.form_options = list(values.options)
        self.form_required = values.required
        self.form_ai_hint = values.ai_hint
        self.form_allow_ai = values.allow_ai
        self.form_option_input = ""
        self.form_errors = {}

    @rx.event
    def open_new_field(self):
        if not self.can_edit:
            return rx.toast.error("This needs the Admin role or higher.")
        self.editing_field_id = 0
        self.editing_is_default = False
        self.editing_has_values = False
        self.form_key_touched = False
        self._fill_form(FieldRow())
        self.field_dialog_open = True

    @rx.event
    def open_edit_field(self, field_id: int):
        fid = as_int(field_id)
        field = next((f for f in self.fields if f.id == fid), None)
        if field is None:
            return rx.toast.error("Field not found.")
        self.editing_field_id = fid
        self.editing_is_default = field.is_default
        self.editing_has_values = field.has_values
        self.form_key_touched = True
        self._fill_form(field)
        self.field_dialog_open = True

    @rx.event
    def set_form_label(self, value: str):
        self.form_label = value
        cleared = ("label",)
        if self.editing_field_id == 0 and not self.form_key_touched:
            self.form_key = field_rules.key_from_label(value)
            cleared = ("label", "key")
        self.form_errors = {k: v for k, v in self.form_errors.items() if k not in cleared}

    @rx.event
    def set_form_key(self, value: str):
        self.form_key = value.strip()
        self.form_key_touched = True
        self.form_errors = {k: v for k, v in self.form_errors.items() if k != "key"}

    @rx.event
    def set_form_type(self, value: str):
        if value in field_rules.FIELD_TYPES:
            self.form_type = value
            self.form_errors = {
                k: v for k, v in self.form_errors.items() if k not in ("type", "options")
            }

    @rx.event
    def set_form_option_input(self, value: str):
        self.form_option_input = value

    @rx.event
    def add_form_option(self):
        # Pasting several lines adds one option per line.
        new = [line.strip() for line in self.form_option_input.splitlines() if line.strip()]
        existing = {o.lower() for o in self.form_options}
        for option in new:
            if option.lower() not in existing:
                self.form_options = self.form_options + [option]
                existing.add(option.lower())
        self.form_option_input = ""
        self.form_errors = {k: v for k, v in self.form_errors.items() if k != "options"}

    @rx.event
    def option_key_down(self, key: str):
        if key == "Enter":
            return type(self).add_form_option

    @rx.event
    def remove_form_option(self, option: str):
        self.form_options = [o for o in self.form_options if o != option]

    @rx.event
    def set_form_required(self, value: bool):
        self.form_required = bool(value)

    @rx.event
    def set_form_ai_hint(self, value: str):
        self.form_ai_hint = value
        self.form_errors = {k: v for k, v in self.form_errors.items() if k != "ai_hint"}

    @rx.event
    def set_form_allow_ai(self, value: bool):
        self.form_allow_ai = bool(value)

    @rx.event
    @shows_errors(fields="form_errors")
    def save_field(self):
        if self.form_option_input.strip():
            self.add_form_option()
        with self.unit() as (session, actor):
            agent_id = self._agent_id()
            if self.editing_field_id == 0:
                saved = field_service.create_custom_field(
                    session,
                    actor,
                    agent_id,
                    label=self.form_label,
                    key=self.form_key or None,
                    type=self.form_type,
                    options=self.form_options,
                    required=self.form_required,
                    ai_hint=self.form_ai_hint,
                    allow_ai=self.form_allow_ai,
                )
                message = f"Custom field {saved['label']} added."
            elif self.editing_is_default:
                saved = field_service.update_field(
                    session,
                    actor,
                    agent_id,
                    self.editing_field_id,
                    required=self.form_required,
                    ai_hint=self.form_ai_hint,
                    allow_ai=self.form_allow_ai,
                )
                message = f"{saved['label']} saved."
            else:
                saved = field_service.update_field(
                    session,
                    actor,
                    agent_id,
                    self.editing_field_id,
                    label=self.form_label,
                    type=self.form_type,
                    options=self.form_options,
                    required=self.form_required,
                    ai_hint=self.form_ai_hint,
                    allow_ai=self.form_allow_ai,
                )
                message = f"{saved['label']} saved."
            self._refresh(session, actor, agent_id)
        self.field_dialog_open = False
        self.form_errors = {}
        return rx.toast.success(message)
