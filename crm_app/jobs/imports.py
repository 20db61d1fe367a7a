"""CSV imports on the worker: recovering imports whose run died, every minute and when
the worker starts (the CLI's `migrate` too)."""

from __future__ import annotations

import logging

from huey import crontab

from crm_app.db import session_scope
from crm_app.jobs.queue import huey
from crm_app.services import imports

log = logging.getLogger("crm.jobs")


def recover_imports() -> int:
    """Undo and fail every import whose run died (see services/imports/recovery.py); how many."""
    with session_scope(read_only=True) as session:  # most rounds find nothing: no write lock
        if not imports.stalled_jobs(session):
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
