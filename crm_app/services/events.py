"""The outbox: `emit` records an event in the caller's transaction; the worker publishes it.

An event row commits or rolls back with the change it describes. Once committed, the job
queue publishes it (`publish`, a task named PUBLISH_TASK); a periodic sweep publishes the
rows a crash left behind (the process died between the commit and the enqueue, or the
worker died mid-publish). Publishing locks the row, hands it to every registered
publisher and marks it published in one transaction, so an event is published exactly
once however many tasks and sweeps reach it.

Publishers are plain functions `(session, event)`. They run inside that transaction:
whatever they write (a webhook delivery row, say) commits with the mark; a network call
belongs in a job they enqueue after commit (queue.after_commit), never in the publisher.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta

from sqlalchemy import insert
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from crm_app.db import session_scope
from crm_app.jobs.queue import after_commit
from crm_app.models import OutboxEvent, utcnow

log = logging.getLogger("crm.events")

EVENT_TYPES = frozenset(
    {
        "contact.created",
        "contact.updated",
        "contact.deleted",
        "form.submitted",
        "payment.completed",
        "payment.refunded",
    }
)
PUBLISH_TASK = "events.publish"
PUBLISH_ALL_TASK = "events.publish_all"  # after a bulk emit: every unpublished row, now
SWEEP_AFTER_SECONDS = 30  # younger unpublished rows are left to their own task
SWEEP_LIMIT = 500  # rows per sweep round
MAX_ATTEMPTS = 10  # failed publishing attempts before the sweep leaves a row alone

Publisher = Callable[[Session, OutboxEvent], None]
_publishers: list[Publisher] = []


def emit(session: Session, agent_id: int, event_type: str, payload: dict) -> OutboxEvent:
    """Record `event_type` about `agent_id`'s data in the caller's transaction; it is
    published after the commit (and never if the transaction rolls back)."""
    if event_type not in EVENT_TYPES:
        raise ValueError(f"unknown event type {event_type!r}")
    row = OutboxEvent(agent_id=agent_id, event_type=event_type, payload=payload)
    session.add(row)
    session.flush()
    after_commit(session, PUBLISH_TASK, row.id)
    return row


def emit_many(session: Session, agent_id: int, event_type: str, payloads: list[dict]) -> None:
    """`emit` for many events at once (a bulk delete): one insert, one job after commit."""
    if event_type not in EVENT_TYPES:
        raise ValueError(f"unknown event type {event_type!r}")
    if not payloads:
        return
    now = utcnow()
    session.execute(
        insert(OutboxEvent),
        [
            {
                "agent_id": agent_id,
                "event_type": event_type,
                "payload": p,
                "created_at": now,
                "attempts": 0,
            }
            for p in payloads
        ],
    )
    after_commit(session, PUBLISH_ALL_TASK)


def add_publisher(publisher: Publisher) -> Publisher:
    """Hand every published event to `publisher` too (usable as a decorator)."""
    if publisher not in _publishers:
        _publishers.append(publisher)
    return publisher


def remove_publisher(publisher: Publisher) -> None:
    if publisher in _publishers:
        _publishers.remove(publisher)


def event_dto(event: OutboxEvent) -> dict:
    return {
        "id": event.id,
        "agent_id": event.agent_id,
        "type": event.event_type,
        "payload": event.payload,
        "created_at": event.created_at.isoformat(),
    }


def _log_publisher(session: Session, event: OutboxEvent) -> None:
    log.debug("Published event %s %s (agent %s)", event.id, event.event_type, event.agent_id)


add_publisher(_log_publisher)


def publish(event_id: int, engine: Engine | None = None) -> bool:
    """Publish one event unless it already was; whether this call published it."""
    try:
        with session_scope(engine) as session:
            event = session.get(OutboxEvent, event_id, with_for_update=True)
            if event is None or event.published_at is not None:
                return False  # published by another task or sweep, or its agent is gone
            for publisher in list(_publishers):
                publisher(session, event)
            event.published_at = utcnow()
            session.add(event)
    except Exception:
        with session_scope(engine) as session:
            event = session.get(OutboxEvent, event_id, with_for_update=True)
            if event is not None and event.published_at is None:
                event.attempts += 1
                session.add(event)
        raise
    return True


def unpublished(session: Session, older_than: float = SWEEP_AFTER_SECONDS) -> list[int]:
    """Ids of committed events still unpublished after `older_than` seconds, oldest first."""
    return list(
        session.exec(
            select(OutboxEvent.id)
            .where(
                OutboxEvent.published_at.is_(None),
                OutboxEvent.attempts < MAX_ATTEMPTS,
                OutboxEvent.created_at <= utcnow() - timedelta(seconds=older_than),
            )
            .order_by(OutboxEvent.id)
            .limit(SWEEP_LIMIT)
        )
    )


def publish_all(engine: Engine | None = None) -> int:
    """Publish every unpublished event, round after round; how many."""
    total = 0
    while published := sweep(engine, older_than=0, quiet=True):
        total += published
    return total


def sweep(
    engine: Engine | None = None, older_than: float = SWEEP_AFTER_SECONDS, quiet: bool = False
) -> int:
    """Publish what a crash left behind (SWEEP_LIMIT at most); how many this round published."""
    with session_scope(engine, read_only=True) as session:
        ids = unpublished(session, older_than)
    published = 0
    for event_id in ids:
        try:
            published += publish(event_id, engine)
        except Exception:  # one bad event must not stop the others
            log.exception("Publishing event %s failed; the next sweep tries again.", event_id)
    if published and not quiet:
        log.warning("Swept up %d unpublished event%s.", published, "s"[: published != 1])
    return published
