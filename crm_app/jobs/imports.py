"""CSV imports on the worker: each run as a job, and every minute (and when the worker
starts; the CLI's `migrate` too) the recovery of runs whose worker died and of queued
imports whose job was lost."""

from __future__ import annotations

import logging

from huey import crontab

from crm_app.db import session_scope
from crm_app.jobs.queue import huey, task
from crm_app.services import imports

log = logging.getLogger("crm.jobs")


@task(imports.RUN_TASK)
def run_import(job_id: int) -> None:
    """No retries: a failed run is undone and marked failed, for its member to start again;
    a run whose worker died is undone by `recover_imports`."""
    imports.run_import(job_id)


def recover_imports() -> int:
    """Undo and fail every import whose run died (see services/imports/recovery.py), queue
    again the imports whose job was lost; how many were undone."""
    with session_scope(read_only=True) as session:  # most rounds find nothing: no write lock
        stalled = imports.stalled_jobs(session)
        waiting = imports.waiting_jobs(session)
    if waiting:
        with session_scope() as session:
            if requeued := imports.requeue_waiting(session, waiting):
                log.warning("Queued %d waiting import%s again.", requeued, "s"[: requeued != 1])
    if not stalled:
        return 0
    with session_scope() as session:
        count = imports.recover_stalled(session)
    if count:
        log.warning(
            "Recovered %d interrupted import%s: undone and marked failed.",
            count,
            "s" if count != 1 else "",
        )
    return count


@huey.periodic_task(crontab(), name="imports.recover")
def recover_imports_periodically() -> int:
    return recover_imports()
