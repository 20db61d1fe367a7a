"""Files on disk that follow the fate of a database transaction.

A row that names a stored file (a contact's file, a form upload, an import) and the file
itself cannot change together atomically. The rule everywhere: a file whose row is deleted
is removed once the deletion is committed (never before: a rollback keeps both), and a
file stored for a row that is being inserted is removed again if that insert is rolled
back. Both are queued on the session (`session.info`) and acted on by two session-wide
listeners when the outermost transaction ends; a savepoint's rollback drops (and for
stored files removes) only what was queued inside it.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.orm import Session

_QUEUE = "crm_app.file_cleanup"  # session.info key: [(transaction, path, on), ...]


def remove_after_commit(session: Session, paths: Iterable[Path]) -> None:
    """Delete these files once the session's transaction commits."""
    _queue(session, paths, "commit")


def remove_after_rollback(session: Session, paths: Iterable[Path]) -> None:
    """Delete these (just stored) files if the session's transaction is rolled back."""
    _queue(session, paths, "rollback")


def unlink_quietly(paths: Iterable[Path]) -> None:
    """Delete files; one already gone is fine."""
    for path in paths:
        try:
            path.unlink()
        except FileNotFoundError:
            pass


def _queue(session: Session, paths: Iterable[Path], on: str) -> None:
    transaction = session.get_nested_transaction() or session.get_transaction()
    session.info.setdefault(_QUEUE, []).extend((transaction, Path(p), on) for p in paths)


@event.listens_for(Session, "after_commit")
def _committed(session: Session) -> None:
    _ended(session, "commit")


@event.listens_for(Session, "after_rollback")
def _rolled_back(session: Session) -> None:
    _ended(session, "rollback")


def _ended(session: Session, outcome: str) -> None:
    """A transaction ended with `outcome` (commit or rollback): act on what it queued. A
    savepoint's commit hands its queue to the enclosing transaction; its rollback forgets
    what it queued (removing the files stored inside it)."""
    queued = session.info.get(_QUEUE)
    if not queued:
        return
    savepoint = session.get_nested_transaction()
    if savepoint is None:
        done, kept = queued, []
    elif outcome == "commit":
        done = []
        kept = [(savepoint.parent if tx is savepoint else tx, p, on) for tx, p, on in queued]
    else:
        done = [item for item in queued if item[0] is savepoint]
        kept = [item for item in queued if item[0] is not savepoint]
    if kept:
        session.info[_QUEUE] = kept
    else:
        del session.info[_QUEUE]
    unlink_quietly(path for _, path, on in done if on == outcome)
