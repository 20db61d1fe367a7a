"""Mail stored before the sent-mail table stopped keeping secrets loses them on upgrade."""

from __future__ import annotations

from sqlalchemy import create_engine, pool, text

from alembic import command
from crm_app.cli import alembic_config, migrate


def test_upgrade_hides_codes_and_invitation_links_already_stored(tmp_path):
    url = f"sqlite:///{tmp_path / 'old.db'}"
    command.upgrade(alembic_config(url), "b3d9e2f1a6c4-1")  # just before this migration
    engine = create_engine(url, poolclass=pool.NullPool)
    rows = [
        (
            "ann@clinic.example",
            "042917 is your Agent CRM code",
            "Your one-time code is 042917\n\nIt expires in 10 minutes and works once.",
        ),
        (
            "sam@clinic.example",
            "You're invited to join Clinic on Agent CRM",
            "Accept the invitation:\nhttps://crm.example/invite/Qx3_-9aZ0bYtokenvalue\n\nSee you.",
        ),
    ]
    with engine.begin() as conn:
        for to, subject, body in rows:
            conn.execute(
                text(
                    'INSERT INTO sentemail ("to", subject, body, backend, created_at) '
                    "VALUES (:to, :subject, :body, 'console', CURRENT_TIMESTAMP)"
                ),
                {"to": to, "subject": subject, "body": body},
            )
    migrate(url)
    with engine.connect() as conn:
        stored = {
            row.to: (row.subject, row.body) for row in conn.execute(text("SELECT * FROM sentemail"))
        }
    engine.dispose()
    assert stored["ann@clinic.example"] == (
        "[hidden] is your Agent CRM code",
        "Your one-time code is [hidden]\n\nIt expires in 10 minutes and works once.",
    )
    assert stored["sam@clinic.example"][1] == (
        "Accept the invitation:\nhttps://crm.example/invite/[hidden]\n\nSee you."
    )
