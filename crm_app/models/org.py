"""Organizations and their members: users, memberships, invitations, sign-in, mail, audit."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Column,
    Index,
    Text,
    UniqueConstraint,
)
from sqlmodel import Field, SQLModel

from crm_app.models.base import (
    UTCDateTime,
    created_field,
    json_field,
    ts_field,
    utcnow,
)

# ---------------------------------------------------------------- organizations, members


class Organization(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=120)
    created_at: datetime = created_field()


class User(SQLModel, table=True):
    """A person who can sign in to the dashboard (global; membership ties them to orgs)."""

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, unique=True, index=True)
    first_name: str = Field(default="", max_length=50)
    last_name: str = Field(default="", max_length=50)
    created_at: datetime = created_field()

    @property
    def display_name(self) -> str:
        return person_name(self.first_name, self.last_name, self.email)


def person_name(first_name: str, last_name: str, email: str) -> str:
    """How the app names a person: "First Last", or the email when both names are empty."""
    return f"{first_name} {last_name}".strip() or email


class Membership(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("org_id", "user_id", name="uq_membership_org_user"),)

    id: int | None = Field(default=None, primary_key=True)
    org_id: int = Field(foreign_key="organization.id", index=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    role: str = Field(max_length=10)  # Owner | Admin | User
    # For role User: the agents they work in (list of agent ids). Owner/Admin see all.
    agent_ids: list[int] = json_field([])
    created_at: datetime = created_field()


class Invitation(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    org_id: int = Field(foreign_key="organization.id", index=True)
    email: str = Field(max_length=254, index=True)
    role: str = Field(max_length=10)
    agent_ids: list[int] = json_field([])
    token_hash: str = Field(max_length=64, unique=True)
    invited_by_id: int | None = Field(default=None, foreign_key="user.id")
    status: str = Field(default="Pending", max_length=10)  # Pending | Accepted | Revoked
    created_at: datetime = created_field()
    accepted_at: datetime | None = ts_field(nullable=True)


class LoginCode(SQLModel, table=True):
    """An emailed one-time code (dashboard sign-in, or a gated agent's visitor sign-in)."""

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, index=True)
    purpose: str = Field(default="dashboard", max_length=40, index=True)  # dashboard | agent:<id>
    code_hash: str | None = Field(default=None, max_length=64)  # None: nothing was sent
    ip: str = Field(default="", max_length=64, index=True)
    attempts: int = 0
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False, index=True)
    )
    expires_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    used_at: datetime | None = ts_field(nullable=True)


class AuthSession(SQLModel, table=True):
    """Server-side session row behind an opaque cookie token (only its hash is stored)."""

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    org_id: int = Field(foreign_key="organization.id", index=True)
    ip: str = Field(default="", max_length=64)
    user_agent: str = Field(default="", max_length=300)
    created_at: datetime = created_field()
    expires_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    revoked_at: datetime | None = ts_field(nullable=True)


class SignInTicket(SQLModel, table=True):
    """One-time hand-off from a verified sign-in (websocket event or OIDC callback) to the
    HTTP route that sets the HttpOnly session cookie. Short-lived; only the hash is stored."""

    id: int | None = Field(default=None, primary_key=True)
    ticket_hash: str = Field(max_length=64, unique=True)
    user_id: int = Field(foreign_key="user.id")
    org_id: int = Field(foreign_key="organization.id")
    next_path: str = Field(default="/", max_length=300)
    expires_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    used_at: datetime | None = ts_field(nullable=True)


class SentEmail(SQLModel, table=True):
    """Every outgoing email; the development mailbox page lists these."""

    id: int | None = Field(default=None, primary_key=True)
    to: str = Field(max_length=254, index=True)
    subject: str = Field(max_length=200)
    body: str = Field(sa_column=Column(Text, nullable=False))
    backend: str = Field(default="console", max_length=20)
    # queued (recorded, waiting for its transaction's commit and the worker) | sent | failed
    status: str = Field(default="sent", max_length=10)
    created_at: datetime = created_field()
    sent_at: datetime | None = ts_field(nullable=True)


class AuditLog(SQLModel, table=True):
    __table_args__ = (Index("ix_auditlog_org_created", "org_id", "created_at"),)

    id: int | None = Field(default=None, primary_key=True)
    org_id: int | None = Field(default=None, foreign_key="organization.id")
    user_id: int | None = Field(default=None, foreign_key="user.id", index=True)
    user_label: str = Field(default="", max_length=120)
    description: str = Field(max_length=500)
    action: str = Field(max_length=10)  # Create | Read | Update | Delete | Login | Logout
    resource: str = Field(max_length=60)
    status: str = Field(default="Success", max_length=10)  # Success | Failed
    ip: str = Field(default="", max_length=64)
    created_at: datetime = created_field()
