"""An import whose process was killed (issue #10): its contacts never show as imported — not in
the list, the counts, the pipeline, nor the export — and start-up recovery (the worker's
start and its job every minute, the CLI's `migrate`) undoes it right away when its process is gone."""

from __future__ import annotations

import io
import subprocess
import sys

import pytest
from sqlmodel import func, select

from crm_app import cli, db
from crm_app.jobs.imports import recover_imports, recover_imports_periodically
from crm_app.models import Contact, ImportJob
from crm_app.services import (
    agents,
    contact_count,
    contact_list,
    export,
    imports,
    pipeline,
    timeline,
)
from crm_app.services.contact_list import ListQuery
from crm_app.services.errors import NotFound
from crm_app.services.imports import recovery
from crm_app.services.imports import run as import_run

from .test_import_service import _run_until_the_server_stops


def _exited_pid() -> int:
    """The pid of a process that has already ended."""
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def _set_runner(job_id: int, runner: str) -> None:
    with db.session_scope() as s:
        job = s.get(ImportJob, job_id)
        job.runner = runner
        s.add(job)


def _visible(world) -> dict:
    owner, agent_id = world["owner"], world["agent"]
    with db.session_scope(read_only=True) as s:
        rows = contact_list.list_page(s, owner, agent_id, ListQuery()).rows
        total = contact_list.count_matching(s, owner, agent_id, ListQuery())
        out = io.StringIO()
        export.export_contacts(s, owner, agent_id, out=out)
        board = pipeline.board(s, owner, agent_id, ListQuery())
        return {
            "list": sorted(r["email"] for r in rows),
            "total": total,
            "count": contact_count.count_contacts(s, owner, agent_id),
            "agents": {a["id"]: a for a in agents.list_agents(s, owner)}[agent_id]["contacts"],
            "export_rows": out.getvalue().count("\r\n") - 1,
            "board": sum(len(column["cards"]) for column in board),
            "archived": contact_list.count_matching(s, owner, agent_id, ListQuery(archived=True)),
        }


ONLY_ANN = {
    "list": ["ann@example.com"],
    "total": 1,
    "count": 1,
    "agents": 1,
    "export_rows": 1,
    "board": 1,
    "archived": 0,
}


def test_a_killed_run_shows_none_of_its_contacts_and_start_up_recovery_undoes_it(
    world, tmp_path, monkeypatch
):
    job_id = _run_until_the_server_stops(world, tmp_path, monkeypatch)
    with db.session_scope(read_only=True) as s:  # its first chunks are committed...
        assert s.exec(select(func.count()).select_from(Contact)).one() == 4  # Ann and three
    assert _visible(world) == ONLY_ANN  # ...yet nowhere to be seen
    with db.session_scope(read_only=True) as s:
        hidden = [c.id for c in s.exec(select(Contact).where(Contact.archived.is_(None)))]
        assert len(hidden) == 3
        with pytest.raises(NotFound):
            timeline.contact_for(s, world["owner"], world["agent"], hidden[0])
        out = io.StringIO()
        assert export.export_contacts(s, world["owner"], world["agent"], ids=hidden, out=out) == 0

    _set_runner(job_id, f"{recovery.HOST}:{_exited_pid()}")
    assert recover_imports() == 1  # what the worker runs at start-up and every minute
    with db.session_scope(read_only=True) as s:
        job = s.get(ImportJob, job_id)
        assert job.status == "failed" and job.message.startswith("The import was interrupted")
        assert s.exec(select(func.count()).select_from(Contact)).one() == 1
    assert _visible(world) == ONLY_ANN
    assert recover_imports() == 0


def test_recovery_leaves_live_runs_alone(world, tmp_path, monkeypatch):
    job_id = _run_until_the_server_stops(world, tmp_path, monkeypatch)
    _set_runner(job_id, "another-host:4242")  # beating recently on another host: maybe just slow
    assert recover_imports() == 0
    _set_runner(job_id, recovery.runner_name())  # this very process, still running it
    monkeypatch.setattr(recovery, "LOCAL_RUNS", {job_id})
    assert recover_imports() == 0
    monkeypatch.setattr(
        recovery, "LOCAL_RUNS", set()
    )  # this pid, but a new process: the run is gone
    assert recover_imports() == 1


def test_the_cli_migrate_recovers_interrupted_imports(world, tmp_path, monkeypatch, capsys):
    job_id = _run_until_the_server_stops(world, tmp_path, monkeypatch)
    _set_runner(job_id, f"{recovery.HOST}:{_exited_pid()}")
    monkeypatch.setattr(cli, "migrate", lambda: None)  # the schema is there already
    assert cli.main(["migrate"]) == 0
    assert "Recovered 1 interrupted import: undone and marked failed." in capsys.readouterr().out
    with db.session_scope(read_only=True) as s:
        assert s.get(ImportJob, job_id).status == "failed"


@pytest.mark.parametrize("batch", [1, 2, imports.WRITE_ROWS])  # the new contacts appear in batches
def test_a_finished_run_shows_its_contacts(world, tmp_path, monkeypatch, batch):
    monkeypatch.setattr(import_run, "WRITE_ROWS", batch)
    path = tmp_path / "two.csv"
    path.write_text("Email\nnew1@example.com\nnew2@example.com\n")
    job = imports.import_file(lambda s: world["owner"], world["agent"], path)
    assert job["status"] == "done" and job["created"] == 2
    seen = _visible(world)
    assert seen["list"] == ["ann@example.com", "new1@example.com", "new2@example.com"]
    assert (seen["count"], seen["agents"], seen["export_rows"], seen["board"]) == (3, 3, 3, 3)


def test_the_worker_recovers_every_minute(world, tmp_path, monkeypatch):
    from datetime import datetime

    import crm_app.jobs.tasks  # noqa: F401  (what the worker registers)
    from crm_app.jobs.queue import huey

    assert recover_imports_periodically.task_class in {
        type(t) for t in huey._registry.periodic_tasks
    }
    assert all(
        recover_imports_periodically.s().validate_datetime(datetime(2026, 12, 3, 14, minute))
        for minute in range(60)
    )
    job_id = _run_until_the_server_stops(world, tmp_path, monkeypatch)
    _set_runner(job_id, f"{recovery.HOST}:{_exited_pid()}")
    assert recover_imports_periodically.call_local() == 1
    with db.session_scope(read_only=True) as s:
        assert s.get(ImportJob, job_id).status == "failed"
