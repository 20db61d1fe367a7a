"""CSV imports: the job and the changes it made (for undo)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Index,
    UniqueConstraint,
)
from sqlmodel import Field, SQLModel

from crm_app.models.base import (
    created_field,
    json_field,
    ts_field,
)

# ---------------------------------------------------------------- CSV import


class ImportJob(SQLModel, table=True):
    """One CSV import: the stored upload, the chosen mapping and options, progress, outcome."""

    __table_args__ = (Index("ix_importjob_agent_created", "agent_id", "created_at"),)

    id: int | None = Field(default=None, primary_key=True)
    agent_id: int = Field(foreign_key="agent.id")
    user_id: int = Field(
        foreign_key="user.id"
    )  # the importing member (the creator for automations)
    filename: str = Field(max_length=255)
    storage_key: str = Field(max_length=100, unique=True)  # private file under files/imports/
    size: int = 0
    encoding: str = Field(default="utf-8", max_length=20)
    delimiter: str = Field(default=",", max_length=2)
    has_header: bool = True
    headers: list[str] = json_field([])
    # uploaded | queued | checking | importing | done | failed | undone
    status: str = Field(default="uploaded", max_length=10)
    message: str = Field(default="", max_length=500)
    mapping: dict = json_field({})  # header -> field key ("" ignores the column)
    policy: str = Field(default="fill", max_length=10)  # skip | fill | overwrite
    valid_only: bool = False
    total: int = 0
    processed: int = 0
    created: int = 0
    updated: int = 0
    skipped: int = 0
    failed: int = 0
    error_key: str = Field(default="", max_length=100)
    created_at: datetime = created_field()
    started_at: datetime | None = ts_field(nullable=True)
    heartbeat_at: datetime | None = ts_field(
        nullable=True
    )  # the running import's last sign of life
    runner: str = Field(default="", max_length=100)  # "host:pid" of the process running it
    finished_at: datetime | None = ts_field(nullable=True)
    undone_at: datetime | None = ts_field(nullable=True)


class ImportChange(SQLModel, table=True):
    """What one import did to one contact, so the import can be undone."""

    __table_args__ = (UniqueConstraint("job_id", "contact_id", name="uq_importchange_job_contact"),)

    id: int | None = Field(default=None, primary_key=True)
    job_id: int = Field(foreign_key="importjob.id")
    contact_id: str = Field(max_length=24, index=True)  # no FK: undo must outlive a deleted contact
    kind: str = Field(max_length=10)  # created | updated
    # For updates, the values before the import: {"defaults": {key: old}, "custom": {field_id: [text, num, json] | None},
    # "external_ref": old}
    previous: dict = json_field({})
