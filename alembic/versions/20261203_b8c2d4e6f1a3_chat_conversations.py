"""chat conversations: test, member, last message, form, captured; message feedback, status, data

Revision ID: b8c2d4e6f1a3
Revises: a7c3e19b5d20
Create Date: 2026-12-03 16:40:00

Conversations gain the Playground flag (`test`, `member_id`), `last_message_at` (set from
`updated_at` for existing rows), the form asked in the chat (`form_id`, cleared when the
form is deleted) with its walk (`form_walk`) and the values captured so far (`captured`); the single-column agent and
visitor indexes give way to (agent, visitor, last message), (agent, contact) and (agent,
last message). Messages gain `feedback`, `status` and `data`.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel

from alembic import op
from crm_app.models import UTCDateTime

# revision identifiers, used by Alembic.
revision: str = "b8c2d4e6f1a3"
down_revision: str | Sequence[str] | None = "a7c3e19b5d20"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("conversation", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("test", sa.Boolean(), server_default=sa.text("false"), nullable=False)
        )
        batch_op.add_column(sa.Column("member_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("form_id", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("captured", sa.JSON(), server_default=sa.text("'{}'"), nullable=False)
        )
        batch_op.add_column(
            sa.Column("form_walk", sa.JSON(), server_default=sa.text("'{}'"), nullable=False)
        )
        batch_op.add_column(sa.Column("last_message_at", UTCDateTime(), nullable=True))
        batch_op.create_foreign_key("fk_conversation_member_id_user", "user", ["member_id"], ["id"])
        batch_op.create_foreign_key(
            "fk_conversation_form_id_form", "form", ["form_id"], ["id"], ondelete="SET NULL"
        )
        batch_op.drop_index("ix_conversation_agent_id")
        batch_op.drop_index("ix_conversation_visitor_id")
    op.execute("UPDATE conversation SET last_message_at = updated_at")
    with op.batch_alter_table("conversation", schema=None) as batch_op:
        batch_op.alter_column("last_message_at", existing_type=UTCDateTime(), nullable=False)
        batch_op.create_index(
            "ix_conversation_agent_visitor_last",
            ["agent_id", "visitor_id", "last_message_at"],
            unique=False,
        )
        batch_op.create_index(
            "ix_conversation_agent_contact", ["agent_id", "contact_id"], unique=False
        )
        batch_op.create_index(
            "ix_conversation_agent_last", ["agent_id", "last_message_at"], unique=False
        )

    with op.batch_alter_table("message", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "feedback",
                sqlmodel.sql.sqltypes.AutoString(length=10),
                server_default="",
                nullable=False,
            )
        )
        batch_op.add_column(
            sa.Column(
                "status",
                sqlmodel.sql.sqltypes.AutoString(length=10),
                server_default="ok",
                nullable=False,
            )
        )
        batch_op.add_column(
            sa.Column("data", sa.JSON(), server_default=sa.text("'{}'"), nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("message", schema=None) as batch_op:
        batch_op.drop_column("data")
        batch_op.drop_column("status")
        batch_op.drop_column("feedback")

    with op.batch_alter_table("conversation", schema=None) as batch_op:
        batch_op.drop_index("ix_conversation_agent_last")
        batch_op.drop_index("ix_conversation_agent_contact")
        batch_op.drop_index("ix_conversation_agent_visitor_last")
        batch_op.create_index("ix_conversation_visitor_id", ["visitor_id"], unique=False)
        batch_op.create_index("ix_conversation_agent_id", ["agent_id"], unique=False)
        batch_op.drop_constraint("fk_conversation_form_id_form", type_="foreignkey")
        batch_op.drop_constraint("fk_conversation_member_id_user", type_="foreignkey")
        batch_op.drop_column("last_message_at")
        batch_op.drop_column("form_walk")
        batch_op.drop_column("captured")
        batch_op.drop_column("form_id")
        batch_op.drop_column("member_id")
        batch_op.drop_column("test")
