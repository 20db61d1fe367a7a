"""Alembic migrations: an empty database upgrades to head and then matches the models exactly.

SQLite always; PostgreSQL in a throw-away database when CRM_TEST_POSTGRES_URL is set.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect, make_url, pool, text
from sqlmodel import SQLModel

import crm_app.models  # noqa: F401  (registers the tables)
from crm_app import db, settings
from crm_app.cli import alembic_config, migrate

ROOT = Path(__file__).resolve().parents[3]


def _psycopg(url: str) -> str:
    return url.replace("postgresql://", "postgresql+psycopg://", 1)


@pytest.fixture(autouse=True)
def _fresh_settings(tmp_path, monkeypatch):
    monkeypatch.setenv("CRM_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("CRM_DATABASE_URL", raising=False)
    settings.get_settings.cache_clear()
    db.get_engine.cache_clear()
    yield
    settings.get_settings.cache_clear()
    db.get_engine.cache_clear()


@pytest.fixture
def sqlite_url(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'migrated.db'}"


@pytest.fixture
def postgres_url():
    """A fresh database (not just a schema: migrations own alembic_version), dropped afterwards."""
    base = os.environ.get("CRM_TEST_POSTGRES_URL")
    if not base:
        pytest.skip("CRM_TEST_POSTGRES_URL is not set")
    name = f"crm_mig_{secrets.token_hex(6)}"
    server = make_url(_psycopg(base))
    admin = create_engine(
        server.set(database="postgres"), isolation_level="AUTOCOMMIT", poolclass=pool.NullPool
    )
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _differences(url: str) -> list:
    engine = create_engine(_psycopg(url), poolclass=pool.NullPool)
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            return compare_metadata(context, SQLModel.metadata)
    finally:
        engine.dispose()


def _tables(url: str) -> set[str]:
    engine = create_engine(_psycopg(url), poolclass=pool.NullPool)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_one_linear_history():
    script = ScriptDirectory.from_config(alembic_config())
    assert len(script.get_heads()) == 1
    assert len(list(script.walk_revisions())) >= 1


def test_sqlite_upgrade_from_empty_matches_the_models(sqlite_url):
    migrate(sqlite_url)
    assert set(SQLModel.metadata.tables) <= _tables(sqlite_url)
    assert _differences(sqlite_url) == []


def test_sqlite_downgrade_to_base_and_up_again(sqlite_url):
    migrate(sqlite_url)
    from alembic import command

    command.downgrade(alembic_config(sqlite_url), "base")
    assert _tables(sqlite_url) == {"alembic_version"}
    migrate(sqlite_url)
    assert _differences(sqlite_url) == []


def test_migrate_uses_the_configured_database(tmp_path, monkeypatch):
    """Without an explicit URL, env.py reads CRM_DATABASE_URL through crm_app.settings."""
    url = f"sqlite:///{tmp_path / 'from-env.db'}"
    monkeypatch.setenv("CRM_DATABASE_URL", url)
    settings.get_settings.cache_clear()
    migrate()
    assert "agent" in _tables(url)
    assert not (tmp_path / "data" / "crm.db").exists()


@pytest.mark.postgres
def test_postgres_upgrade_from_empty_matches_the_models(postgres_url):
    migrate(postgres_url)
    assert set(SQLModel.metadata.tables) <= _tables(postgres_url)
    assert _differences(postgres_url) == []


@pytest.mark.postgres
def test_postgres_downgrade_to_base(postgres_url):
    migrate(postgres_url)
    from alembic import command

    command.downgrade(alembic_config(postgres_url), "base")
    assert _tables(postgres_url) == {"alembic_version"}


_REFLEX_SCHEMA_CHECK = """
import sys
import rxconfig  # what every Reflex process loads first, then the app and its models
import crm_app.models
from reflex import model
from sqlalchemy import create_engine
with create_engine(sys.argv[1]).connect() as connection:
    print("changes" if model.alembic_autogenerate(connection=connection, write_migration_scripts=False) else "same")
"""


def test_reflex_start_up_schema_check_is_quiet(sqlite_url):
    """Reflex compares the models with the database at every start (in a fresh process, as
    here): no differences, and no warning about the expression index SQLite cannot reflect."""
    migrate(sqlite_url)
    result = subprocess.run(
        [sys.executable, "-c", _REFLEX_SCHEMA_CHECK, sqlite_url],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "same"
    assert "expression-based index" not in result.stderr
