"""Work that must follow the fate of a database transaction: run it after the commit
(enqueue a job, delete a file whose row is gone) or after a rollback (delete a file stored
for a row that was never written).

`on_commit(session, fn)` / `on_rollback(session, fn)` queue `fn` on the session. Only the
outermost transaction's end decides: SQLAlchemy also reports a savepoint's release and
rollback through `after_commit`/`after_rollback`, so a released savepoint hands what it
queued to the enclosing transaction, and a savepoint's rollback drops what was queued
inside it (running its `on_rollback` work). The queued work runs once the transaction has
ended and given its connection back, so it may open a session of its own.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from sqlalchemy import event
from sqlalchemy.orm import Session

log = logging.getLogger("crm.transactions")

_QUEUED = "crm_app.transaction_hooks"  # session.info: [(transaction, outcome, fn), ...]
_READY = "crm_app.transaction_hooks.ready"  # session.info: [fn, ...] to run at the end


def on_commit(session: Session, fn: Callable[[], object]) -> None:
    """Run `fn()` once the session's outermost transaction has committed (never if the
    transaction, or the savepoint `fn` was queued in, rolls back)."""
    _queue(session, "commit", fn)


def on_rollback(session: Session, fn: Callable[[], object]) -> None:
    """Run `fn()` if the transaction (or the savepoint it was queued in) rolls back."""
    _queue(session, "rollback", fn)


def _queue(session: Session, outcome: str, fn: Callable[[], object]) -> None:
    transaction = session.get_nested_transaction() or session.get_transaction()
    session.info.setdefault(_QUEUED, []).append((transaction, outcome, fn))


@event.listens_for(Session, "after_commit")
def _committed(session: Session) -> None:
    _ended(session, "commit")


@event.listens_for(Session, "after_rollback")
def _rolled_back(session: Session) -> None:
    _ended(session, "rollback")


def _ended(session: Session, outcome: str) -> None:
    queued = session.info.get(_QUEUED)
    if not queued:
        return
    savepoint = session.get_nested_transaction()
    if savepoint is None:  # the outermost transaction ended
        done, kept = queued, []
    elif outcome == "commit":  # a savepoint released: its work now waits on its parent
        done = []
        kept = [(savepoint.parent if tx is savepoint else tx, o, fn) for tx, o, fn in queued]
    else:  # a savepoint rolled back: forget what it queued
        done = [item for item in queued if item[0] is savepoint]
        kept = [item for item in queued if item[0] is not savepoint]
    if kept:
        session.info[_QUEUED] = kept
    else:
        del session.info[_QUEUED]
    ready = [fn for _, o, fn in done if o == outcome]
    if ready:
        session.info.setdefault(_READY, []).extend(ready)


@event.listens_for(Session, "after_transaction_end")
def _run_ready(session: Session, transaction) -> None:
    ready = session.info.pop(_READY, None)
    for fn in ready or ():
        try:
            fn()
        except Exception:  # the transaction's outcome stands; say what did not follow it
            log.exception("Work queued for after the transaction failed: %r", fn)
