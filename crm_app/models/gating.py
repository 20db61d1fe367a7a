"""Gated agents: access passes, payment events and the organization's payment settings."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from crm_app.models.base import (
    created_field,
    json_field,
    ts_field,
)

# ---------------------------------------------------------------- gating and payments


class AccessPass(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    agent_id: int = Field(foreign_key="agent.id", index=True)
    contact_id: str = Field(foreign_key="contact.id", index=True, max_length=24)
    checkout_session_id: str = Field(default="", max_length=200, index=True)
    amount: int = 0  # minor units
    currency: str = Field(default="usd", max_length=3)
    credits_left: int | None = None
    starts_at: datetime = created_field()
    expires_at: datetime | None = ts_field(nullable=True)
    revoked_at: datetime | None = ts_field(nullable=True)


class PaymentEvent(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    stripe_event_id: str = Field(max_length=100, unique=True)
    type: str = Field(max_length=60)
    agent_id: int | None = Field(default=None, foreign_key="agent.id")
    payload: dict = json_field({})
    received_at: datetime = created_field()


class OrgPaymentSettings(SQLModel, table=True):
    org_id: int = Field(foreign_key="organization.id", primary_key=True)
    stripe_secret_key: str = Field(default="", max_length=200)
    stripe_webhook_secret: str = Field(default="", max_length=200)
