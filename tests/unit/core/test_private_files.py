"""The data directory and everything the app writes into it are readable by the app's own
user only (directories 0700, files 0600), whatever the process umask."""

from __future__ import annotations

import io
import os
import stat
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlmodel import SQLModel

from crm_app import db, settings


def _mode(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.fixture()
def loose_umask():
    """The common default umask (022), which leaves new files readable by everyone."""
    old = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(old)


@pytest.fixture()
def fresh_data_dir(tmp_path, monkeypatch, loose_umask):
    data_dir = tmp_path / "nested" / "data"
    monkeypatch.setenv("CRM_DATA_DIR", str(data_dir))
    monkeypatch.delenv("CRM_DATABASE_URL", raising=False)
    monkeypatch.delenv("CRM_SECRET_KEY", raising=False)
    settings.get_settings.cache_clear()
    db.get_engine.cache_clear()
    yield data_dir
    db.get_engine().dispose()
    settings.get_settings.cache_clear()
    db.get_engine.cache_clear()


def test_data_dir_secret_and_sqlite_files_are_owner_only(fresh_data_dir):
    import crm_app.models  # noqa: F401  (registers the tables)

    engine = db.get_engine()
    SQLModel.metadata.create_all(engine)
    with engine.connect() as conn:  # WAL mode: a write creates crm.db-wal and crm.db-shm
        conn.execute(text("CREATE TABLE probe (x INTEGER)"))
        conn.commit()
    assert _mode(fresh_data_dir) == 0o700 and _mode(fresh_data_dir.parent) == 0o700
    names = {p.name for p in fresh_data_dir.iterdir()}
    assert {".secret_key", "crm.db", "crm.db-wal", "crm.db-shm"} <= names
    for name in (".secret_key", "crm.db", "crm.db-wal", "crm.db-shm"):
        assert _mode(fresh_data_dir / name) == 0o600, name


def test_the_database_made_by_migrate_is_owner_only(fresh_data_dir):
    """`make run` creates the database with `crm_app.cli migrate` (Alembic's own engine)."""
    from crm_app.cli import migrate

    migrate()
    for name in ("crm.db", "crm.db-wal", "crm.db-shm"):
        if (fresh_data_dir / name).exists():
            assert _mode(fresh_data_dir / name) == 0o600, name
    assert (fresh_data_dir / "crm.db").exists()


def test_an_existing_world_readable_data_dir_is_closed(fresh_data_dir):
    fresh_data_dir.mkdir(parents=True)
    os.chmod(fresh_data_dir, 0o755)
    settings.get_settings()
    assert _mode(fresh_data_dir) == 0o700


def test_contact_files_and_kept_imports_are_owner_only(engine, tmp_path, loose_umask):
    from crm_app.models import Agent
    from crm_app.services import agents, contacts, files, imports

    with db.session_scope() as s:
        owner = agents.create_owner(s, "rosa@clinic.example", "Clinic", "Rosa", "Alvarez")
        agent_id = agents.create_agent(s, owner, "Front Desk", "front-desk").id
        contact_id = contacts.save_contact(
            s,
            s.get(Agent, agent_id),
            {"name": "Ann Lee", "email": "ann@example.com"},
            source="Manual",
            origin=contacts.Origin("manual", ""),
        ).contact.id
        stored = files.add_file(
            s, owner, agent_id, contact_id, "scan.pdf", io.BytesIO(b"%PDF-1.4 ann")
        )
    csv_path = tmp_path / "people.csv"
    csv_path.write_text("Name,Email\nBea Diaz,bea@example.com\nNo Mail,not-an-email\n")
    job = imports.import_file(lambda s: owner, agent_id, csv_path, valid_only=True)
    assert job["has_errors"]

    root = settings.get_settings().files_dir
    written = list(root.rglob("*"))
    assert files.storage_path(stored.storage_key) in written
    kept_imports = [p.name for p in written if p.parent.name == "imports"]
    assert any(n.endswith("-errors.csv") for n in kept_imports) and any(
        not n.endswith("-errors.csv") for n in kept_imports
    )
    for path in [root, *written]:
        assert _mode(path) == (0o700 if path.is_dir() else 0o600), path


def test_a_postgresql_url_leaves_no_file_behind(tmp_path, monkeypatch):
    """Alembic's env.py closes the database file for every URL; a server URL has none."""
    monkeypatch.chdir(tmp_path)
    db.private_sqlite_file("postgresql://postgres@127.0.0.1:5432/crm")
    assert list(tmp_path.iterdir()) == []


def test_form_uploads_are_owner_only(fresh_data_dir, loose_umask):
    from crm_app.services import files, forms

    stored = forms.submit.store_upload(
        forms.UploadedFile("scan.pdf", io.BytesIO(b"%PDF-1.4 form answer"))
    )
    path = files.storage_path(stored["key"])
    assert _mode(path) == 0o600 and _mode(path.parent) == 0o700
