"""The queue follows the settings: SQLite in the data directory, Redis with CRM_REDIS_URL;
jobs named in a transaction are enqueued after its commit and dropped on rollback."""

from __future__ import annotations

import stat

import pytest
from huey.storage import RedisStorage, SqliteStorage

from crm_app import db, settings
from crm_app.jobs import queue
from crm_app.jobs.queue import huey
from crm_app.models import Organization

ran: list[tuple] = []


def clear_config_caches() -> None:
    settings.get_settings.cache_clear()
    db.get_engine.cache_clear()


@queue.task("tests.record")
def record(*args) -> None:
    ran.append(args)


@pytest.fixture(autouse=True)
def _clear():
    ran.clear()


def test_sqlite_queue_file_in_the_data_directory_owner_only(db_env, real_queue):
    storage = huey.storage
    assert isinstance(storage, SqliteStorage)
    path = db_env.data_dir / queue.QUEUE_FILE
    assert storage.filename == str(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    queue.enqueue("tests.record", 1)
    assert huey.pending_count() == 1 and ran == []  # waits for a worker
    huey.execute(huey.dequeue())
    assert ran == [(1,)]


def test_settings_change_moves_the_queue(db_env, real_queue, tmp_path, monkeypatch):
    first = huey.storage
    monkeypatch.setenv("CRM_DATA_DIR", str(tmp_path / "other"))
    clear_config_caches()
    assert huey.storage is not first
    assert huey.storage.filename == str(tmp_path / "other" / queue.QUEUE_FILE)


@pytest.mark.redis
def test_redis_queue_when_crm_redis_url_is_set(db_env, real_queue, redis_url, monkeypatch):
    monkeypatch.setenv("CRM_REDIS_URL", redis_url)
    clear_config_caches()
    storage = huey.storage
    assert isinstance(storage, RedisStorage)
    storage.flush_queue()
    queue.enqueue("tests.record", "via redis")
    assert huey.pending_count() == 1
    huey.execute(huey.dequeue())
    assert ran == [("via redis",)]
    # another installation (another database) on the same Redis has its own queue
    monkeypatch.setenv("CRM_DATABASE_URL", f"sqlite:///{db_env.data_dir / 'other.db'}")
    clear_config_caches()
    assert huey.storage.name != storage.name


def test_after_commit_enqueues_once_committed(db_env):
    with db.session_scope() as session:
        session.add(Organization(name="Clinic"))
        queue.after_commit(session, "tests.record", "a")
        queue.after_commit(session, "tests.record", "b")
        session.flush()
        assert ran == []  # not while the transaction is open
    assert ran == [("a",), ("b",)]


def test_after_commit_drops_jobs_of_a_rolled_back_transaction(db_env):
    with pytest.raises(RuntimeError), db.session_scope() as session:
        session.add(Organization(name="Clinic"))
        queue.after_commit(session, "tests.record", "lost")
        raise RuntimeError("the change failed")
    with db.session_scope() as session:  # the session is reusable: later commits enqueue theirs
        queue.after_commit(session, "tests.record", "kept")
    assert ran == [("kept",)]


def test_savepoints_release_jobs_only_with_the_outer_commit(db_env):
    with db.session_scope() as session:
        with session.begin_nested():
            queue.after_commit(session, "tests.record", "kept")
        assert ran == []  # a released savepoint is not a commit
        with pytest.raises(RuntimeError), session.begin_nested():
            queue.after_commit(session, "tests.record", "undone")
            raise RuntimeError("this row failed")
        queue.after_commit(session, "tests.record", "later")
    assert ran == [("kept",), ("later",)]
