"""The worker process: `python -m crm_app.cli worker`.

Huey's consumer installs signal handlers (SIGINT: finish the running tasks, then stop;
SIGTERM: stop now), so it runs as the main thread of its own process — `make run` starts
one beside the app, production runs as many as it needs. A worker killed mid-task loses
nothing that matters: the periodic sweeps (every minute, and here at start) undo an
interrupted import and publish events left behind.
"""

from __future__ import annotations

import logging

import crm_app.jobs.tasks  # noqa: F401  (registers every task)
from crm_app.jobs.imports import recover_imports
from crm_app.jobs.queue import huey
from crm_app.services import events

log = logging.getLogger("crm.jobs")

# An idle worker asks the queue for work at least every POLL_MAX_SECONDS (SQLite storage
# is polled; Redis blocks until a job comes), so a sign-in code is mailed within a second.
POLL_MAX_SECONDS = 0.5


def run(workers: int = 4) -> None:
    """Run the consumer in this process until it is signalled to stop."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    logging.getLogger("huey").setLevel(logging.WARNING)  # not a line per task run
    try:
        recover_imports()
        events.sweep(older_than=0)
    except Exception:  # the database may be away for a moment: the periodic sweeps retry
        log.exception("The start-up sweep failed; the periodic one will retry.")
    consumer = huey.create_consumer(
        workers=workers,
        worker_type="thread",
        initial_delay=0.05,
        backoff=1.5,
        max_delay=POLL_MAX_SECONDS,
        periodic=True,
    )
    log.info("Worker started: %d threads, queue %s", workers, type(huey.storage).__name__)
    consumer.run()
