"""contact count: each agent's non-archived contacts, kept by triggers

Revision ID: c4e8a2b7d915
Revises: b3d9e2f1a6c4
Create Date: 2026-12-03 10:50:00

The contacts list's "You have N contacts" summed a few rows instead of counting up to a
million (issue #10; models.ContactCount, models.contact_count_ddl). The table, its
triggers and the count of the existing contacts go in one transaction, so no write is
missed or counted twice.
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op
from crm_app.models import CONTACT_COUNT_TRIGGERS, contact_count_ddl

# revision identifiers, used by Alembic.
revision: str = "c4e8a2b7d915"
down_revision: str | Sequence[str] | None = "b3d9e2f1a6c4"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "contactcount",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agent_id", sa.Integer(), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["agent_id"], ["agent.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_contactcount_agent_id"), "contactcount", ["agent_id"], unique=False)
    for statement in contact_count_ddl(op.get_bind().dialect.name):
        op.execute(statement)


def downgrade() -> None:
    """Downgrade schema."""
    postgres = op.get_bind().dialect.name == "postgresql"
    for name in CONTACT_COUNT_TRIGGERS:
        op.execute(f"DROP TRIGGER {name} ON contact" if postgres else f"DROP TRIGGER {name}")
    if postgres:
        op.execute("DROP FUNCTION contact_count_delta()")
    op.drop_index(op.f("ix_contactcount_agent_id"), table_name="contactcount")
    op.drop_table("contactcount")
