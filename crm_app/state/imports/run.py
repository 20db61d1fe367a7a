"""Import wizard, the run: start it, follow its progress, and the import history with undo.
A mixin of `ImportState` (it reads the wizard's job, mapping and choices)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import reflex as rx

from crm_app.services import imports as import_service
from crm_app.state.base import shows_errors

ERROR_CHOICES = ("all_or_nothing", "valid_only")
POLL_SECONDS = 0.6
_PHASES = {
    "queued": "Starting…",
    "checking": "Checking rows…",
    "importing": "Importing contacts…",
    "done": "Import finished",
    "failed": "Import failed",
    "undone": "Import undone",
}


@dataclass
class ImportRun:
    """A past or running import, as the history lists it."""

    id: int
    filename: str
    status: str
    user_id: int
    by: str
    when: str
    summary: str
    can_undo: bool

    @classmethod
    def of(cls, job: dict) -> ImportRun:
        return cls(
            id=job["id"],
            filename=job["filename"],
            status=job["status"],
            user_id=job["user_id"],
            by=job["by"],
            when=job["created_at"][:16].replace("T", " "),
            summary=f"{job['created']:,} created · {job['updated']:,} updated · "
            f"{job['skipped']:,} skipped · {job['failed']:,} failed",
            can_undo=job["status"] == "done",
        )


class RunAndHistory(rx.State, mixin=True):
    status: str = ""
    message: str = ""
    processed: int = 0
    total: int = 0
    created: int = 0
    updated: int = 0
    skipped: int = 0
    failed: int = 0
    has_errors: bool = False
    polling: bool = False

    history: list[ImportRun] = []
    confirm_undo_id: int = 0

    @rx.var
    def percent(self) -> int:
        if self.total <= 0:
            return 0 if self.status in ("queued", "checking", "importing") else 100
        return min(100, int(self.processed * 100 / self.total))

    @rx.var
    def phase(self) -> str:
        return _PHASES.get(self.status, "")

    @rx.var
    def running(self) -> bool:
        return self.status in ("queued", "checking", "importing")

    def _load_history(self, session, actor, agent_id) -> None:
        self.history = [
            ImportRun.of(job) for job in import_service.list_jobs(session, actor, agent_id)
        ]

    def _copy_progress(self, job: dict) -> None:
        self.status, self.message = job["status"], job["message"]
        self.processed, self.total = job["processed"], job["total"]
        self.created, self.updated, self.skipped, self.failed = (
            job["created"],
            job["updated"],
            job["skipped"],
            job["failed"],
        )
        self.has_errors = job["has_errors"]

    # ------------------------------------------------------------------ run

    @rx.event
    @shows_errors
    def start(self):
        if self.errors_choice not in ERROR_CHOICES:
            return rx.toast.error(
                "Choose what happens to rows with problems: all or nothing, or valid rows only."
            )
        with self.unit() as (session, actor):
            job = import_service.start_import(
                session,
                actor,
                self.route_agent_id(),
                self.job_id,
                self._service_mapping(),
                policy=self.policy,
                valid_only=self.errors_choice == "valid_only",
            )
        self._copy_progress(job)
        self.step = "import"
        return [self._address(), type(self).poll]

    @rx.event(background=True)
    @shows_errors
    async def poll(self):
        async with self:
            if self.polling:
                return
            self.polling = True
        try:
            while True:
                await asyncio.sleep(POLL_SECONDS)
                async with self:
                    with self.unit(read_only=True) as (session, actor):
                        agent_id = self.route_agent_id()
                        job = import_service.get_job(session, actor, agent_id, self.job_id)
                        self._copy_progress(job)
                        if job["status"] not in import_service.ACTIVE:
                            self._load_history(session, actor, agent_id)
                    if not self.running:
                        if self.status == "done":
                            return rx.toast.success(
                                f"Import finished: {self.created:,} created, "
                                f"{self.updated:,} updated"
                            )
                        return rx.toast.error(self.message or "The import failed.")
        finally:
            async with self:
                self.polling = False

    # ------------------------------------------------------------------ undo

    @rx.event
    def ask_undo(self, job_id: int):
        self.confirm_undo_id = int(job_id) if str(job_id).isdigit() else 0

    @rx.event
    def cancel_undo(self, _open: bool = False):
        self.confirm_undo_id = 0

    @rx.event
    @shows_errors
    def undo(self):
        job_id = self.confirm_undo_id
        self.confirm_undo_id = 0
        with self.unit() as (session, actor):
            agent_id = self.route_agent_id()
            job = import_service.undo_import(session, actor, agent_id, job_id)
            session.flush()
            self._load_history(session, actor, agent_id)
        if job_id == self.job_id:
            self._copy_progress(job)
        return rx.toast.success(
            f"Import undone: {job['created']:,} contacts removed, {job['updated']:,} restored"
        )
