"""SQLite transactions: writers serialize (BEGIN IMMEDIATE); read-only scopes don't block."""

from __future__ import annotations

import threading
import time

from sqlmodel import SQLModel, select

from crm_app import db
from crm_app.models import Organization


def test_read_only_scope_does_not_take_the_write_lock(tmp_path):
    engine = db.make_engine(f"sqlite:///{tmp_path / 'x.db'}")
    SQLModel.metadata.create_all(engine)
    with db.session_scope(engine) as s:
        s.add(Organization(name="A"))
    done = threading.Event()
    with db.session_scope(engine, read_only=True) as reader:
        assert reader.exec(select(Organization)).first().name == "A"

        def write():
            with db.session_scope(engine) as s:
                s.add(Organization(name="B"))
            done.set()

        t = threading.Thread(target=write)
        t.start()
        assert done.wait(5), "a writer waited for a reader"
        t.join()
    with db.session_scope(engine) as s:
        # a write scope holds the lock: a second writer waits until it commits
        s.add(Organization(name="C"))
        s.flush()
        started = time.monotonic()
        blocked = threading.Event()

        def write2():
            with db.session_scope(engine) as s2:
                s2.add(Organization(name="D"))
            blocked.set()

        t = threading.Thread(target=write2)
        t.start()
        assert not blocked.wait(0.5)
    t.join(5)
    assert blocked.is_set() and time.monotonic() - started >= 0.5
    with db.session_scope(engine, read_only=True) as s:
        assert sorted(o.name for o in s.exec(select(Organization))) == ["A", "B", "C", "D"]
    engine.dispose()
