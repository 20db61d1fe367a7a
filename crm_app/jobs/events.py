"""The outbox on the worker: publish each event after its commit; sweep up what a crash
left behind, every minute and when the worker starts."""

from __future__ import annotations

from huey import crontab

from crm_app.jobs.queue import huey, task
from crm_app.services import events


@task(events.PUBLISH_TASK, retries=5, retry_delay=5, retry_backoff=2)
def publish_event(event_id: int) -> None:
    events.publish(event_id)


@task(events.PUBLISH_ALL_TASK)
def publish_all_events() -> int:
    return events.publish_all()


@huey.periodic_task(crontab(), name="events.sweep")
def sweep_events() -> int:
    return events.sweep()
