"""sent mail keeps no secrets: hide the codes and invitation links kept before

Revision ID: b3d9e2f1a6c4
Revises: a7c3e91d4b20
Create Date: 2026-12-03 10:40:00

The app now stores every mail with its codes and invitation tokens replaced by
"[hidden]" (crm_app/services/email.py); this applies the same to the rows written before.
"""

import re
from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

# revision identifiers, used by Alembic.
revision: str = "b3d9e2f1a6c4"
down_revision: str | Sequence[str] | None = "a7c3e91d4b20"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

HIDDEN = "[hidden]"
# The only secrets the app ever mailed: 6-digit sign-in codes and /invite/<token> links.
SECRETS = (re.compile(r"(?<!\d)\d{6}(?!\d)"), re.compile(r"(?<=/invite/)[A-Za-z0-9_-]+"))

sent_email = sa.table(
    "sentemail",
    sa.column("id", sa.Integer),
    sa.column("subject", sa.String),
    sa.column("body", sa.Text),
)


def _hide(text: str) -> str:
    for pattern in SECRETS:
        text = pattern.sub(HIDDEN, text)
    return text


def upgrade() -> None:
    bind = op.get_bind()
    rows = bind.execute(sa.select(sent_email.c.id, sent_email.c.subject, sent_email.c.body)).all()
    for row in rows:
        subject, body = _hide(row.subject), _hide(row.body)
        if (subject, body) != (row.subject, row.body):
            bind.execute(
                sent_email.update()
                .where(sent_email.c.id == row.id)
                .values(subject=subject, body=body)
            )


def downgrade() -> None:
    """Nothing to undo: the hidden secrets are gone (and were single-use or short-lived)."""
