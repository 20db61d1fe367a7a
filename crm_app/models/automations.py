"""Automations: assignment and starting-stage rules."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    UniqueConstraint,
)
from sqlmodel import Field, SQLModel

from crm_app.models.base import (
    created_field,
    json_field,
)

# ---------------------------------------------------------------- automations


class AssignmentRule(SQLModel, table=True):
    """Admin Assignment for one agent, creation method (manual|captured) and slot."""

    __table_args__ = (UniqueConstraint("agent_id", "method", "slot", name="uq_assignment_rule"),)

    id: int | None = Field(default=None, primary_key=True)
    agent_id: int = Field(foreign_key="agent.id")
    method: str = Field(max_length=10)  # manual | captured
    slot: str = Field(max_length=10)  # primary | secondary
    strategy: str = Field(max_length=20)  # creator | org_owner | selected | round_robin | none
    member_ids: list[int] = json_field([])  # user ids: [selected] or the round-robin order
    pointer: int = 0  # next round-robin turn; advanced in the creating transaction
    updated_at: datetime = created_field()


class StageRule(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("agent_id", "method", name="uq_stage_rule"),)

    id: int | None = Field(default=None, primary_key=True)
    agent_id: int = Field(foreign_key="agent.id")
    method: str = Field(max_length=10)  # Manual | Import | Chat | Form | API | Payment
    stage_id: int = Field(foreign_key="stage.id")
