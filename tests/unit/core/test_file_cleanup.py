"""Files that follow a transaction (services/file_cleanup.py): removed after the commit of a
deletion, after the rollback of an insert, and only for the outermost transaction."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text
from sqlmodel import Session

from crm_app.services.file_cleanup import remove_after_commit, remove_after_rollback


@pytest.fixture()
def session(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'db.sqlite'}")
    with Session(engine) as s:
        yield s
    engine.dispose()


def _files(tmp_path, *names):
    paths = []
    for name in names:
        path = tmp_path / name
        path.write_bytes(b"x")
        paths.append(path)
    return paths


def test_a_deleted_file_goes_only_when_the_deletion_commits(session, tmp_path):
    kept, removed = _files(tmp_path, "kept", "removed")
    session.exec(text("SELECT 1"))
    remove_after_commit(session, [kept])
    session.rollback()
    assert kept.exists()
    session.exec(text("SELECT 1"))
    remove_after_commit(session, [removed])
    session.commit()
    assert not removed.exists()
    session.exec(text("SELECT 1"))
    session.commit()  # the earlier rollback forgot `kept`: a later commit leaves it alone
    assert kept.exists()


def test_a_stored_file_goes_when_its_insert_rolls_back(session, tmp_path):
    committed, rolled_back = _files(tmp_path, "committed", "rolled-back")
    session.exec(text("SELECT 1"))
    remove_after_rollback(session, [committed])
    session.commit()
    session.exec(text("SELECT 1"))
    session.rollback()
    assert committed.exists()
    session.exec(text("SELECT 1"))
    remove_after_rollback(session, [rolled_back])
    session.rollback()
    assert not rolled_back.exists()


def test_a_savepoint_is_not_the_end_of_the_transaction(session, tmp_path):
    released, undone, upload = _files(tmp_path, "released", "undone", "upload")
    session.exec(text("SELECT 1"))
    with session.begin_nested():
        remove_after_commit(session, [released])
    assert released.exists()  # the savepoint was released, nothing is committed yet
    savepoint = session.begin_nested()
    remove_after_commit(session, [undone])
    remove_after_rollback(session, [upload])
    savepoint.rollback()
    assert not upload.exists()  # stored inside the savepoint that was undone
    session.commit()
    assert not released.exists() and undone.exists()


def test_the_outer_rollback_keeps_what_a_released_savepoint_deleted(session, tmp_path):
    (path,) = _files(tmp_path, "file")
    session.exec(text("SELECT 1"))
    with session.begin_nested():
        remove_after_commit(session, [path])
    session.rollback()
    assert path.exists()
