"""Agent conversations: visitors' chats, their messages and revised answers.

A conversation belongs to one agent and one visitor: `visitor_id` is the sha256 hex of the
visitor's opaque token (services/chat/visitors.py), or "member:<user_id>" for a member
trying the agent in the Playground (`test` then True, `member_id` the member). `captured`
holds the field values the chat has captured so far (field key -> validated value);
`form_id`/`form_walk` the form the agent asks in this chat (services/forms/chat.py).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Column,
    Index,
    Text,
    text,
)
from sqlmodel import Field, SQLModel

from crm_app.models.base import (
    created_field,
    json_dict_field,
)

# ---------------------------------------------------------------- chat


class Conversation(SQLModel, table=True):
    __table_args__ = (
        # A visitor's chats with one agent, newest first (the chat page's list).
        Index("ix_conversation_agent_visitor_last", "agent_id", "visitor_id", "last_message_at"),
        # An agent's conversations by contact (History's users) and by recency.
        Index("ix_conversation_agent_contact", "agent_id", "contact_id"),
        Index("ix_conversation_agent_last", "agent_id", "last_message_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    agent_id: int = Field(foreign_key="agent.id")
    contact_id: str | None = Field(
        default=None, foreign_key="contact.id", index=True, max_length=24
    )
    visitor_id: str = Field(default="", max_length=64)
    title: str = Field(default="", max_length=200)
    test: bool = Field(default=False, sa_column_kwargs={"server_default": text("false")})
    member_id: int | None = Field(default=None, foreign_key="user.id")
    form_id: int | None = Field(default=None, foreign_key="form.id", ondelete="SET NULL")
    captured: dict = json_dict_field()
    # The form being asked in this chat, as services/forms/chat.py walks it ({} when none).
    form_walk: dict = json_dict_field()
    created_at: datetime = created_field()
    updated_at: datetime = created_field()
    last_message_at: datetime = created_field()


class Message(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    conversation_id: int = Field(foreign_key="conversation.id", index=True)
    role: str = Field(max_length=10)  # visitor | agent | member
    content: str = Field(sa_column=Column(Text, nullable=False))
    feedback: str = Field(default="", max_length=10, sa_column_kwargs={"server_default": ""})
    # ok | error (the provider failed: `content` is the visitor's apology, data["error"] the
    # detail for members) | pending (a reply being written)
    status: str = Field(default="ok", max_length=10, sa_column_kwargs={"server_default": "ok"})
    # captured keys, dropped values, the provider's error detail
    data: dict = json_dict_field()
    created_at: datetime = created_field()


class RevisedAnswer(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    agent_id: int = Field(foreign_key="agent.id", index=True)
    question: str = Field(sa_column=Column(Text, nullable=False))
    answer: str = Field(sa_column=Column(Text, nullable=False))
    created_by_id: int | None = Field(default=None, foreign_key="user.id")
    created_at: datetime = created_field()
