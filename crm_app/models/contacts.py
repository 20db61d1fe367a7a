"""Contacts, their custom values, the per-agent count, saved views, notes, files, activity."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    Column,
    ForeignKey,
    Index,
    Integer,
    Text,
    UniqueConstraint,
    event,
    func,
    literal_column,
    text,
)
from sqlmodel import Field, SQLModel

from crm_app.models.base import (
    created_field,
    json_field,
    new_contact_id,
)

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
        # The four filter columns' indexes also hold the other three, so a count or a page of
        # two filters (a light owner's Blocked contacts) tests the second from the index.
        # The created and name orders also hold the searched columns and the id, so a
        # search or a custom-field filter walking them tests each contact from the index alone
        # (contact_list.WALK_INDEX) and reads only the page's rows. The id comes last: an
        # index ordered by (created, id) made SQLite walk it for "owner = x and status = y"
        # (it cannot tell a 2% owner from an average one) rather than sort that owner's rows.
        Index(
            "ix_contact_agent_archived_created_walk",
            "agent_id",
            "archived",
            "created_at",
            "name_sort",
            "email",
            "phone",
            "id",
        ),
        Index(
            "ix_contact_agent_archived_updated_created",
            "agent_id",
            "archived",
            "updated_at",
            "created_at",
        ),
        Index(
            "ix_contact_agent_archived_name_walk",
            "agent_id",
            "archived",
            "name_sort",
            "created_at",
            "email",
            "phone",
            "id",
        ),
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
            "ix_contact_agent_archived_status_created_cover",
            "agent_id",
            "archived",
            "status",
            "created_at",
            "stage_id",
            "primary_owner_id",
            "source",
        ),
        Index(
            "ix_contact_agent_archived_stage_created_cover",
            "agent_id",
            "archived",
            "stage_id",
            "created_at",
            "status",
            "primary_owner_id",
            "source",
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
            "ix_contact_agent_archived_owner_created_cover",
            "agent_id",
            "archived",
            "primary_owner_id",
            "created_at",
            "stage_id",
            "status",
            "source",
        ),
        Index(
            "ix_contact_agent_archived_source_created_cover",
            "agent_id",
            "archived",
            "source",
            "created_at",
            "stage_id",
            "status",
            "primary_owner_id",
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
    member_set: list[str] = json_field([])
    # Who set each value: member_set's keys (a default field's key, str(id) of a custom
    # field) -> {"kind": member|agent|form|import|api|payment, "label", "at", "v" (a
    # fingerprint of the value it describes), and for the agent "conversation_id",
    # "message_id"}; see services/provenance.py. Bulk inserts (imports) leave it '{}'.
    field_sources: dict = Field(
        default_factory=dict,
        sa_column=Column(JSON, nullable=False, server_default=text("'{}'")),
    )
    created_at: datetime = created_field()
    updated_at: datetime = created_field()


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
    for), folded into one now and then (contact_count.count_contacts)."""

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
    query: dict = json_field({})
    columns: list[str] = json_field([])
    created_at: datetime = created_field()


class Note(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    contact_id: str = Field(foreign_key="contact.id", index=True, max_length=24)
    author_id: int | None = Field(default=None, foreign_key="user.id")
    html: str = Field(sa_column=Column(Text, nullable=False))
    pinned: bool = False
    created_at: datetime = created_field()
    updated_at: datetime = created_field()


class ContactFile(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    contact_id: str = Field(foreign_key="contact.id", index=True, max_length=24)
    uploader_id: int | None = Field(default=None, foreign_key="user.id")
    filename: str = Field(max_length=255)
    content_type: str = Field(max_length=100)
    size: int
    storage_key: str = Field(max_length=100, unique=True)
    created_at: datetime = created_field()


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
    data: dict = json_field({})
    created_at: datetime = created_field()
