"""The database every service test runs on: a SQLite file always, and a throwaway
PostgreSQL database too when CRM_TEST_POSTGRES_URL is set (each test parametrized)."""

from __future__ import annotations

import os
import uuid

import pytest
from sqlalchemy import create_engine, text
from sqlmodel import SQLModel

from crm_app import db, settings

PG_URL = os.environ.get("CRM_TEST_POSTGRES_URL")


@pytest.fixture(params=["sqlite"] + (["postgresql"] if PG_URL else []))
def engine(request, tmp_path, monkeypatch):
    monkeypatch.setenv("CRM_DATA_DIR", str(tmp_path))
    admin = name = None
    if request.param == "postgresql":
        name = f"crm_t_{uuid.uuid4().hex[:10]}"
        admin = create_engine(db.make_engine(PG_URL).url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        monkeypatch.setenv("CRM_DATABASE_URL", PG_URL.rsplit("/", 1)[0] + "/" + name)
    else:
        monkeypatch.delenv("CRM_DATABASE_URL", raising=False)
    settings.get_settings.cache_clear()
    db.get_engine.cache_clear()
    eng = db.get_engine()
    SQLModel.metadata.create_all(eng)
    yield eng
    eng.dispose()
    settings.get_settings.cache_clear()
    db.get_engine.cache_clear()
    if admin is not None:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        admin.dispose()
