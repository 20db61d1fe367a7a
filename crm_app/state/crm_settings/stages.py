"""CRM → Settings → Pipeline Stages: add, rename, reorder and remove (a mixin of CrmSettingsState)."""

from __future__ import annotations

import dataclasses

import reflex as rx

from crm_app.services import stages as stage_service
from crm_app.state.base import shows_errors
from crm_app.state.dto import Choice
from crm_app.state.ids import as_int


@dataclasses.dataclass
class StageRow:
    id: int = 0
    name: str = ""
    contact_count: int = 0


class StageEdits(rx.State, mixin=True):
    stages: list[StageRow] = []
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

    # ------------------------------------------------------------------ computed

    @rx.var
    def stage_ids(self) -> list[str]:
        return [str(s.id) for s in self.stages]

    @rx.var
    def stage_labels(self) -> dict[str, str]:
        return {str(s.id): s.name for s in self.stages}

    @rx.var
    def remove_targets(self) -> list[Choice]:
        return [Choice(str(s.id), s.name) for s in self.stages if s.id != self.remove_stage_id]

    # ------------------------------------------------------------------ stages

    @rx.event
    def set_new_stage_name(self, value: str):
        self.new_stage_name = value
        self.new_stage_error = ""

    @rx.event
    @shows_errors(fields="new_stage_error")
    def add_stage(self):
        with self.unit() as (session, actor):
            agent_id = self._agent_id()
            stage = stage_service.add_stage(session, actor, agent_id, self.new_stage_name)
            self._refresh(session, actor, agent_id)
        self.new_stage_name = ""
        return rx.toast.success(f"Stage {stage['name']} added.")

    @rx.event
    def new_stage_key_down(self, key: str):
        if key == "Enter":
            return type(self).add_stage

    @rx.event
    def start_rename(self, stage_id: int):
        sid = as_int(stage_id)
        stage = next((s for s in self.stages if s.id == sid), None)
        if stage is None or not self.can_edit:
            return None
        self.renaming_stage_id = sid
        self.rename_value = stage.name
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
            return type(self).save_rename
        if key == "Escape":
            return type(self).cancel_rename

    @rx.event
    @shows_errors(fields="rename_error")
    def save_rename(self):
        sid = self.renaming_stage_id
        if not sid:
            return None
        with self.unit() as (session, actor):
            agent_id = self._agent_id()
            stage = stage_service.rename_stage(session, actor, agent_id, sid, self.rename_value)
            self._refresh(session, actor, agent_id)
        self.renaming_stage_id = 0
        return rx.toast.success(f"Stage renamed to {stage['name']}.")

    @rx.event
    def reorder_stages(self, ordered_ids: list[str]):
        return self._reorder(ordered_ids, "stage", stage_service.reorder_stages)

    @rx.event
    def move_stage(self, stage_id: int, direction: str):
        return self._write_for(
            stage_id,
            "Stage not found.",
            lambda s, a, agent, sid: stage_service.move_stage(s, a, agent, sid, direction),
            "Stage order saved.",
        )

    @rx.event
    def open_remove_stage(self, stage_id: int):
        sid = as_int(stage_id)
        stage = next((s for s in self.stages if s.id == sid), None)
        if stage is None:
            return rx.toast.error("Stage not found.")
        if len(self.stages) <= 1:
            return rx.toast.error("An agent needs at least one stage.")
        self.remove_stage_id = sid
        self.remove_stage_name = stage.name
        self.remove_stage_count = stage.contact_count
        other = next(s for s in self.stages if s.id != sid)
        self.remove_target = str(other.id)
        self.remove_error = ""
        self.remove_open = True

    @rx.event
    def set_remove_target(self, value: str):
        self.remove_target = value
        self.remove_error = ""

    @rx.event
    @shows_errors(fields="remove_error")
    def confirm_remove_stage(self):
        target = as_int(self.remove_target)
        with self.unit() as (session, actor):
            agent_id = self._agent_id()
            result = stage_service.remove_stage(
                session, actor, agent_id, self.remove_stage_id, target
            )
            self._refresh(session, actor, agent_id)
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
