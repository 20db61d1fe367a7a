"""Files on disk that follow the fate of a database transaction.

A row that names a stored file (a contact's file, a form upload, an import) and the file
itself cannot change together atomically. The rule everywhere: a file whose row is deleted
is removed once the deletion is committed (never before: a rollback keeps both), and a
file stored for a row that is being inserted is removed again if that insert is rolled
back (savepoints included: see transaction_hooks).
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial
from pathlib import Path

from sqlalchemy.orm import Session

from crm_app.services.transaction_hooks import on_commit, on_rollback


def remove_after_commit(session: Session, paths: Iterable[Path]) -> None:
    """Delete these files once the session's transaction commits."""
    on_commit(session, partial(unlink_quietly, [Path(p) for p in paths]))


def remove_after_rollback(session: Session, paths: Iterable[Path]) -> None:
    """Delete these (just stored) files if the session's transaction is rolled back."""
    on_rollback(session, partial(unlink_quietly, [Path(p) for p in paths]))


def unlink_quietly(paths: Iterable[Path]) -> None:
    """Delete files; one already gone is fine."""
    for path in paths:
        try:
            path.unlink()
        except FileNotFoundError:
            pass
