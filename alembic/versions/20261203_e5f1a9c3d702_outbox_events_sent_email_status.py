"""outbox events; sent email status

Revision ID: e5f1a9c3d702
Revises: c4e8a2b7d915
Create Date: 2026-12-03 13:40:00

The outbox table (models.OutboxEvent: events written with the change that caused them and
published by the worker), and the delivery state of outgoing mail, which the worker now
sends after the commit: mail recorded before this revision was sent at once, so it is
`sent` at its creation time.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel

from alembic import op
from crm_app.models import UTCDateTime

# revision identifiers, used by Alembic.
revision: str = "e5f1a9c3d702"
down_revision: str | Sequence[str] | None = "c4e8a2b7d915"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "outboxevent",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agent_id", sa.Integer(), nullable=False),
        sa.Column("event_type", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("published_at", UTCDateTime(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["agent_id"], ["agent.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("outboxevent", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_outboxevent_agent_id"), ["agent_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_outboxevent_published_at"), ["published_at"], unique=False
        )

    with op.batch_alter_table("sentemail", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "status",
                sqlmodel.sql.sqltypes.AutoString(length=10),
                nullable=False,
                server_default="sent",
            )
        )
        batch_op.add_column(sa.Column("sent_at", UTCDateTime(), nullable=True))
    op.execute("UPDATE sentemail SET sent_at = created_at")
    with op.batch_alter_table("sentemail", schema=None) as batch_op:
        batch_op.alter_column("status", server_default=None)


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("sentemail", schema=None) as batch_op:
        batch_op.drop_column("sent_at")
        batch_op.drop_column("status")

    with op.batch_alter_table("outboxevent", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_outboxevent_published_at"))
        batch_op.drop_index(batch_op.f("ix_outboxevent_agent_id"))

    op.drop_table("outboxevent")
