"""Outgoing email on the worker: each message after its transaction committed, retried."""

from __future__ import annotations

from crm_app.jobs.queue import task
from crm_app.services import email

RETRIES = 6  # tries after the first: 10 s, 20 s, 40 s, 80 s, 160 s, 320 s apart (~10 min)


@task(email.DELIVER_TASK, retries=RETRIES, retry_delay=10, retry_backoff=2, context=True)
def deliver_email(email_id: int, to: str, subject: str, body: str, task=None) -> None:
    email.deliver(email_id, to, subject, body, last_try=task is None or task.retries == 0)
