"""Provider API keys stored in plain text before sealing existed are sealed on upgrade, and
unsealed again on downgrade."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, pool, text

from alembic import command
from crm_app import db, settings
from crm_app.cli import alembic_config, migrate
from crm_app.services import secret_box


@pytest.fixture(autouse=True)
def _fresh_settings(tmp_path, monkeypatch):
    monkeypatch.setenv("CRM_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("CRM_DATABASE_URL", raising=False)
    settings.get_settings.cache_clear()
    db.get_engine.cache_clear()
    yield
    settings.get_settings.cache_clear()
    db.get_engine.cache_clear()


def _keys(engine) -> dict[str, str]:
    with engine.connect() as conn:
        return dict(conn.execute(text("SELECT slug, llm_api_key FROM agent")).all())


def test_plain_keys_are_sealed_on_upgrade_and_unsealed_on_downgrade(tmp_path):
    url = f"sqlite:///{tmp_path / 'old.db'}"
    command.upgrade(alembic_config(url), "9d3b7f2a6c18-1")  # just before this migration
    engine = create_engine(url, poolclass=pool.NullPool)
    with engine.begin() as conn:
        conn.execute(
            text("INSERT INTO organization (name, created_at) VALUES ('Org', CURRENT_TIMESTAMP)")
        )
        for slug, key in (("with-key", "sk-plain-123"), ("without-key", "")):
            conn.execute(
                text(
                    "INSERT INTO agent (org_id, name, slug, welcome_message, avatar_url, "
                    "phone_region, duplicate_policy, llm_provider, llm_base_url, llm_model, "
                    "llm_api_key, visibility, access_mode, paid_config, settings_rev, created_at) "
                    "VALUES (1, 'A', :slug, 'Hi', '', 'US', 'fill', 'openai', '', 'm', :key, "
                    "'Private', 'Use for Free', '{}', 0, CURRENT_TIMESTAMP)"
                ),
                {"slug": slug, "key": key},
            )
    try:
        migrate(url)
        stored = _keys(engine)
        assert stored["without-key"] == ""
        assert secret_box.is_sealed(stored["with-key"]) and "sk-plain" not in stored["with-key"]
        assert secret_box.unseal(stored["with-key"]) == "sk-plain-123"
        command.downgrade(alembic_config(url), "9d3b7f2a6c18-1")
        assert _keys(engine) == {"with-key": "sk-plain-123", "without-key": ""}
    finally:
        engine.dispose()
