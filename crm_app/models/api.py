"""The Open API: per-agent keys, webhooks and their deliveries."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from crm_app.models.base import (
    created_field,
    json_field,
    ts_field,
)

# ---------------------------------------------------------------- API and webhooks


class ApiKey(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    agent_id: int = Field(foreign_key="agent.id", index=True)
    name: str = Field(max_length=100)
    description: str = Field(default="", max_length=500)
    key: str = Field(max_length=64, unique=True)
    secret_hash: str = Field(max_length=64)
    allowed_ips: list[str] = json_field([])
    permissions: list[str] = json_field([])  # Create | Read | Update | Delete
    per_minute: int = 60
    per_hour: int = 1000
    expires_at: datetime | None = ts_field(nullable=True)
    created_by_id: int | None = Field(default=None, foreign_key="user.id")
    created_at: datetime = created_field()
    revoked_at: datetime | None = ts_field(nullable=True)


class Webhook(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    agent_id: int = Field(foreign_key="agent.id", index=True)
    url: str = Field(max_length=500)
    events: list[str] = json_field([])
    secret: str = Field(max_length=100)
    active: bool = True
    created_at: datetime = created_field()


class WebhookDelivery(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    webhook_id: int = Field(foreign_key="webhook.id", index=True)
    event: str = Field(max_length=60)
    payload: dict = json_field({})
    status: str = Field(default="pending", max_length=10)
    attempts: int = 0
    response_code: int | None = None
    next_attempt_at: datetime | None = ts_field(nullable=True)
    created_at: datetime = created_field()
