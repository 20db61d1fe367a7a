"""Engine and session helpers. No Reflex import."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

from sqlalchemy import event, make_url
from sqlalchemy.dialects.sqlite.base import SQLiteCompiler
from sqlalchemy.engine import Engine
from sqlmodel import Session, create_engine

from crm_app.settings import get_settings, private_dir, private_open


class _SQLiteHintCompiler(SQLiteCompiler):
    """Renders `select(...).with_hint(table, "INDEXED BY ix", "sqlite")`, which SQLAlchemy's
    SQLite compiler silently drops (the contacts list uses it to walk its sort index)."""

    def get_from_hint_text(self, table, text):
        return text


def private_sqlite_file(url: str) -> None:
    """Create a new SQLite database file owner-only (0600) before SQLite does (it would use
    0644 less the umask); SQLite gives its -wal and -shm files the database file's mode.
    Files an older version left readable to others are closed too. Other databases: nothing."""
    parsed = make_url(url)
    database = parsed.database
    if (
        parsed.get_backend_name() != "sqlite"
        or not database
        or database == ":memory:"
        or database.startswith("file:")
    ):
        return
    path = Path(database)
    if not path.exists():
        private_dir(path.parent)
        private_open(path, "ab").close()
    for each in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        if each.exists() and each.stat().st_mode & 0o077 and each.stat().st_uid == os.geteuid():
            os.chmod(each, 0o600)


def make_engine(url: str) -> Engine:
    private_sqlite_file(url)
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
        engine.dialect.statement_compiler = _SQLiteHintCompiler

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record):  # pragma: no cover - trivial
            # Let pysqlite's implicit BEGIN go; we issue BEGIN IMMEDIATE ourselves so
            # concurrent writers serialize instead of failing on lock upgrades.
            dbapi_conn.isolation_level = None
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(conn):  # pragma: no cover - trivial
            # Readers (read_only scopes) take a snapshot without the write lock.
            deferred = conn.get_execution_options().get("crm_read_only")
            conn.exec_driver_sql("BEGIN" if deferred else "BEGIN IMMEDIATE")

        return engine
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)


def serial_plans(session: Session) -> None:
    """PostgreSQL: the rest of this transaction plans without parallel workers. For short
    index walks (a list page) their start-up costs more than they save, and the planner,
    underestimating matches, would pick them."""
    if session.get_bind().dialect.name == "postgresql":
        session.connection().exec_driver_sql("SET LOCAL max_parallel_workers_per_gather = 0")


@lru_cache(maxsize=1)
def get_engine() -> Engine:
    return make_engine(get_settings().database_url)


@contextmanager
def session_scope(engine: Engine | None = None, *, read_only: bool = False) -> Iterator[Session]:
    """One unit of work: commit on success, roll back on any error.

    On SQLite every writing transaction starts with BEGIN IMMEDIATE, so writers queue
    instead of failing on lock upgrades; `read_only=True` (lists, exports, downloads)
    reads a snapshot without holding the write lock.
    """
    bind = engine or get_engine()
    if read_only:
        bind = bind.execution_options(crm_read_only=True)
    with Session(bind, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
