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
from crm_app.state.base import AppState, DialogFlags, error_toast, shows_errors
from crm_app.state.crm_settings.field_dialog import FieldDialog, FieldRow
from crm_app.state.crm_settings.stages import StageEdits, StageRow
from crm_app.state.dto import pick_all
from crm_app.state.ids import as_int, id_list


class CrmSettingsState(FieldDialog, StageEdits, DialogFlags, AppState):
    tab: str = "fields"
    load_error: str = ""
    loaded: bool = False
    can_edit: bool = False
    agent_name: str = ""

    fields: list[FieldRow] = []
    archived_fields: list[FieldRow] = []
    show_archived: bool = False

    phone_region: str = "US"
    duplicate_policy: str = "fill"
    defaults_errors: dict[str, str] = {}

    # ------------------------------------------------------------------ computed

    @rx.var
    def field_ids(self) -> list[str]:
        return [str(f.id) for f in self.fields]

    @rx.var
    def field_labels(self) -> dict[str, str]:
        return {str(f.id): f.label for f in self.fields}

    # ------------------------------------------------------------------ loading

    def _agent_id(self) -> int:
        agent_id = self.route_agent_id()
        if agent_id is None:
            raise NotFound("Agent not found.")
        return agent_id

    def _refresh(self, session, actor, agent_id: int) -> None:
        every = pick_all(
            FieldRow, field_service.list_fields(session, actor, agent_id, include_archived=True)
        )
        self.fields = [f for f in every if not f.archived]
        self.archived_fields = [f for f in every if f.archived]
        self.stages = pick_all(StageRow, stage_service.list_stages(session, actor, agent_id))
        defaults = stage_service.get_crm_defaults(session, actor, agent_id)
        self.phone_region = defaults["phone_region"]
        self.duplicate_policy = defaults["duplicate_policy"]
        self.can_edit = actor.is_admin
        self.agent_name = next((a.name for a in self.agents if a.id == agent_id), "")
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

    @shows_errors
    def _write(self, action, success: str | None = None):
        """Run one service write for this page's agent, refresh, and toast the outcome."""
        with self.unit() as (session, actor):
            agent_id = self._agent_id()
            result = action(session, actor, agent_id)
            self._refresh(session, actor, agent_id)
        if success:
            return rx.toast.success(success(result) if callable(success) else success)
        return None

    def _write_for(self, raw_id, missing: str, action, success):
        """`_write` for one row whose id came from the browser (`missing` when it is none)."""
        row_id = as_int(raw_id)
        if row_id is None:
            return rx.toast.error(missing)
        return self._write(lambda s, a, agent: action(s, a, agent, row_id), success)

    def _reorder(self, ordered_ids, what: str, reorder):
        """Save a dragged order of fields or stages (every id, in the new order)."""
        ids = id_list(ordered_ids)
        if ids is None:
            return rx.toast.error(
                f"The {what} list changed meanwhile. Reload the page and try again."
            )
        return self._write(
            lambda s, a, agent: reorder(s, a, agent, ids), f"{what.capitalize()} order saved."
        )

    @rx.event
    def set_tab(self, tab: str):
        if tab in ("fields", "stages", "defaults"):
            self.tab = tab

    # ------------------------------------------------------------------ fields

    @rx.event
    def reorder_fields(self, ordered_ids: list[str]):
        return self._reorder(ordered_ids, "field", field_service.reorder_fields)

    @rx.event
    def move_field(self, field_id: int, direction: str):
        return self._write_for(
            field_id,
            "Field not found.",
            lambda s, a, agent, fid: field_service.move_field(s, a, agent, fid, direction),
            "Field order saved.",
        )

    @rx.event
    def set_allow_ai(self, field_id: int, value: bool):
        return self._write_for(
            field_id,
            "Field not found.",
            lambda s, a, agent, fid: field_service.update_field(
                s, a, agent, fid, allow_ai=bool(value)
            ),
            lambda f: f"Allow for AI is {'on' if f['allow_ai'] else 'off'} for {f['label']}.",
        )

    @rx.event
    def set_required(self, field_id: int, value: bool):
        return self._write_for(
            field_id,
            "Field not found.",
            lambda s, a, agent, fid: field_service.update_field(
                s, a, agent, fid, required=bool(value)
            ),
            lambda f: (
                f"{f['label']} is {'now required' if f['required'] else 'no longer required'}."
            ),
        )

    @rx.event
    def archive_field(self, field_id: int):
        return self._write_for(
            field_id,
            "Field not found.",
            lambda s, a, agent, fid: field_service.archive_field(s, a, agent, fid),
            lambda f: f"{f['label']} archived. Its values are kept; restore it from Show archived.",
        )

    @rx.event
    def restore_field(self, field_id: int):
        return self._write_for(
            field_id,
            "Field not found.",
            lambda s, a, agent, fid: field_service.restore_field(s, a, agent, fid),
            lambda f: f"{f['label']} restored.",
        )

    @rx.event
    def set_show_archived(self, value: bool):
        self.show_archived = bool(value)

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
    @shows_errors(fields="defaults_errors")
    def save_defaults(self):
        with self.unit() as (session, actor):
            agent_id = self._agent_id()
            stage_service.update_crm_defaults(
                session, actor, agent_id, self.phone_region, self.duplicate_policy
            )
            self._refresh(session, actor, agent_id)
        return rx.toast.success("CRM defaults saved.")
