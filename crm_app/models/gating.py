"""Gated agents (PRODUCT.md §9): who may chat with a Restrict or Pay for Access agent.

- `GuestSession`: a visitor signed in to one gated agent — their visitor key (the sha256 of
  the browser's opaque token, services/chat/visitors.py) tied to a contact until
  `expires_at` (30 days) or `ended_at` (signed out, or access lost).
- `AccessPass`: what a buyer paid for on a Pay for Access agent — until `expires_at` or
  until `credits_left` reaches 0, whichever comes first; `revoked_at` once refunded.
- `PaymentEvent`: every Stripe webhook event handled, by Stripe's event id (idempotency).
- `OrgPaymentSettings`: the organization's Stripe keys, sealed with services/secret_box.
- `ErasureRequest`: a signed-in visitor asked the team to erase what the CRM holds on them.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index
from sqlmodel import Field, SQLModel

from crm_app.models.base import (
    created_field,
    json_field,
    ts_field,
)

# ---------------------------------------------------------------- gating and payments


class GuestSession(SQLModel, table=True):
    __table_args__ = (Index("ix_guest_session_agent_visitor", "agent_id", "visitor_id"),)

    id: int | None = Field(default=None, primary_key=True)
    agent_id: int = Field(foreign_key="agent.id")
    visitor_id: str = Field(max_length=64)  # the visitor key (sha256 hex of the token)
    contact_id: str = Field(foreign_key="contact.id", index=True, max_length=24)
    email: str = Field(default="", max_length=320)  # the verified address
    via: str = Field(default="code", max_length=20)  # code | google | payment
    created_at: datetime = created_field()
    expires_at: datetime = ts_field()
    ended_at: datetime | None = ts_field(nullable=True)


class AccessPass(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    agent_id: int = Field(foreign_key="agent.id", index=True)
    contact_id: str = Field(foreign_key="contact.id", index=True, max_length=24)
    email: str = Field(default="", max_length=320)  # the buyer's address at checkout
    checkout_session_id: str = Field(default="", max_length=200, index=True)
    payment_intent_id: str = Field(default="", max_length=200, index=True)
    amount: int = 0  # minor units
    currency: str = Field(default="usd", max_length=3)
    credits_total: int | None = None  # what was bought (None: no credit limit)
    credits_left: int | None = None
    starts_at: datetime = created_field()
    expires_at: datetime | None = ts_field(nullable=True)
    refunded_amount: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
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
    # Both sealed with services/secret_box ("fernet:..."), never the plain key.
    stripe_secret_key: str = Field(default="", max_length=1000)
    stripe_webhook_secret: str = Field(default="", max_length=1000)
    key_hint: str = Field(default="", max_length=40)  # e.g. "sk_test_…4242", safe to show
    verified_at: datetime | None = ts_field(nullable=True)  # last successful Test connection
    updated_at: datetime | None = ts_field(nullable=True)


class ErasureRequest(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    agent_id: int = Field(foreign_key="agent.id", index=True)
    # Kept as text, not a foreign key: the request outlives the contact it erased.
    contact_id: str = Field(max_length=24, index=True)
    email: str = Field(default="", max_length=320)
    status: str = Field(default="open", max_length=10)  # open | erased | dismissed
    requested_at: datetime = created_field()
    handled_by: int | None = Field(default=None, foreign_key="user.id")
    handled_at: datetime | None = ts_field(nullable=True)
