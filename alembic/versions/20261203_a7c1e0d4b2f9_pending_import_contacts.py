"""contacts of an unfinished import (archived NULL), import runner

Revision ID: a7c1e0d4b2f9
Revises: 5e31591b47d6
Create Date: 2026-12-03 10:10:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel  # noqa: F401  (AutoString columns render as sqlmodel.sql.sqltypes.AutoString)

from alembic import op

# revision identifiers, used by Alembic.
revision: str = "a7c1e0d4b2f9"
down_revision: str | Sequence[str] | None = "5e31591b47d6"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# SQLite rebuilds the contact table to change a column and does not reflect expression
# indexes, so this one is dropped first and created again afterwards (as initial_schema has it).
LATER_WORDS = (
    "ix_contact_agent_archived_later_words",
    "contact",
    [
        "agent_id",
        "archived",
        sa.text(
            "ltrim(name_sort, 'abcdefghijklmnopqrstuvwxyz0123456789''’-.àáâãäåæçèéêëìíîïðñòóôõöøùúûüýþÿāăąćčďđēėęěğīįıķĺľłńňōőœŕřśşšţťūůűųźżž')"
        ),
    ],
)


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table("importjob", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "runner",
                sqlmodel.sql.sqltypes.AutoString(length=100),
                server_default="",
                nullable=False,
            )
        )
    op.drop_index(LATER_WORDS[0], table_name="contact")
    with op.batch_alter_table("contact", schema=None) as batch_op:
        batch_op.alter_column("archived", existing_type=sa.Boolean(), nullable=True)
    op.create_index(*LATER_WORDS)


def downgrade() -> None:
    """Downgrade schema."""
    op.execute("UPDATE contact SET archived = false WHERE archived IS NULL")
    op.drop_index(LATER_WORDS[0], table_name="contact")
    with op.batch_alter_table("contact", schema=None) as batch_op:
        batch_op.alter_column("archived", existing_type=sa.Boolean(), nullable=False)
    op.create_index(*LATER_WORDS)
    with op.batch_alter_table("importjob", schema=None) as batch_op:
        batch_op.drop_column("runner")
