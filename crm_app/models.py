"""Database tables for the whole product. No Reflex import.

Conventions: integer surrogate keys, except contacts whose ids are 24-character opaque
strings; every timestamp is timezone-aware UTC; flexible per-record settings are
JSON columns; everything an agent owns carries `agent_id` (and so its organization).
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    Text,
    UniqueConstraint,
    event,
    func,
    literal_column,
)
from sqlalchemy.types import TypeDecorator
from sqlmodel import Field, SQLModel


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """Timezone-aware UTC datetimes on every database (SQLite hands back naive ones)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is not None and value.tzinfo is None:
            raise ValueError("naive datetime; use crm_app.models.utcnow()")
        return value.astimezone(UTC) if value is not None else None

    def process_result_value(self, value, dialect):
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value


def new_contact_id() -> str:
    return secrets.token_hex(12)


def _ts(nullable: bool = False, index: bool = False) -> Any:
    return Field(
        default=None,
        sa_column=Column(UTCDateTime(), nullable=nullable, index=index),
    )


def _created() -> Any:
    return Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))


def _json(default: Any) -> Any:
    return Field(
        default_factory=lambda: default.copy() if hasattr(default, "copy") else default,
        sa_column=Column(JSON, nullable=False),
    )


# ---------------------------------------------------------------- organizations, members


class Organization(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=120)
    created_at: datetime = _created()


class User(SQLModel, table=True):
    """A person who can sign in to the dashboard (global; membership ties them to orgs)."""

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, unique=True, index=True)
    first_name: str = Field(default="", max_length=50)
    last_name: str = Field(default="", max_length=50)
    created_at: datetime = _created()


class Membership(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("org_id", "user_id", name="uq_membership_org_user"),)

    id: int | None = Field(default=None, primary_key=True)
    org_id: int = Field(foreign_key="organization.id", index=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    role: str = Field(max_length=10)  # Owner | Admin | User
    # For role User: the agents they work in (list of agent ids). Owner/Admin see all.
    agent_ids: list[int] = _json([])
    created_at: datetime = _created()


class Invitation(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    org_id: int = Field(foreign_key="organization.id", index=True)
    email: str = Field(max_length=254, index=True)
    role: str = Field(max_length=10)
    agent_ids: list[int] = _json([])
    token_hash: str = Field(max_length=64, unique=True)
    invited_by_id: int | None = Field(default=None, foreign_key="user.id")
    status: str = Field(default="Pending", max_length=10)  # Pending | Accepted | Revoked
    created_at: datetime = _created()
    accepted_at: datetime | None = _ts(nullable=True)


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
    used_at: datetime | None = _ts(nullable=True)


class AuthSession(SQLModel, table=True):
    """Server-side session row behind an opaque cookie token (only its hash is stored)."""

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    org_id: int = Field(foreign_key="organization.id", index=True)
    ip: str = Field(default="", max_length=64)
    user_agent: str = Field(default="", max_length=300)
    created_at: datetime = _created()
    expires_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    revoked_at: datetime | None = _ts(nullable=True)


class SignInTicket(SQLModel, table=True):
    """One-time hand-off from a verified sign-in (websocket event or OIDC callback) to the
    HTTP route that sets the HttpOnly session cookie. Short-lived; only the hash is stored."""

    id: int | None = Field(default=None, primary_key=True)
    ticket_hash: str = Field(max_length=64, unique=True)
    user_id: int = Field(foreign_key="user.id")
    org_id: int = Field(foreign_key="organization.id")
    next_path: str = Field(default="/", max_length=300)
    expires_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    used_at: datetime | None = _ts(nullable=True)


class SentEmail(SQLModel, table=True):
    """Every outgoing email; the development mailbox page lists these."""

    id: int | None = Field(default=None, primary_key=True)
    to: str = Field(max_length=254, index=True)
    subject: str = Field(max_length=200)
    body: str = Field(sa_column=Column(Text, nullable=False))
    backend: str = Field(default="console", max_length=20)
    created_at: datetime = _created()


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
    created_at: datetime = _created()


class RateLimitHit(SQLModel, table=True):
    """One counted event for a rate-limit key; shared by every worker through the database."""

    __table_args__ = (Index("ix_ratelimit_key_at", "key", "at"),)

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=200)
    at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))


class FormTokenUse(SQLModel, table=True):
    """A public form's render token that a submission already used (services/spam.py): the
    primary key lets exactly one submission claim it, even from concurrent workers."""

    __table_args__ = (Index("ix_formtokenuse_used_at", "used_at"),)

    signature: str = Field(primary_key=True, max_length=64)
    used_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
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
    llm_api_key: str = Field(default="", max_length=300)
    visibility: str = Field(default="Private", max_length=10)  # Private | Public
    access_mode: str = Field(
        default="Use for Free", max_length=20
    )  # Use for Free | Restrict | Pay for Access
    paid_config: dict = _json({})
    # Bumped with every change to the agent's fields, stages, stage rules or team
    # (services/settings_cache.py), so worker processes can cache those settings.
    settings_rev: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    created_at: datetime = _created()


class ContactField(SQLModel, table=True):
    """A default (name, email, phone, gender) or custom contact field of one agent."""

    __table_args__ = (UniqueConstraint("agent_id", "key", name="uq_field_agent_key"),)

    id: int | None = Field(default=None, primary_key=True)
    agent_id: int = Field(foreign_key="agent.id", index=True)
    key: str = Field(max_length=60)
    label: str = Field(max_length=80)
    # Text | Long text | Number | Date | Dropdown | Multi-select | Checkbox | Email | Phone | URL
    type: str = Field(max_length=20)
    options: list[str] = _json([])
    required: bool = False
    ai_hint: str = Field(default="", max_length=500)
    allow_ai: bool = False
    is_default: bool = False
    position: int = 0
    archived_at: datetime | None = _ts(nullable=True)


class Stage(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    agent_id: int = Field(foreign_key="agent.id", index=True)
    name: str = Field(max_length=60)
    position: int = 0


# ---------------------------------------------------------------- contacts


class Contact(SQLModel, table=True):
    __table_args__ = (
        UniqueConstraint("agent_id", "email", name="uq_contact_agent_email"),
        UniqueConstraint("agent_id", "phone", name="uq_contact_agent_phone"),
        UniqueConstraint("agent_id", "external_ref", name="uq_contact_agent_extref"),
        # Every list query filters on (agent_id, archived): they lead each index so the
        # first page, sorts and counts are index range scans (see bench/README.md). The
        # list orders by (sort column, created_at, id): an index (column, created_at) both
        # sorts by the column and serves "column = x, newest first" wherever x's contacts are.
        Index("ix_contact_agent_archived_created", "agent_id", "archived", "created_at"),
        Index(
            "ix_contact_agent_archived_updated_created",
            "agent_id",
            "archived",
            "updated_at",
            "created_at",
        ),
        Index("ix_contact_agent_archived_name", "agent_id", "archived", "name_sort"),
        Index(
            "ix_contact_agent_archived_email_created", "agent_id", "archived", "email", "created_at"
        ),
        Index(
            "ix_contact_agent_archived_phone_created", "agent_id", "archived", "phone", "created_at"
        ),
        Index(
            "ix_contact_agent_archived_gender_created",
            "agent_id",
            "archived",
            "gender",
            "created_at",
        ),
        Index(
            "ix_contact_agent_archived_status_created",
            "agent_id",
            "archived",
            "status",
            "created_at",
        ),
        Index(
            "ix_contact_agent_archived_stage_created",
            "agent_id",
            "archived",
            "stage_id",
            "created_at",
        ),
        Index(
            "ix_contact_agent_archived_stage_owner_created",
            "agent_id",
            "archived",
            "stage_id",
            "primary_owner_id",
            "created_at",
        ),
        Index(
            "ix_contact_agent_archived_owner_created",
            "agent_id",
            "archived",
            "primary_owner_id",
            "created_at",
        ),
        Index(
            "ix_contact_agent_archived_source_created",
            "agent_id",
            "archived",
            "source",
            "created_at",
        ),
        # From a custom field's value entries to their contacts without reading the rows:
        # the capped count and the newest matches of a custom-field filter.
        Index("ix_contact_id_agent_archived_created", "id", "agent_id", "archived", "created_at"),
    )

    id: str = Field(default_factory=new_contact_id, primary_key=True, max_length=24)
    agent_id: int = Field(foreign_key="agent.id")
    external_ref: str | None = Field(default=None, max_length=100)
    name: str = Field(default="", max_length=200)
    name_sort: str = Field(default="", max_length=200)  # lower-cased name for search/sort
    email: str | None = Field(default=None, max_length=254)
    phone: str | None = Field(default=None, max_length=20)  # E.164
    gender: str | None = Field(default=None, max_length=20)
    source: str = Field(max_length=10)  # Chat | Form | Manual | Import | API | Payment
    stage_id: int | None = Field(default=None, foreign_key="stage.id")
    status: str = Field(default="Active", max_length=10)  # Active | Inactive | Blocked
    primary_owner_id: int | None = Field(default=None, foreign_key="user.id")
    secondary_owner_id: int | None = Field(default=None, foreign_key="user.id")
    # None: created by an import that has not finished. Every list, count, board and export
    # filters on `archived = <bool>`, which NULL never matches, so those contacts stay out
    # of sight at no cost; the import's last transaction sets False (imports.finish_created).
    archived: bool | None = Field(default=False, nullable=True)
    created_by_id: int | None = Field(default=None, foreign_key="user.id")
    # Which default/custom field keys a team member typed (automatic paths never overwrite them).
    member_set: list[str] = _json([])
    created_at: datetime = _created()
    updated_at: datetime = _created()


# Search on a name's later words ("lopez" finds "Maria Lopez"): ltrim() strips the first
# word's characters and leaves " lopez", which an expression index keeps in order. The
# search (services/contact_list.py) uses this very expression so both databases match it;
# the character list is inlined, not bound, for the same reason.
NAME_WORD_CHARS = (
    "abcdefghijklmnopqrstuvwxyz0123456789'’-."
    "àáâãäåæçèéêëìíîïðñòóôõöøùúûüýþÿāăąćčďđēėęěğīįıķĺľłńňōőœŕřśşšţťūůűųźżž"
)


def name_after_first_word(column):
    return func.ltrim(column, literal_column("'" + NAME_WORD_CHARS.replace("'", "''") + "'"))


Index(
    "ix_contact_agent_archived_later_words",
    Contact.agent_id,
    Contact.archived,
    name_after_first_word(Contact.name_sort),
)


def phone_last_digits(column, count: int):
    """The last `count` characters of a phone, for "ends with" searches ("555-0123",
    "0123"); the count is inlined so both databases match the expression index."""
    return func.substr(column, func.length(column) - literal_column(str(count - 1)))


Index(
    "ix_contact_agent_archived_phone_last4",
    Contact.agent_id,
    Contact.archived,
    phone_last_digits(Contact.phone, 4),
)


class ContactCount(SQLModel, table=True):
    """Each agent's non-archived contacts, kept by database triggers on `contact` in the
    same transaction as every insert, delete and archive (ORM, bulk SQL, COPY alike), so the
    list's exact total is a sum of a few rows instead of a count of a million. On SQLite one
    row per agent; on PostgreSQL one delta row per statement (no row every writer waits
    for), folded into one now and then (contact_list.count_contacts)."""

    id: int | None = Field(default=None, primary_key=True)
    # CASCADE: deleting an agent deletes its contacts first, whose triggers add rows here.
    agent_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("agent.id", ondelete="CASCADE"), index=True, nullable=False
        )
    )
    n: int = 0


def contact_count_ddl(dialect: str) -> list[str]:
    """The triggers keeping ContactCount, and the count of the contacts already there. The
    list counts `archived = false`; NULL (an unfinished import) counts once it turns false."""
    if dialect == "postgresql":
        return [
            """CREATE OR REPLACE FUNCTION contact_count_delta() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO contactcount (agent_id, n)
      SELECT agent_id, count(*) FROM new_rows WHERE archived = false GROUP BY agent_id;
  ELSIF TG_OP = 'DELETE' THEN
    INSERT INTO contactcount (agent_id, n)
      SELECT agent_id, -count(*) FROM old_rows WHERE archived = false GROUP BY agent_id;
  ELSE
    INSERT INTO contactcount (agent_id, n)
      SELECT agent_id, sum(d) FROM (
        SELECT agent_id, 1 AS d FROM new_rows WHERE archived = false
        UNION ALL SELECT agent_id, -1 FROM old_rows WHERE archived = false) AS changes
      GROUP BY agent_id HAVING sum(d) <> 0;
  END IF;
  RETURN NULL;
END $$""",
            "CREATE TRIGGER contact_count_insert AFTER INSERT ON contact REFERENCING NEW TABLE AS new_rows "
            "FOR EACH STATEMENT EXECUTE FUNCTION contact_count_delta()",
            "CREATE TRIGGER contact_count_delete AFTER DELETE ON contact REFERENCING OLD TABLE AS old_rows "
            "FOR EACH STATEMENT EXECUTE FUNCTION contact_count_delta()",
            "CREATE TRIGGER contact_count_update AFTER UPDATE ON contact REFERENCING OLD TABLE AS old_rows "
            "NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION contact_count_delta()",
            "INSERT INTO contactcount (agent_id, n) SELECT agent_id, count(*) FROM contact "
            "WHERE archived = false GROUP BY agent_id",
        ]
    add = (
        "INSERT INTO contactcount (agent_id, n) SELECT NEW.agent_id, 0 WHERE NEW.archived = 0 AND NOT EXISTS "
        "(SELECT 1 FROM contactcount WHERE agent_id = NEW.agent_id); "
        "UPDATE contactcount SET n = n + 1 WHERE agent_id = NEW.agent_id AND NEW.archived = 0;"
    )
    remove = "UPDATE contactcount SET n = n - 1 WHERE agent_id = OLD.agent_id AND OLD.archived = 0;"
    return [
        f"CREATE TRIGGER contact_count_insert AFTER INSERT ON contact WHEN NEW.archived = 0 BEGIN {add} END",
        f"CREATE TRIGGER contact_count_delete AFTER DELETE ON contact WHEN OLD.archived = 0 BEGIN {remove} END",
        "CREATE TRIGGER contact_count_update AFTER UPDATE OF archived, agent_id ON contact "
        f"WHEN OLD.archived = 0 OR NEW.archived = 0 BEGIN {remove} {add} END",
        "INSERT INTO contactcount (agent_id, n) SELECT agent_id, count(*) FROM contact "
        "WHERE archived = 0 GROUP BY agent_id",
    ]


CONTACT_COUNT_TRIGGERS = ("contact_count_insert", "contact_count_delete", "contact_count_update")


@event.listens_for(SQLModel.metadata, "after_create")
def _contact_count_triggers(metadata, connection, tables=(), **_kw) -> None:
    """create_all (tests, bench databases) gets the triggers the migration creates."""
    if any(t.name == "contactcount" for t in tables):
        for statement in contact_count_ddl(connection.dialect.name):
            connection.exec_driver_sql(statement)


class ContactValue(SQLModel, table=True):
    """One custom-field value of a contact (text form plus typed copies for filtering)."""

    # Covering index for custom-field filters: count and match without reading the rows.
    __table_args__ = (
        Index("ix_contactvalue_field_text_contact", "field_id", "value_text", "contact_id"),
    )

    contact_id: str = Field(foreign_key="contact.id", primary_key=True, max_length=24)
    field_id: int = Field(foreign_key="contactfield.id", primary_key=True)
    value_text: str = Field(default="", max_length=2000)
    value_num: float | None = None
    value_json: list | None = Field(default=None, sa_column=Column(JSON, nullable=True))


class SavedView(SQLModel, table=True):
    """A named contacts-list view: filters, sort and visible columns."""

    __table_args__ = (UniqueConstraint("agent_id", "user_id", "name", name="uq_savedview_name"),)

    id: int | None = Field(default=None, primary_key=True)
    agent_id: int = Field(foreign_key="agent.id", index=True)
    user_id: int = Field(foreign_key="user.id")
    name: str = Field(max_length=60)
    query: dict = _json({})
    columns: list[str] = _json([])
    created_at: datetime = _created()


class Note(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    contact_id: str = Field(foreign_key="contact.id", index=True, max_length=24)
    author_id: int | None = Field(default=None, foreign_key="user.id")
    html: str = Field(sa_column=Column(Text, nullable=False))
    pinned: bool = False
    created_at: datetime = _created()
    updated_at: datetime = _created()


class ContactFile(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    contact_id: str = Field(foreign_key="contact.id", index=True, max_length=24)
    uploader_id: int | None = Field(default=None, foreign_key="user.id")
    filename: str = Field(max_length=255)
    content_type: str = Field(max_length=100)
    size: int
    storage_key: str = Field(max_length=100, unique=True)
    created_at: datetime = _created()


class Activity(SQLModel, table=True):
    """The contact's timeline: who or what did what."""

    __table_args__ = (Index("ix_activity_contact_created", "contact_id", "created_at"),)

    id: int | None = Field(default=None, primary_key=True)
    contact_id: str = Field(foreign_key="contact.id", max_length=24)
    kind: str = Field(
        max_length=30
    )  # created | field | stage | owner | note | file | submission | ...
    actor_type: str = Field(
        max_length=12
    )  # member | agent | form | import | api | automation | payment
    actor_id: int | None = None
    actor_label: str = Field(default="", max_length=120)
    message: str = Field(max_length=1000)
    data: dict = _json({})
    created_at: datetime = _created()


# ---------------------------------------------------------------- forms


class Form(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    agent_id: int = Field(foreign_key="agent.id", index=True)
    name: str = Field(max_length=120)
    slug: str = Field(max_length=80, unique=True)
    status: str = Field(default="Draft", max_length=10)  # Draft | Published | Closed
    # Draft being edited: {"elements": [...], "settings": {...}}; published copies live in FormVersion.
    draft: dict = _json({})
    published_version: int | None = None
    created_at: datetime = _created()
    updated_at: datetime = _created()


class FormVersion(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("form_id", "version", name="uq_formversion"),)

    id: int | None = Field(default=None, primary_key=True)
    form_id: int = Field(foreign_key="form.id", index=True)
    version: int
    schema_: dict = Field(default_factory=dict, sa_column=Column("schema", JSON, nullable=False))
    created_at: datetime = _created()


class FormSubmission(SQLModel, table=True):
    __table_args__ = (Index("ix_formsubmission_form_created", "form_id", "created_at"),)

    id: int | None = Field(default=None, primary_key=True)
    form_id: int = Field(foreign_key="form.id")
    form_version_id: int = Field(foreign_key="formversion.id")
    contact_id: str | None = Field(
        default=None, foreign_key="contact.id", index=True, max_length=24
    )
    status: str = Field(default="New", max_length=10)  # New | Reviewed | Spam
    spam_reason: str = Field(default="", max_length=200)
    answers: dict = _json({})
    ip: str = Field(default="", max_length=64)
    created_at: datetime = _created()


# ---------------------------------------------------------------- automations


class AssignmentRule(SQLModel, table=True):
    """Admin Assignment for one agent, creation method (manual|captured) and slot."""

    __table_args__ = (UniqueConstraint("agent_id", "method", "slot", name="uq_assignment_rule"),)

    id: int | None = Field(default=None, primary_key=True)
    agent_id: int = Field(foreign_key="agent.id")
    method: str = Field(max_length=10)  # manual | captured
    slot: str = Field(max_length=10)  # primary | secondary
    strategy: str = Field(max_length=20)  # creator | org_owner | selected | round_robin | none
    member_ids: list[int] = _json([])  # user ids: [selected] or the round-robin order
    pointer: int = 0  # next round-robin turn; advanced in the creating transaction
    updated_at: datetime = _created()


class StageRule(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("agent_id", "method", name="uq_stage_rule"),)

    id: int | None = Field(default=None, primary_key=True)
    agent_id: int = Field(foreign_key="agent.id")
    method: str = Field(max_length=10)  # Manual | Import | Chat | Form | API | Payment
    stage_id: int = Field(foreign_key="stage.id")


# ---------------------------------------------------------------- chat


class Conversation(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    agent_id: int = Field(foreign_key="agent.id", index=True)
    contact_id: str | None = Field(
        default=None, foreign_key="contact.id", index=True, max_length=24
    )
    visitor_id: str = Field(default="", max_length=64, index=True)
    title: str = Field(default="", max_length=200)
    created_at: datetime = _created()
    updated_at: datetime = _created()


class Message(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    conversation_id: int = Field(foreign_key="conversation.id", index=True)
    role: str = Field(max_length=10)  # visitor | agent | member
    content: str = Field(sa_column=Column(Text, nullable=False))
    created_at: datetime = _created()


class RevisedAnswer(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    agent_id: int = Field(foreign_key="agent.id", index=True)
    question: str = Field(sa_column=Column(Text, nullable=False))
    answer: str = Field(sa_column=Column(Text, nullable=False))
    created_by_id: int | None = Field(default=None, foreign_key="user.id")
    created_at: datetime = _created()


# ---------------------------------------------------------------- gating and payments


class AccessPass(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    agent_id: int = Field(foreign_key="agent.id", index=True)
    contact_id: str = Field(foreign_key="contact.id", index=True, max_length=24)
    checkout_session_id: str = Field(default="", max_length=200, index=True)
    amount: int = 0  # minor units
    currency: str = Field(default="usd", max_length=3)
    credits_left: int | None = None
    starts_at: datetime = _created()
    expires_at: datetime | None = _ts(nullable=True)
    revoked_at: datetime | None = _ts(nullable=True)


class PaymentEvent(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    stripe_event_id: str = Field(max_length=100, unique=True)
    type: str = Field(max_length=60)
    agent_id: int | None = Field(default=None, foreign_key="agent.id")
    payload: dict = _json({})
    received_at: datetime = _created()


class OrgPaymentSettings(SQLModel, table=True):
    org_id: int = Field(foreign_key="organization.id", primary_key=True)
    stripe_secret_key: str = Field(default="", max_length=200)
    stripe_webhook_secret: str = Field(default="", max_length=200)


# ---------------------------------------------------------------- API and webhooks


class ApiKey(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    agent_id: int = Field(foreign_key="agent.id", index=True)
    name: str = Field(max_length=100)
    description: str = Field(default="", max_length=500)
    key: str = Field(max_length=64, unique=True)
    secret_hash: str = Field(max_length=64)
    allowed_ips: list[str] = _json([])
    permissions: list[str] = _json([])  # Create | Read | Update | Delete
    per_minute: int = 60
    per_hour: int = 1000
    expires_at: datetime | None = _ts(nullable=True)
    created_by_id: int | None = Field(default=None, foreign_key="user.id")
    created_at: datetime = _created()
    revoked_at: datetime | None = _ts(nullable=True)


class Webhook(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    agent_id: int = Field(foreign_key="agent.id", index=True)
    url: str = Field(max_length=500)
    events: list[str] = _json([])
    secret: str = Field(max_length=100)
    active: bool = True
    created_at: datetime = _created()


class WebhookDelivery(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    webhook_id: int = Field(foreign_key="webhook.id", index=True)
    event: str = Field(max_length=60)
    payload: dict = _json({})
    status: str = Field(default="pending", max_length=10)
    attempts: int = 0
    response_code: int | None = None
    next_attempt_at: datetime | None = _ts(nullable=True)
    created_at: datetime = _created()


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
    headers: list[str] = _json([])
    # uploaded | queued | checking | importing | done | failed | undone
    status: str = Field(default="uploaded", max_length=10)
    message: str = Field(default="", max_length=500)
    mapping: dict = _json({})  # header -> field key ("" ignores the column)
    policy: str = Field(default="fill", max_length=10)  # skip | fill | overwrite
    valid_only: bool = False
    total: int = 0
    processed: int = 0
    created: int = 0
    updated: int = 0
    skipped: int = 0
    failed: int = 0
    error_key: str = Field(default="", max_length=100)
    created_at: datetime = _created()
    started_at: datetime | None = _ts(nullable=True)
    heartbeat_at: datetime | None = _ts(nullable=True)  # the running import's last sign of life
    runner: str = Field(default="", max_length=100)  # "host:pid" of the process running it
    finished_at: datetime | None = _ts(nullable=True)
    undone_at: datetime | None = _ts(nullable=True)


class ImportChange(SQLModel, table=True):
    """What one import did to one contact, so the import can be undone."""

    __table_args__ = (UniqueConstraint("job_id", "contact_id", name="uq_importchange_job_contact"),)

    id: int | None = Field(default=None, primary_key=True)
    job_id: int = Field(foreign_key="importjob.id")
    contact_id: str = Field(max_length=24, index=True)  # no FK: undo must outlive a deleted contact
    kind: str = Field(max_length=10)  # created | updated
    # For updates, the values before the import: {"defaults": {key: old}, "custom": {field_id: [text, num, json] | None},
    # "external_ref": old}
    previous: dict = _json({})
