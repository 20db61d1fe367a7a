"""Job tests: the queue in memory (eager) by default; `real_queue` and `start_worker` for
the real thing — the SQLite queue file in the test's data directory and worker processes
(`python -m crm_app.cli worker`'s code) started and killed by the test."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from crm_app import db
from crm_app.jobs.queue import huey
from crm_app.services import agents

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture()
def agent_id(engine) -> int:
    with db.session_scope() as s:
        owner = agents.create_owner(s, "rosa@clinic.example", "Clinic", "Rosa", "Alvarez")
        return agents.create_agent(s, owner, "Front Desk", "front-desk").id


@pytest.fixture()
def real_queue(monkeypatch):
    """Jobs go to the queue of the current settings (a file in CRM_DATA_DIR), not run eagerly."""
    monkeypatch.setattr(huey, "immediate", False)
    yield huey
    huey.storage.flush_all()


def wait_for(condition, timeout: float = 60.0, what: str = "condition", worker=None):
    """Poll `condition` until it is true; on time-out, show `worker`'s log."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    log = f"\n--- worker log ---\n{worker.output()[-4000:]}" if worker else ""
    raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}{log}")


class Worker:
    def __init__(self, proc: subprocess.Popen, log: Path):
        self.proc, self.log = proc, log

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def wait_started(self) -> None:
        wait_for(
            lambda: "Worker started" in self.output() or self.proc.poll() is not None, timeout=180
        )
        assert self.proc.poll() is None, self.output()

    def kill(self) -> None:
        """SIGKILL: no handler runs, nothing is cleaned up (and the process is reaped, so
        its pid no longer answers)."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=30)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()


@pytest.fixture()
def start_worker(tmp_path):
    """start_worker(setup="") -> Worker: a worker process on the test's settings; `setup`
    is Python run first (register a publisher, …). Every worker is stopped at the end."""
    started: list[Worker] = []

    def start(setup: str = "", workers: int = 2) -> Worker:
        code = (
            textwrap.dedent(setup) + f"\nfrom crm_app.jobs import worker\nworker.run({workers})\n"
        )
        log = tmp_path / f"worker-{len(started)}.log"
        with open(log, "w") as out:
            proc = subprocess.Popen(
                [sys.executable, "-c", code],
                cwd=ROOT,
                env=dict(os.environ),
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
            )
        worker = Worker(proc, log)
        started.append(worker)
        return worker

    yield start
    for worker in started:
        worker.stop()
