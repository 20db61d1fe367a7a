"""form token use: a public form's render token is claimed by one submission

Revision ID: 17d23ed8a0ee
Revises: a7c1e0d4b2f9
Create Date: 2026-12-03 10:10:00.000000

"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel  # noqa: F401  (AutoString columns render as sqlmodel.sql.sqltypes.AutoString)

from alembic import op
from crm_app.models import UTCDateTime  # noqa: F401  (timezone-aware UTC timestamps)

# revision identifiers, used by Alembic.
revision: str = "17d23ed8a0ee"
down_revision: str | Sequence[str] | None = "a7c1e0d4b2f9"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "formtokenuse",
        sa.Column("signature", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("used_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("signature"),
    )
    with op.batch_alter_table("formtokenuse", schema=None) as batch_op:
        batch_op.create_index("ix_formtokenuse_used_at", ["used_at"], unique=False)


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("formtokenuse", schema=None) as batch_op:
        batch_op.drop_index("ix_formtokenuse_used_at")

    op.drop_table("formtokenuse")
