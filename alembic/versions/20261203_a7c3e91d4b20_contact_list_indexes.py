"""contact list indexes: (column, created_at) per filter/sort column, updated, phone suffix

Revision ID: a7c3e91d4b20
Revises: 17d23ed8a0ee
Create Date: 2026-12-03 10:00:00.000000

The list orders by (sort column, created_at, id); each index below serves a sort and the
"column = x, newest first" filter (issue #10, bench/README.md). On PostgreSQL the indexes are
built CONCURRENTLY, so a large contact table keeps taking writes during the upgrade.
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

# revision identifiers, used by Alembic.
revision: str = "a7c3e91d4b20"
down_revision: str | Sequence[str] | None = "17d23ed8a0ee"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NEW = {
    "ix_contact_agent_archived_updated_created": [
        "agent_id",
        "archived",
        "updated_at",
        "created_at",
    ],
    "ix_contact_agent_archived_email_created": ["agent_id", "archived", "email", "created_at"],
    "ix_contact_agent_archived_phone_created": ["agent_id", "archived", "phone", "created_at"],
    "ix_contact_agent_archived_gender_created": ["agent_id", "archived", "gender", "created_at"],
    "ix_contact_agent_archived_status_created": ["agent_id", "archived", "status", "created_at"],
    "ix_contact_agent_archived_stage_created": ["agent_id", "archived", "stage_id", "created_at"],
    "ix_contact_agent_archived_stage_owner_created": [
        "agent_id",
        "archived",
        "stage_id",
        "primary_owner_id",
        "created_at",
    ],
    "ix_contact_agent_archived_owner_created": [
        "agent_id",
        "archived",
        "primary_owner_id",
        "created_at",
    ],
    "ix_contact_agent_archived_source_created": ["agent_id", "archived", "source", "created_at"],
    "ix_contact_id_agent_archived_created": ["id", "agent_id", "archived", "created_at"],
    # models.phone_last_digits(Contact.phone, 4), written out: autogenerate skips expressions.
    "ix_contact_agent_archived_phone_last4": [
        "agent_id",
        "archived",
        sa.text("substr(phone, length(phone) - 3)"),
    ],
}
OLD = {
    "ix_contact_agent_archived_stage_owner": [
        "agent_id",
        "archived",
        "stage_id",
        "primary_owner_id",
    ],
    "ix_contact_agent_archived_email": ["agent_id", "archived", "email"],
}


def _swap(create: dict, drop: dict) -> None:
    if op.get_bind().dialect.name == "postgresql":
        with op.get_context().autocommit_block():
            for name, columns in create.items():
                op.create_index(
                    name, "contact", columns, postgresql_concurrently=True, if_not_exists=True
                )
            for name in drop:
                op.drop_index(
                    name, table_name="contact", postgresql_concurrently=True, if_exists=True
                )
    else:
        for name, columns in create.items():
            op.create_index(name, "contact", columns)
        for name in drop:
            op.drop_index(name, table_name="contact")


def upgrade() -> None:
    """Upgrade schema."""
    _swap(NEW, OLD)


def downgrade() -> None:
    """Downgrade schema."""
    _swap(OLD, NEW)
