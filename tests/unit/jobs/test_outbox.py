"""The outbox: an event is written with the change that caused it and published once by
the worker — also when a worker dies between the commit and the publish."""

from __future__ import annotations

from collections import Counter

import pytest
from sqlmodel import select

from crm_app import db
from crm_app.jobs.queue import huey
from crm_app.models import Organization, OutboxEvent
from crm_app.services import events
from tests.unit.jobs.conftest import wait_for


@pytest.fixture()
def published():
    seen: list[tuple[int, str, dict]] = []

    def record(session, event):
        seen.append((event.id, event.event_type, event.payload))

    events.add_publisher(record)
    yield seen
    events.remove_publisher(record)


def _state() -> list[tuple[str, bool]]:
    with db.session_scope() as s:
        rows = s.exec(select(OutboxEvent).order_by(OutboxEvent.id))
        return [(e.event_type, e.published_at is not None) for e in rows]


def test_an_event_commits_with_its_change_and_is_then_published(agent_id, published):
    with db.session_scope() as s:
        event = events.emit(s, agent_id, "contact.created", {"id": "c1"})
        assert published == []  # not before the commit
    assert published == [(event.id, "contact.created", {"id": "c1"})]
    assert _state() == [("contact.created", True)]


def test_no_event_from_a_rolled_back_change(agent_id, published):
    with pytest.raises(RuntimeError), db.session_scope() as s:
        s.add(Organization(name="Clinic"))
        events.emit(s, agent_id, "contact.deleted", {"id": "c1"})
        raise RuntimeError("the change failed")
    assert published == [] and _state() == []


def test_unknown_event_types_are_refused(agent_id):
    with pytest.raises(ValueError), db.session_scope() as s:
        events.emit(s, agent_id, "contact.exploded", {})


def test_publishing_is_idempotent_and_the_sweep_takes_what_was_left(
    agent_id, published, real_queue
):
    with db.session_scope() as s:
        first = events.emit(s, agent_id, "contact.updated", {"id": "c1"}).id
        second = events.emit(s, agent_id, "form.submitted", {"form_id": 3}).id
    huey.storage.flush_queue()  # their jobs are lost (the worker that took them died)
    assert events.sweep() == 0  # too young: their own jobs may still be on the way
    assert events.sweep(older_than=0) == 2
    assert events.publish(first) is False and events.sweep(older_than=0) == 0
    assert [p[0] for p in published] == [first, second]


def test_a_failing_publisher_leaves_the_event_for_later(agent_id, published, real_queue):
    def broken(session, event):
        raise ConnectionError("the hook is down")

    with db.session_scope() as s:
        event_id = events.emit(s, agent_id, "contact.created", {"id": "c1"}).id
    events.add_publisher(broken)
    try:
        with pytest.raises(ConnectionError):
            events.publish(event_id)
    finally:
        events.remove_publisher(broken)
    with db.session_scope() as s:
        assert s.get(OutboxEvent, event_id).attempts == 1
    assert _state() == [("contact.created", False)]
    assert events.sweep(older_than=0) == 1 and _state() == [("contact.created", True)]


DIE_ON_PUBLISH = """
import os, signal
from crm_app.services import events

def die(session, event):  # the worker is killed mid-publish, before the mark commits
    os.kill(os.getpid(), signal.SIGKILL)

events.add_publisher(die)
"""

RECORD_PUBLISHED = """
from crm_app.services import events

def record(session, event):
    with open({path!r}, "a") as out:
        out.write(f"{{event.id}}\\n")

events.add_publisher(record)
"""


def test_a_worker_killed_between_commit_and_publish_loses_nothing(
    agent_id, real_queue, start_worker, tmp_path
):
    with db.session_scope() as s:
        ids = [events.emit(s, agent_id, "contact.created", {"id": f"c{n}"}).id for n in range(5)]
    assert huey.pending_count() == 5  # committed, queued, not yet published

    doomed = start_worker(DIE_ON_PUBLISH, workers=1)
    doomed.proc.wait(timeout=60)  # it took a job and died publishing it
    assert doomed.proc.returncode == -9, doomed.output()
    assert _state() == [("contact.created", False)] * 5

    record = tmp_path / "published.txt"
    survivor = start_worker(RECORD_PUBLISHED.format(path=str(record)))
    wait_for(lambda: all(done for _, done in _state()), what="every event published")
    survivor.stop()
    # The job the dead worker took is gone; its start-up sweep published that event, and
    # the queued jobs of the rest found them published: each one exactly once.
    assert Counter(int(line) for line in record.read_text().split()) == Counter(ids)
