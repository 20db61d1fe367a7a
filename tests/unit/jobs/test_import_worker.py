"""CSV imports run on the worker; a worker killed (SIGKILL) in the middle of a big (100,000
rows in CI) import leaves nothing half-written: until the recovery its contacts are listed nowhere,
and the next worker undoes the run and marks it failed."""

from __future__ import annotations

import os

import pytest
from sqlmodel import func, select

from crm_app import db
from crm_app.models import AuditLog, Contact, ImportChange, ImportJob
from crm_app.services import agents, imports
from tests.unit.jobs.conftest import wait_for

# 30,000 rows (three write chunks: the kill lands mid-write) in every run; the 100,000-row
# case when CRM_TEST_SLOW is set, as .ci/run does: it took 82 s on SQLite alone on the shared
# 2-core machine (load ~17), over the fast suite's budget, and runs again on PostgreSQL.
SIZES = [
    30_000,
    pytest.param(
        100_000,
        marks=pytest.mark.skipif(
            not os.environ.get("CRM_TEST_SLOW"), reason="CRM_TEST_SLOW is not set (.ci/run sets it)"
        ),
    ),
]


@pytest.fixture()
def clinic(engine):
    with db.session_scope() as s:
        owner = agents.create_owner(s, "rosa@clinic.example", "Clinic", "Rosa", "Alvarez")
        agent = agents.create_agent(s, owner, "Front Desk", "front-desk")
        return owner, agent.id


def _big_csv(path, rows: int):
    with open(path, "w", encoding="utf-8") as out:
        out.write("First name,Last name,Email,Phone\n")
        for n in range(rows):
            out.write(f"Pat{n},Lee{n % 97},pat{n}@example.com,+1 415 555 {n % 10000:04d}\n")
    return path


def _job(job_id: int) -> ImportJob:
    with db.session_scope(read_only=True) as s:
        return s.get(ImportJob, job_id)


def _counts(job_id: int) -> dict:
    with db.session_scope(read_only=True) as s:

        def count(*where):
            return s.exec(select(func.count()).select_from(Contact).where(*where)).one()

        return {
            "listed": count(Contact.archived.is_(False)),
            "unfinished": count(Contact.archived.is_(None)),
            "undo_records": s.exec(
                select(func.count()).select_from(ImportChange).where(ImportChange.job_id == job_id)
            ).one(),
        }


@pytest.mark.parametrize("rows", SIZES)
def test_a_worker_killed_mid_import_leaves_nothing_half_written(
    clinic, real_queue, start_worker, tmp_path, rows
):
    owner, agent_id = clinic
    path = _big_csv(tmp_path / "big.csv", rows)
    with db.session_scope() as s:
        job = imports.create_job(s, owner, agent_id, "big.csv", path)
        imports.start_import(
            s, owner, agent_id, job["id"], job["mapping"], policy="fill", valid_only=False
        )
    assert _job(job["id"]).status == "queued" and real_queue.pending_count() == 1

    first = start_worker()
    wait_for(
        lambda: (j := _job(job["id"])).status == "importing" and j.processed >= imports.WRITE_ROWS,
        timeout=600,
        what="the worker to write its first chunks",
        worker=first,
    )
    first.kill()
    killed = _job(job["id"])
    assert killed.status == "importing" and killed.processed < rows, "killed too late"
    half = _counts(job["id"])
    assert half["listed"] == 0 and half["unfinished"] >= imports.WRITE_ROWS  # written, not shown

    second = start_worker()  # recovers at start: the first worker's process is gone
    wait_for(
        lambda: _job(job["id"]).status == "failed", timeout=300, what="the recovery", worker=second
    )
    failed = _job(job["id"])
    assert failed.message.startswith("The import was interrupted")
    assert _counts(job["id"]) == {"listed": 0, "unfinished": 0, "undo_records": 0}
    second.stop()
    with db.session_scope(read_only=True) as s:  # the worker's own decision, in the system's name
        entry = s.exec(select(AuditLog).order_by(AuditLog.id.desc())).first()
        assert (entry.user_label, entry.status) == ("Import recovery", "Failed")
