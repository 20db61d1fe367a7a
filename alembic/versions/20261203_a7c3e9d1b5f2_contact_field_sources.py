"""contact field sources

Revision ID: a7c3e9d1b5f2
Revises: b8c2d4e6f1a3
Create Date: 2026-12-03 16:45:00

Every value a contact's fields hold records who set it (a member, the agent from a
conversation, a form, an import, the API, a payment): services/provenance.py. Existing
contacts start with none recorded, which reads as "set at creation by the contact's source".
Adding a column with a constant default is a metadata-only change on PostgreSQL 11+ and
SQLite (no table copy).
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

# revision identifiers, used by Alembic.
revision: str = "a7c3e9d1b5f2"
down_revision: str | Sequence[str] | None = "b8c2d4e6f1a3"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "contact",
        sa.Column("field_sources", sa.JSON(), server_default=sa.text("'{}'"), nullable=False),
    )


def downgrade() -> None:
    # A plain ALTER TABLE on SQLite too (3.35+): a batch copy of the table would lose the
    # contact-count triggers.
    op.execute("ALTER TABLE contact DROP COLUMN field_sources")
