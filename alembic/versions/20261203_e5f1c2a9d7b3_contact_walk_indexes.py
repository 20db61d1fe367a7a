"""contact walk and filter indexes hold the columns their walks test

Revision ID: e5f1c2a9d7b3
Revises: e5f1a9c3d702
Create Date: 2026-12-03 13:30:00.000000

A search or a custom-field filter with many matches walks the created or name index for one
page (services/contact_list.py). These wider indexes replace the two plain ones: with the
name, email, phone and id in the index the walk tests each contact without reading its row.
The status, stage, owner and source indexes also hold the other three of these four filter
columns, so two filters together are tested (and counted) from one index (issue #10,
bench/README.md). On PostgreSQL they are built CONCURRENTLY, so a large contact table keeps
taking writes during the upgrade.
"""

from collections.abc import Sequence

from alembic import op

# revision identifiers, used by Alembic.
revision: str = "e5f1c2a9d7b3"
down_revision: str | Sequence[str] | None = "e5f1a9c3d702"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NEW = {
    "ix_contact_agent_archived_created_walk": [
        "agent_id",
        "archived",
        "created_at",
        "name_sort",
        "email",
        "phone",
        "id",
    ],
    "ix_contact_agent_archived_name_walk": [
        "agent_id",
        "archived",
        "name_sort",
        "created_at",
        "email",
        "phone",
        "id",
    ],
    "ix_contact_agent_archived_stage_created_cover": [
        "agent_id",
        "archived",
        "stage_id",
        "created_at",
        "status",
        "primary_owner_id",
        "source",
    ],
    "ix_contact_agent_archived_status_created_cover": [
        "agent_id",
        "archived",
        "status",
        "created_at",
        "stage_id",
        "primary_owner_id",
        "source",
    ],
    "ix_contact_agent_archived_owner_created_cover": [
        "agent_id",
        "archived",
        "primary_owner_id",
        "created_at",
        "stage_id",
        "status",
        "source",
    ],
    "ix_contact_agent_archived_source_created_cover": [
        "agent_id",
        "archived",
        "source",
        "created_at",
        "stage_id",
        "status",
        "primary_owner_id",
    ],
}
OLD = {
    "ix_contact_agent_archived_created": ["agent_id", "archived", "created_at"],
    "ix_contact_agent_archived_name": ["agent_id", "archived", "name_sort"],
    "ix_contact_agent_archived_stage_created": ["agent_id", "archived", "stage_id", "created_at"],
    "ix_contact_agent_archived_status_created": ["agent_id", "archived", "status", "created_at"],
    "ix_contact_agent_archived_owner_created": [
        "agent_id",
        "archived",
        "primary_owner_id",
        "created_at",
    ],
    "ix_contact_agent_archived_source_created": ["agent_id", "archived", "source", "created_at"],
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
