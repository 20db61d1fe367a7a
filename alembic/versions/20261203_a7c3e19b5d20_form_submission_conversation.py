"""form submission conversation

Revision ID: a7c3e19b5d20
Revises: f2b6d8a41c57
Create Date: 2026-12-03 16:45:00

A submission filed by the agent asking the form in chat (services/forms/chat.py) points at
that conversation.
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

# revision identifiers, used by Alembic.
revision: str = "a7c3e19b5d20"
down_revision: str | Sequence[str] | None = "f2b6d8a41c57"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("formsubmission", schema=None) as batch_op:
        batch_op.add_column(sa.Column("conversation_id", sa.Integer(), nullable=True))
        batch_op.create_index("ix_formsubmission_conversation_id", ["conversation_id"])
        batch_op.create_foreign_key(
            "fk_formsubmission_conversation_id", "conversation", ["conversation_id"], ["id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("formsubmission", schema=None) as batch_op:
        batch_op.drop_constraint("fk_formsubmission_conversation_id", type_="foreignkey")
        batch_op.drop_index("ix_formsubmission_conversation_id")
        batch_op.drop_column("conversation_id")
