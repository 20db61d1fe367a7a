"""Agent conversations: visitors' chats, their messages and revised answers."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Column,
    Text,
)
from sqlmodel import Field, SQLModel

from crm_app.models.base import (
    created_field,
)

# ---------------------------------------------------------------- chat


class Conversation(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    agent_id: int = Field(foreign_key="agent.id", index=True)
    contact_id: str | None = Field(
        default=None, foreign_key="contact.id", index=True, max_length=24
    )
    visitor_id: str = Field(default="", max_length=64, index=True)
    title: str = Field(default="", max_length=200)
    created_at: datetime = created_field()
    updated_at: datetime = created_field()


class Message(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    conversation_id: int = Field(foreign_key="conversation.id", index=True)
    role: str = Field(max_length=10)  # visitor | agent | member
    content: str = Field(sa_column=Column(Text, nullable=False))
    created_at: datetime = created_field()


class RevisedAnswer(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    agent_id: int = Field(foreign_key="agent.id", index=True)
    question: str = Field(sa_column=Column(Text, nullable=False))
    answer: str = Field(sa_column=Column(Text, nullable=False))
    created_by_id: int | None = Field(default=None, foreign_key="user.id")
    created_at: datetime = created_field()
