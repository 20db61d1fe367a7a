"""The job queue: one Huey instance whose storage follows the settings.

SQLite (a file in the data directory) by default, Redis when CRM_REDIS_URL is set; the
task code is the same on both. The storage is built on first use and again whenever the
settings are read anew (tests point CRM_DATA_DIR elsewhere), so importing this module
creates no file. `huey.immediate = True` runs every task at once in the caller (tests).

Services never import task modules (those import services). They name a task instead:
`after_commit(session, "email.deliver", ...)` enqueues it once the caller's transaction
has committed, and drops it when the transaction rolls back — a job never sees data that
was not committed, and no network call happens inside a transaction.
"""

from __future__ import annotations

import hashlib
import importlib
import logging
from collections.abc import Callable
from functools import partial

from huey import Huey
from huey.api import TaskWrapper
from huey.storage import MemoryStorage, RedisStorage, SqliteStorage
from sqlmodel import Session

from crm_app.services.transaction_hooks import on_commit
from crm_app.settings import Settings, get_settings, private_open

log = logging.getLogger("crm.jobs")

QUEUE_NAME = "crm"
QUEUE_FILE = "jobs.db"  # in the data directory, when there is no Redis


class SettingsHuey(Huey):
    """Huey whose storage is SQLite or Redis as the current settings say."""

    _storage = None
    _storage_settings: Settings | None = None

    def create_storage(self):
        return None  # built lazily by the `storage` property

    @property
    def storage(self):
        if self._immediate and self.immediate_use_memory:
            if not isinstance(self._storage, MemoryStorage):
                self._storage, self._storage_settings = MemoryStorage(self.name), None
            return self._storage
        settings = get_settings()
        if self._storage is None or self._storage_settings is not settings:
            self._storage, self._storage_settings = storage_for(self.name, settings), settings
        return self._storage

    @storage.setter
    def storage(self, value) -> None:
        self._storage = value


def storage_for(name: str, settings: Settings):
    if settings.redis_url:
        # Installations sharing one Redis database (test runs, staging beside production)
        # must not take each other's jobs: the queue is named after the app's database.
        digest = hashlib.sha1(settings.database_url.encode()).hexdigest()[:10]
        return RedisStorage(f"{name}.{digest}", url=settings.redis_url)
    path = settings.data_dir / QUEUE_FILE
    if not path.exists():
        private_open(path, "ab").close()  # owner-only, like the database
    return SqliteStorage(name, filename=str(path))


huey = SettingsHuey(QUEUE_NAME, results=False, utc=True)

_TASKS: dict[str, TaskWrapper] = {}


def task(name: str, **options) -> Callable[[Callable], TaskWrapper]:
    """`huey.task(**options)` that also registers the task under `name` for after_commit."""

    def register(fn: Callable) -> TaskWrapper:
        wrapper = huey.task(name=name, **options)(fn)
        _TASKS[name] = wrapper
        return wrapper

    return register


def enqueue(name: str, *args) -> None:
    """Enqueue the task registered as `name` now."""
    if name not in _TASKS:
        importlib.import_module("crm_app.jobs.tasks")  # registers every task
    _TASKS[name](*args)


def after_commit(session: Session, name: str, *args) -> None:
    """Enqueue task `name(*args)` once `session`'s transaction commits (never if it, or the
    savepoint the task was named in, rolls back), after the transaction has given its
    connection back, so an eager job (tests) holds no second connection. A job lost here
    (the process died right after the commit) is what the periodic sweeps of the outbox and
    of the imports pick up."""
    on_commit(session, partial(_enqueue_logged, name, args))


def _enqueue_logged(name: str, args: tuple) -> None:
    try:
        enqueue(name, *args)
    except Exception:  # the queue is away: the rows wait for the sweep
        log.exception("Could not enqueue %s; the periodic sweep will pick it up.", name)
