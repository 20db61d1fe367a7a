"""drop ratelimithit

Revision ID: f2b6d8a41c57
Revises: e5f1c2a9d7b3
Create Date: 2026-12-03 14:10:00

Rate limits are counted by services/rate_limits.py (in memory, or in Redis when
CRM_REDIS_URL is set); nothing writes this table any more. Its rows were short-lived
counts, so nothing is carried over.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel

from alembic import op
from crm_app.models import UTCDateTime

# revision identifiers, used by Alembic.
revision: str = "f2b6d8a41c57"
down_revision: str | Sequence[str] | None = "e5f1c2a9d7b3"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("ratelimithit", schema=None) as batch_op:
        batch_op.drop_index("ix_ratelimit_key_at")
    op.drop_table("ratelimithit")


def downgrade() -> None:
    op.create_table(
        "ratelimithit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("ratelimithit", schema=None) as batch_op:
        batch_op.create_index("ix_ratelimit_key_at", ["key", "at"], unique=False)
