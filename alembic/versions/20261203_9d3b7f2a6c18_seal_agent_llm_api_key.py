"""seal agent.llm_api_key (Fernet), column widened to 1000

Revision ID: 9d3b7f2a6c18
Revises: a7c3e9d1b5f2
Create Date: 2026-12-03 17:20:00

An agent's provider API key is stored sealed (services/secret_box.py: Fernet under a key
derived from the installation secret), which is longer than the plain key: the column
grows from 300 to 1000 characters, and keys already stored in plain text are sealed.
Downgrading unseals them again (a value that cannot be unsealed is cleared).
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel

from alembic import op

# revision identifiers, used by Alembic.
revision: str = "9d3b7f2a6c18"
down_revision: str | Sequence[str] | None = "a7c3e9d1b5f2"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_agent = sa.table("agent", sa.column("id", sa.Integer), sa.column("llm_api_key", sa.String))


def _rewrite(convert) -> None:
    bind = op.get_bind()
    rows = bind.execute(
        sa.select(_agent.c.id, _agent.c.llm_api_key).where(_agent.c.llm_api_key != "")
    ).all()
    for agent_id, stored in rows:
        value = convert(stored)
        if value != stored:
            bind.execute(_agent.update().where(_agent.c.id == agent_id).values(llm_api_key=value))


def upgrade() -> None:
    from crm_app.services import secret_box

    with op.batch_alter_table("agent", schema=None) as batch_op:
        batch_op.alter_column(
            "llm_api_key",
            existing_type=sqlmodel.sql.sqltypes.AutoString(length=300),
            type_=sqlmodel.sql.sqltypes.AutoString(length=1000),
            existing_nullable=False,
        )
    _rewrite(lambda v: v if secret_box.is_sealed(v) else secret_box.seal(v))


def downgrade() -> None:
    from crm_app.services import secret_box

    _rewrite(lambda v: (secret_box.unseal(v) or "")[:300])
    with op.batch_alter_table("agent", schema=None) as batch_op:
        batch_op.alter_column(
            "llm_api_key",
            existing_type=sqlmodel.sql.sqltypes.AutoString(length=1000),
            type_=sqlmodel.sql.sqltypes.AutoString(length=300),
            existing_nullable=False,
        )
