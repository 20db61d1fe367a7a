"""CRM → Settings: contact fields, pipeline stages and the agent's CRM defaults.

Every handler re-checks the member and agent through the services (require_agent) and
reads the agent from the page route; ids arriving from the browser are validated here
(types) and in the services (ownership, permutation).
"""

from __future__ import annotations

import reflex as rx

from crm_app.services import fields as field_service
from crm_app.services import stages as stage_service
from crm_app.services.errors import NotFound, ServiceError
from crm_app.state.base import AppState, error_toast

_EMPTY_FIELD_FORM = {
    "label": "",
    "key": "",
    "type": "Text",
    "options": [],
    "required": False,
    "ai_hint": "",
    "allow_ai": False,
}


def _as_int(value) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def _id_list(values) -> list[int] | None:
    if not isinstance(values, (list, tuple)):
        return None
    ids = [_as_int(v) for v in values]
    return None if any(i is None for i in ids) else ids


class CrmSettingsState(AppState):
    tab: str = "fields"
    load_error: str = ""
    loaded: bool = False
    can_edit: bool = False
    agent_name: str = ""

    fields: list[dict] = []
    archived_fields: list[dict] = []
    show_archived: bool = False

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

    stages: list[dict] = []
    new_stage_name: str = ""
    new_stage_error: str = ""
    renaming_stage_id: int = 0
    rename_value: str = ""
    rename_error: str = ""
    remove_open: bool = False
    remove_stage_id: int = 0
    remove_stage_name: str = ""
    remove_stage_count: int = 0
    remove_target: str = ""
    remove_error: str = ""

    phone_region: str = "US"
    duplicate_policy: str = "fill"
    defaults_errors: dict[str, str] = {}

    # ------------------------------------------------------------------ computed

    @rx.var
    def field_ids(self) -> list[str]:
        return [str(f["id"]) for f in self.fields]

    @rx.var
    def field_labels(self) -> dict[str, str]:
        return {str(f["id"]): str(f["label"]) for f in self.fields}

    @rx.var
    def stage_ids(self) -> list[str]:
        return [str(s["id"]) for s in self.stages]

    @rx.var
    def stage_labels(self) -> dict[str, str]:
        return {str(s["id"]): str(s["name"]) for s in self.stages}

    @rx.var
    def remove_targets(self) -> list[dict]:
        return [
            {"id": str(s["id"]), "name": s["name"]}
            for s in self.stages
            if s["id"] != self.remove_stage_id
        ]

    @rx.var
    def form_has_options(self) -> bool:
        return self.form_type in field_service.CHOICE_TYPES

    @rx.var
    def form_title(self) -> str:
        if self.editing_field_id == 0:
            return "Add custom field"
        return f"Edit {self.form_label or 'field'}"

    # ------------------------------------------------------------------ loading

    def _agent_id(self) -> int:
        agent_id = self.route_agent_id()
        if agent_id is None:
            raise NotFound("Agent not found.")
        return agent_id

    def _refresh(self, session, actor, agent_id: int) -> None:
        active = field_service.list_fields(session, actor, agent_id)
        every = field_service.list_fields(session, actor, agent_id, include_archived=True)
        self.fields = active
        self.archived_fields = [f for f in every if f["archived"]]
        self.stages = stage_service.list_stages(session, actor, agent_id)
        defaults = stage_service.get_crm_defaults(session, actor, agent_id)
        self.phone_region = defaults["phone_region"]
        self.duplicate_policy = defaults["duplicate_policy"]
        self.can_edit = actor.is_admin
        self.agent_name = next((a["name"] for a in self.agents if a["id"] == agent_id), "")
        self.load_error = ""
        self.loaded = True

    def _clear(self, message: str) -> None:
        self.load_error = message
        self.loaded = True
        self.fields, self.archived_fields, self.stages = [], [], []
        self.can_edit = False

    @rx.event
    def load(self):
        self.field_dialog_open = False
        self.remove_open = False
        self.renaming_stage_id = 0
        self.new_stage_name = ""
        self.new_stage_error = ""
        try:
            with self.unit() as (session, actor):
                self._refresh(session, actor, self._agent_id())
        except NotFound as error:
            self._clear(error.message)
        except ServiceError as error:
            self._clear(error.message)
            return error_toast(error)

    def _write(self, action, success: str | None = None):
        """Run one service write for this page's agent, refresh, and toast the outcome."""
        try:
            with self.unit() as (session, actor):
                agent_id = self._agent_id()
                result = action(session, actor, agent_id)
                self._refresh(session, actor, agent_id)
        except ServiceError as error:
            return error_toast(error)
        if success:
            return rx.toast.success(success(result) if callable(success) else success)
        return None

    @rx.event
    def set_tab(self, tab: str):
        if tab in ("fields", "stages", "defaults"):
            self.tab = tab

    # ------------------------------------------------------------------ fields

    @rx.event
    def reorder_fields(self, ordered_ids: list[str]):
        ids = _id_list(ordered_ids)
        if ids is None:
            return rx.toast.error(
                "The field list changed meanwhile. Reload the page and try again."
            )
        return self._write(
            lambda s, a, agent: field_service.reorder_fields(s, a, agent, ids), "Field order saved."
        )

    @rx.event
    def move_field(self, field_id: int, direction: str):
        fid = _as_int(field_id)
        if fid is None:
            return rx.toast.error("Field not found.")
        return self._write(
            lambda s, a, agent: field_service.move_field(s, a, agent, fid, direction),
            "Field order saved.",
        )

    @rx.event
    def set_allow_ai(self, field_id: int, value: bool):
        fid = _as_int(field_id)
        if fid is None:
            return rx.toast.error("Field not found.")
        return self._write(
            lambda s, a, agent: field_service.update_field(s, a, agent, fid, allow_ai=bool(value)),
            lambda f: f"Allow for AI is {'on' if f['allow_ai'] else 'off'} for {f['label']}.",
        )

    @rx.event
    def set_required(self, field_id: int, value: bool):
        fid = _as_int(field_id)
        if fid is None:
            return rx.toast.error("Field not found.")
        return self._write(
            lambda s, a, agent: field_service.update_field(s, a, agent, fid, required=bool(value)),
            lambda f: (
                f"{f['label']} is {'now required' if f['required'] else 'no longer required'}."
            ),
        )

    @rx.event
    def archive_field(self, field_id: int):
        fid = _as_int(field_id)
        if fid is None:
            return rx.toast.error("Field not found.")
        return self._write(
            lambda s, a, agent: field_service.archive_field(s, a, agent, fid),
            lambda f: f"{f['label']} archived. Its values are kept; restore it from Show archived.",
        )

    @rx.event
    def restore_field(self, field_id: int):
        fid = _as_int(field_id)
        if fid is None:
            return rx.toast.error("Field not found.")
        return self._write(
            lambda s, a, agent: field_service.restore_field(s, a, agent, fid),
            lambda f: f"{f['label']} restored.",
        )

    @rx.event
    def set_show_archived(self, value: bool):
        self.show_archived = bool(value)

    # -- dialog

    def _fill_form(self, values: dict) -> None:
        self.form_label = values["label"]
        self.form_key = values["key"]
        self.form_type = values["type"]
        self.form_options = list(values["options"])
        self.form_required = values["required"]
        self.form_ai_hint = values["ai_hint"]
        self.form_allow_ai = values["allow_ai"]
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
        self._fill_form(_EMPTY_FIELD_FORM)
        self.field_dialog_open = True

    @rx.event
    def open_edit_field(self, field_id: int):
        fid = _as_int(field_id)
        field = next((f for f in self.fields if f["id"] == fid), None)
        if field is None:
            return rx.toast.error("Field not found.")
        self.editing_field_id = fid
        self.editing_is_default = field["is_default"]
        self.editing_has_values = field["has_values"]
        self.form_key_touched = True
        self._fill_form(field)
        self.field_dialog_open = True

    @rx.event
    def set_field_dialog_open(self, value: bool):
        self.field_dialog_open = bool(value)

    @rx.event
    def set_form_label(self, value: str):
        self.form_label = value
        cleared = ("label",)
        if self.editing_field_id == 0 and not self.form_key_touched:
            self.form_key = field_service.key_from_label(value)
            cleared = ("label", "key")
        self.form_errors = {k: v for k, v in self.form_errors.items() if k not in cleared}

    @rx.event
    def set_form_key(self, value: str):
        self.form_key = value.strip()
        self.form_key_touched = True
        self.form_errors = {k: v for k, v in self.form_errors.items() if k != "key"}

    @rx.event
    def set_form_type(self, value: str):
        if value in field_service.FIELD_TYPES:
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
            return CrmSettingsState.add_form_option

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
    def save_field(self):
        if self.form_option_input.strip():
            self.add_form_option()
        try:
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
        except ServiceError as error:
            if error.field:
                self.form_errors = {error.field: error.message}
                return None
            return error_toast(error)
        self.field_dialog_open = False
        self.form_errors = {}
        return rx.toast.success(message)

    # ------------------------------------------------------------------ stages

    @rx.event
    def set_new_stage_name(self, value: str):
        self.new_stage_name = value
        self.new_stage_error = ""

    @rx.event
    def add_stage(self):
        try:
            with self.unit() as (session, actor):
                agent_id = self._agent_id()
                stage = stage_service.add_stage(session, actor, agent_id, self.new_stage_name)
                self._refresh(session, actor, agent_id)
        except ServiceError as error:
            if error.field:
                self.new_stage_error = error.message
                return None
            return error_toast(error)
        self.new_stage_name = ""
        return rx.toast.success(f"Stage {stage['name']} added.")

    @rx.event
    def new_stage_key_down(self, key: str):
        if key == "Enter":
            return CrmSettingsState.add_stage

    @rx.event
    def start_rename(self, stage_id: int):
        sid = _as_int(stage_id)
        stage = next((s for s in self.stages if s["id"] == sid), None)
        if stage is None or not self.can_edit:
            return None
        self.renaming_stage_id = sid
        self.rename_value = stage["name"]
        self.rename_error = ""

    @rx.event
    def set_rename_value(self, value: str):
        self.rename_value = value
        self.rename_error = ""

    @rx.event
    def cancel_rename(self):
        self.renaming_stage_id = 0
        self.rename_error = ""

    @rx.event
    def rename_key_down(self, key: str):
        if key == "Enter":
            return CrmSettingsState.save_rename
        if key == "Escape":
            return CrmSettingsState.cancel_rename

    @rx.event
    def save_rename(self):
        sid = self.renaming_stage_id
        if not sid:
            return None
        try:
            with self.unit() as (session, actor):
                agent_id = self._agent_id()
                stage = stage_service.rename_stage(session, actor, agent_id, sid, self.rename_value)
                self._refresh(session, actor, agent_id)
        except ServiceError as error:
            if error.field:
                self.rename_error = error.message
                return None
            return error_toast(error)
        self.renaming_stage_id = 0
        return rx.toast.success(f"Stage renamed to {stage['name']}.")

    @rx.event
    def reorder_stages(self, ordered_ids: list[str]):
        ids = _id_list(ordered_ids)
        if ids is None:
            return rx.toast.error(
                "The stage list changed meanwhile. Reload the page and try again."
            )
        return self._write(
            lambda s, a, agent: stage_service.reorder_stages(s, a, agent, ids), "Stage order saved."
        )

    @rx.event
    def move_stage(self, stage_id: int, direction: str):
        sid = _as_int(stage_id)
        if sid is None:
            return rx.toast.error("Stage not found.")
        return self._write(
            lambda s, a, agent: stage_service.move_stage(s, a, agent, sid, direction),
            "Stage order saved.",
        )

    @rx.event
    def open_remove_stage(self, stage_id: int):
        sid = _as_int(stage_id)
        stage = next((s for s in self.stages if s["id"] == sid), None)
        if stage is None:
            return rx.toast.error("Stage not found.")
        if len(self.stages) <= 1:
            return rx.toast.error("An agent needs at least one stage.")
        self.remove_stage_id = sid
        self.remove_stage_name = stage["name"]
        self.remove_stage_count = stage["contact_count"]
        other = next(s for s in self.stages if s["id"] != sid)
        self.remove_target = str(other["id"])
        self.remove_error = ""
        self.remove_open = True

    @rx.event
    def set_remove_open(self, value: bool):
        self.remove_open = bool(value)

    @rx.event
    def set_remove_target(self, value: str):
        self.remove_target = value
        self.remove_error = ""

    @rx.event
    def confirm_remove_stage(self):
        target = _as_int(self.remove_target)
        try:
            with self.unit() as (session, actor):
                agent_id = self._agent_id()
                result = stage_service.remove_stage(
                    session, actor, agent_id, self.remove_stage_id, target
                )
                self._refresh(session, actor, agent_id)
        except ServiceError as error:
            if error.field:
                self.remove_error = error.message
                return None
            return error_toast(error)
        self.remove_open = False
        moved = (
            (
                f" {result['moved_contacts']} contact{'s' if result['moved_contacts'] != 1 else ''} "
                f"moved to {result['moved_to']}."
            )
            if result["moved_contacts"]
            else ""
        )
        return rx.toast.success(f"Stage {result['removed']} removed.{moved}")

    # ------------------------------------------------------------------ defaults

    @rx.event
    def set_phone_region(self, value: str):
        self.phone_region = value
        self.defaults_errors = {}

    @rx.event
    def set_duplicate_policy(self, value: str):
        self.duplicate_policy = value
        self.defaults_errors = {}

    @rx.event
    def save_defaults(self):
        try:
            with self.unit() as (session, actor):
                agent_id = self._agent_id()
                stage_service.update_crm_defaults(
                    session, actor, agent_id, self.phone_region, self.duplicate_policy
                )
                self._refresh(session, actor, agent_id)
        except ServiceError as error:
            if error.field:
                self.defaults_errors = {error.field: error.message}
                return None
            return error_toast(error)
        return rx.toast.success("CRM defaults saved.")
