"""Runs whose process died: found by their heartbeat or their process, undone and failed."""

from __future__ import annotations

import os
import socket
from datetime import timedelta

from sqlmodel import Session, select

from crm_app.db import session_scope
from crm_app.jobs.queue import after_commit
from crm_app.models import ImportJob, utcnow
from crm_app.services.access import Actor, require_agent
from crm_app.services.imports.common import audit_job
from crm_app.services.imports.undo import revert

STALL_SECONDS = 300  # a running job without a heartbeat for this long: its process is gone
RUN_TASK = "imports.run"  # the job worker's task that runs an import (run.run_import)
RUNNING = ("checking", "importing")  # taken by a worker (a "queued" job waits for one)


class Recovered(Exception):
    """The job is no longer this run's: recover_interrupted declared it dead and undid it."""


def running_job(session: Session, job_id: int, status: str) -> ImportJob:
    """The job, locked, if it is still this run's (`status`); stamps its heartbeat."""
    job = session.get(ImportJob, job_id, with_for_update=True)
    if job is None or job.status != status:
        raise Recovered()
    job.heartbeat_at = utcnow()
    session.add(job)
    return job


HOST = socket.gethostname()[:60]
LOCAL_RUNS: set[int] = set()  # jobs this process is running (a reused pid is no proof of life)


def runner_name() -> str:
    return f"{HOST}:{os.getpid()}"


def _dead(job: ImportJob, now) -> bool:
    """Whether the job's run is gone: its process on this host has exited (or this process
    restarted under the same pid), or it has not stamped its heartbeat for STALL_SECONDS."""
    if (job.heartbeat_at or job.created_at) < now - timedelta(seconds=STALL_SECONDS):
        return True
    host, _, pid = (job.runner or "").rpartition(":")
    if host != HOST or not pid.isdigit():
        return False  # another host's run (or not started): only its heartbeat tells
    if int(pid) == os.getpid():
        return job.id not in LOCAL_RUNS
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except OSError:  # alive, under another user
        return False
    return False


def stalled_jobs(session: Session, agent_id: int | None = None) -> list[int]:
    """Ids of the running jobs (every agent's, or one agent's) whose run died; a plain read."""
    now = utcnow()
    query = select(ImportJob).where(ImportJob.status.in_(RUNNING))
    if agent_id is not None:
        query = query.where(ImportJob.agent_id == agent_id)
    return [job.id for job in session.exec(query) if _dead(job, now)]


def recover_stalled(session: Session, agent_id: int | None = None) -> int:
    """Jobs whose run died (every agent's, or one agent's): undo what their chunks wrote and
    mark them failed, like a failure midway. Returns how many."""
    recovered = 0
    for job_id in stalled_jobs(session, agent_id):
        # Locked and read again: the run may have moved on (or finished) since.
        job = session.get(ImportJob, job_id, with_for_update=True, populate_existing=True)
        if job is None or job.status not in RUNNING or not _dead(job, utcnow()):
            continue
        done = (
            f" after {job.processed:,} of {job.total:,} rows"
            if job.status == "importing" and job.total
            else ""
        )
        _fail(
            session,
            job,
            f"The import was interrupted{done} (the server stopped); nothing from it was kept. Start it again.",
            f"Import of {job.filename} interrupted; nothing kept",
            by_system="Import recovery",
        )
        recovered += 1
    return recovered


def waiting_jobs(session: Session) -> list[int]:
    """Ids of the queued jobs no worker took for STALL_SECONDS; a plain read."""
    cutoff = utcnow() - timedelta(seconds=STALL_SECONDS)
    return [
        job.id
        for job in session.exec(select(ImportJob).where(ImportJob.status == "queued"))
        if (job.heartbeat_at or job.created_at) < cutoff
    ]


def requeue_waiting(session: Session, job_ids: list[int]) -> int:
    """Queue `waiting_jobs` again: their task may have been lost (the process died between
    the commit and the enqueue). A run takes a job only while it is still queued, so a
    second task for a job does nothing. Stamps them, so the next round waits again."""
    requeued = 0
    for job_id in job_ids:
        job = session.get(ImportJob, job_id, with_for_update=True, populate_existing=True)
        if job is None or job.status != "queued":
            continue
        job.heartbeat_at = utcnow()
        session.add(job)
        after_commit(session, RUN_TASK, job.id)
        requeued += 1
    return requeued


def recover_interrupted(session: Session, actor: Actor, agent_id: int) -> int:
    """recover_stalled for one agent, as a member who may import into it."""
    agent = require_agent(session, actor, agent_id, "Admin")
    return recover_stalled(session, agent.id)


def abort(job_id: int, engine, message: str) -> None:
    """A run that stopped half-way: undo what its chunks wrote, then mark it failed."""
    with session_scope(engine) as session:
        job = session.get(ImportJob, job_id)
        _fail(session, job, message, f"Import of {job.filename} failed; nothing kept: {message}")


def _fail(
    session: Session, job: ImportJob, message: str, description: str, *, by_system: str = ""
) -> None:
    """Undo what the job's chunks wrote, mark it failed with `message`, audit it (in the
    system's name, `by_system`, when the worker decided it)."""
    revert(session, job)
    job.status, job.finished_at, job.message = "failed", utcnow(), message[:500]
    job.created = job.updated = job.skipped = 0
    session.add(job)
    audit_job(session, job, "Update", description, status="Failed", by_system=by_system)
