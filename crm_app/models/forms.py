"""Forms: definitions, published versions, submissions and single-use render tokens."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    Column,
    Index,
    UniqueConstraint,
)
from sqlmodel import Field, SQLModel

from crm_app.models.base import (
    UTCDateTime,
    created_field,
    json_field,
    utcnow,
)


class FormTokenUse(SQLModel, table=True):
    """A public form's render token that a submission already used (services/spam.py): the
    primary key lets exactly one submission claim it, even from concurrent workers."""

    __table_args__ = (Index("ix_formtokenuse_used_at", "used_at"),)

    signature: str = Field(primary_key=True, max_length=64)
    used_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )


# ---------------------------------------------------------------- forms


class Form(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    agent_id: int = Field(foreign_key="agent.id", index=True)
    name: str = Field(max_length=120)
    slug: str = Field(max_length=80, unique=True)
    status: str = Field(default="Draft", max_length=10)  # Draft | Published | Closed
    # Draft being edited: {"elements": [...], "settings": {...}}; published copies live in FormVersion.
    draft: dict = json_field({})
    published_version: int | None = None
    created_at: datetime = created_field()
    updated_at: datetime = created_field()


class FormVersion(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("form_id", "version", name="uq_formversion"),)

    id: int | None = Field(default=None, primary_key=True)
    form_id: int = Field(foreign_key="form.id", index=True)
    version: int
    schema_: dict = Field(default_factory=dict, sa_column=Column("schema", JSON, nullable=False))
    created_at: datetime = created_field()


class FormSubmission(SQLModel, table=True):
    __table_args__ = (Index("ix_formsubmission_form_created", "form_id", "created_at"),)

    id: int | None = Field(default=None, primary_key=True)
    form_id: int = Field(foreign_key="form.id")
    form_version_id: int = Field(foreign_key="formversion.id")
    contact_id: str | None = Field(
        default=None, foreign_key="contact.id", index=True, max_length=24
    )
    # Filed by the agent asking the form in chat: that conversation.
    conversation_id: int | None = Field(default=None, foreign_key="conversation.id", index=True)
    status: str = Field(default="New", max_length=10)  # New | Reviewed | Spam
    spam_reason: str = Field(default="", max_length=200)
    answers: dict = json_field({})
    ip: str = Field(default="", max_length=64)
    created_at: datetime = created_field()
