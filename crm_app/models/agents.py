"""Agents and the CRM settings of each: contact fields and pipeline stages."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    UniqueConstraint,
)
from sqlmodel import Field, SQLModel

from crm_app.models.base import (
    created_field,
    json_dict_field,
    json_field,
    ts_field,
)

# ---------------------------------------------------------------- agents and CRM settings


class Agent(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    org_id: int = Field(foreign_key="organization.id", index=True)
    name: str = Field(max_length=80)
    slug: str = Field(max_length=60, unique=True)
    welcome_message: str = Field(default="Hi! How can I help you today?", max_length=500)
    avatar_url: str = Field(default="", max_length=500)
    phone_region: str = Field(default="US", max_length=2)
    duplicate_policy: str = Field(default="fill", max_length=10)  # skip | fill | overwrite
    llm_provider: str = Field(default="offline", max_length=20)  # offline | openai
    llm_base_url: str = Field(default="", max_length=300)
    llm_model: str = Field(default="", max_length=100)
    # Sealed with services/secret_box ("fernet:..."), never the plain key; read it only
    # through services/agent_settings.engine_config.
    llm_api_key: str = Field(default="", max_length=1000)
    visibility: str = Field(default="Private", max_length=10)  # Private | Public
    access_mode: str = Field(
        default="Use for Free", max_length=20
    )  # Use for Free | Restrict | Pay for Access
    # Pay for Access offer: {"price": minor units, "currency": "usd", "days": int,
    # "credits": int} (services/payments/offer.py validates it).
    paid_config: dict = json_field({})
    # Restrict narrowed by CRM data: {"statuses": ["Active", ...], "stage_ids": [...]};
    # {} = every Active contact (services/gate/rules.py).
    gate_rule: dict = json_dict_field()
    # Bumped with every change to the agent's fields, stages, stage rules or team
    # (services/settings_cache.py), so worker processes can cache those settings.
    settings_rev: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    created_at: datetime = created_field()


class ContactField(SQLModel, table=True):
    """A default (name, email, phone, gender) or custom contact field of one agent."""

    __table_args__ = (UniqueConstraint("agent_id", "key", name="uq_field_agent_key"),)

    id: int | None = Field(default=None, primary_key=True)
    agent_id: int = Field(foreign_key="agent.id", index=True)
    key: str = Field(max_length=60)
    label: str = Field(max_length=80)
    # Text | Long text | Number | Date | Dropdown | Multi-select | Checkbox | Email | Phone | URL
    type: str = Field(max_length=20)
    options: list[str] = json_field([])
    required: bool = False
    ai_hint: str = Field(default="", max_length=500)
    allow_ai: bool = False
    is_default: bool = False
    position: int = 0
    archived_at: datetime | None = ts_field(nullable=True)


class Stage(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    agent_id: int = Field(foreign_key="agent.id", index=True)
    name: str = Field(max_length=60)
    position: int = 0
