"""The outbox: events a change emits in its own transaction, published by the worker."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from crm_app.models.base import created_field, json_field, ts_field


class OutboxEvent(SQLModel, table=True):
    """One event (`contact.created`, …) about an agent's data. Written with the change that
    caused it; `published_at` is set in the transaction that hands it to the publishers, so
    an event is published once even when a worker dies or two sweeps meet."""

    id: int | None = Field(default=None, primary_key=True)
    agent_id: int = Field(foreign_key="agent.id", index=True)
    event_type: str = Field(max_length=60)
    payload: dict = json_field({})
    created_at: datetime = created_field()
    published_at: datetime | None = ts_field(nullable=True, index=True)
    attempts: int = 0  # failed publishing attempts (the sweep gives up after MAX_ATTEMPTS)
