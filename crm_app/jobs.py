"""Work the app does on its own, in the app's process (until a job queue takes it over):
recovering imports whose run died, at start-up and then every minute."""

from __future__ import annotations

import asyncio
import logging

from crm_app.db import session_scope
from crm_app.services import imports

log = logging.getLogger("crm.jobs")
RECOVERY_INTERVAL_SECONDS = 60


def recover_imports() -> int:
    """Undo and fail every import whose run died (see services/imports/recovery.py); how many."""
    with session_scope(
        read_only=True
    ) as session:  # most rounds find nothing: no write lock for them
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


async def recover_imports_periodically() -> None:
    """The app's lifespan task: recover_imports now and every RECOVERY_INTERVAL_SECONDS."""
    while True:
        try:
            await asyncio.to_thread(recover_imports)
        except Exception:  # the database may be briefly away: try again at the next tick
            log.exception(
                "Recovering interrupted imports failed; retrying in %d s.",
                RECOVERY_INTERVAL_SECONDS,
            )
        await asyncio.sleep(RECOVERY_INTERVAL_SECONDS)
