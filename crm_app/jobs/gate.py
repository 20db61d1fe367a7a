"""Restrict sign-in on the worker: the decision whether a requested code is emailed
(services/gate/signin.py), kept off the request so every address gets the same answer
in the same time."""

from __future__ import annotations

from crm_app.db import session_scope
from crm_app.jobs.queue import task
from crm_app.services.gate import signin


@task(signin.DELIVER_TASK, retries=3, retry_delay=5)
def deliver_code(code_id: int, agent_id: int) -> None:
    with session_scope() as session:
        signin.deliver_code(session, code_id, agent_id)
