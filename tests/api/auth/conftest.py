"""A fresh database per test: SQLite in tmp_path, and PostgreSQL too when
CRM_TEST_POSTGRES_URL is set (each test in its own schema, dropped afterwards)."""

from __future__ import annotations

import os
import uuid

import pytest
import sqlalchemy as sa
from sqlmodel import Session, SQLModel

from crm_app import db, settings
from crm_app.models import Membership, Organization, User

BACKENDS = ["sqlite"] + (["postgres"] if os.environ.get("CRM_TEST_POSTGRES_URL") else [])


@pytest.fixture(params=BACKENDS)
def engine(request, tmp_path, monkeypatch):
    monkeypatch.setenv("CRM_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("CRM_DEV_MAILBOX", "1")
    monkeypatch.delenv("CRM_SMTP_URL", raising=False)
    schema = None
    if request.param == "postgres":
        base = os.environ["CRM_TEST_POSTGRES_URL"]
        schema = f"t_auth_{uuid.uuid4().hex[:12]}"
        admin = db.make_engine(base)
        with admin.begin() as conn:
            conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
        sep = "&" if "?" in base else "?"
        monkeypatch.setenv("CRM_DATABASE_URL", f"{base}{sep}options=-csearch_path%3D{schema}")
    else:
        monkeypatch.delenv("CRM_DATABASE_URL", raising=False)
    settings.get_settings.cache_clear()
    db.get_engine.cache_clear()
    eng = db.get_engine()
    SQLModel.metadata.create_all(eng)
    yield eng
    eng.dispose()
    if schema:
        with admin.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
    settings.get_settings.cache_clear()
    db.get_engine.cache_clear()


def _make_member(session: Session, org_name: str, email: str, role: str = "Owner", org: Organization | None = None):
    """A user with a membership (creating the organization unless one is given)."""
    if org is None:
        org = Organization(name=org_name)
        session.add(org)
    user = User(email=email, first_name=email.split("@")[0].title(), last_name="Tester")
    session.add(user)
    session.flush()
    session.add(Membership(org_id=org.id, user_id=user.id, role=role))
    session.flush()
    return user, org


@pytest.fixture()
def make_member():
    return _make_member
