"""Shared test setup: keep every test away from the developer's real data and services.

On import (before any test module loads crm_app) the inherited CRM_* configuration is
removed and CRM_DATA_DIR points at a throw-away directory, so a test never writes to
./data, a production database or a real SMTP server. Suites put their own fixtures in
their folder's conftest.py; the fixtures here are opt-in:

- `engine`: the app's engine on a fresh database with all tables — SQLite, and again on
  PostgreSQL when CRM_TEST_POSTGRES_URL is set (a throw-away database per test) —;
  CRM_DATA_DIR is tmp_path. Service suites build their `world` on it.
- `make_member(session, org_name, email, role="Owner", org=None, *, agent_ids=(),
  first_name=None, last_name="Tester")`: a user with a membership (and the organization
  unless one is given).
- `add_member(session, org_id, email, role="User", agent_ids=(), *, first_name=None,
  last_name="Tester")`: the same in an existing organization, returned as its principal.
- `create_agent(session, org_id, name="Reception", slug=None, phone_region="US")`: an agent
  with the default contact fields and pipeline stages, as the agents service installs them.
- `db_env`: a fresh SQLite database in tmp_path with all tables, caches cleared.
- `pg_url`: CRM_TEST_POSTGRES_URL, or skip when it is not set.
- `pg_schema_url`: a URL for a fresh PostgreSQL schema (dropped afterwards), so tests on
  the shared `test` database never see each other's tables.
- `redis_url`: CRM_TEST_REDIS_URL, or skip when it is not set.

Jobs queued for the worker run at once, in the test's process (`huey.immediate`).
"""

from __future__ import annotations

import atexit
import os
import secrets
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import pytest

for _name in list(os.environ):
    if _name.startswith("CRM_") and not _name.startswith("CRM_TEST_"):
        del os.environ[_name]
_SESSION_DATA_DIR = tempfile.mkdtemp(prefix="crm-tests-")
atexit.register(shutil.rmtree, _SESSION_DATA_DIR, ignore_errors=True)
os.environ["CRM_DATA_DIR"] = _SESSION_DATA_DIR
os.environ.setdefault("REFLEX_TELEMETRY_ENABLED", "false")

# Background jobs (mail, events, imports) run at once in the test's process, in memory;
# tests of the worker itself turn this off and start a real one (tests/unit/jobs).
from crm_app.jobs.queue import huey  # noqa: E402

huey.immediate = True


def clear_config_caches() -> None:
    """Forget cached settings and engine so the next call reads the environment again."""
    from crm_app import db, settings

    settings.get_settings.cache_clear()
    db.get_engine.cache_clear()


@dataclass
class DbEnv:
    data_dir: Path
    database_url: str
    engine: object  # sqlalchemy.engine.Engine


@pytest.fixture
def db_env(tmp_path, monkeypatch):
    """A fresh SQLite file database with every table, wired into get_settings()/get_engine()."""
    from sqlmodel import SQLModel

    import crm_app.models  # noqa: F401  (registers the tables)
    from crm_app.db import get_engine
    from crm_app.settings import get_settings

    data_dir = tmp_path / "data"
    monkeypatch.setenv("CRM_DATA_DIR", str(data_dir))
    monkeypatch.delenv("CRM_DATABASE_URL", raising=False)
    clear_config_caches()
    engine = get_engine()
    SQLModel.metadata.create_all(engine)
    try:
        yield DbEnv(data_dir=data_dir, database_url=get_settings().database_url, engine=engine)
    finally:
        engine.dispose()
        clear_config_caches()


DATABASES = ["sqlite"] + (["postgresql"] if os.environ.get("CRM_TEST_POSTGRES_URL") else [])


@pytest.fixture(params=DATABASES)
def engine(request, tmp_path, monkeypatch):
    from sqlalchemy import create_engine, text
    from sqlmodel import SQLModel

    import crm_app.models  # noqa: F401  (registers the tables)
    from crm_app.db import get_engine, make_engine

    monkeypatch.setenv("CRM_DATA_DIR", str(tmp_path))
    admin = name = None
    if request.param == "postgresql":
        base = os.environ["CRM_TEST_POSTGRES_URL"]
        name = f"crm_t_{secrets.token_hex(5)}"
        admin = create_engine(make_engine(base).url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        monkeypatch.setenv("CRM_DATABASE_URL", base.rsplit("/", 1)[0] + "/" + name)
    else:
        monkeypatch.delenv("CRM_DATABASE_URL", raising=False)
    clear_config_caches()
    eng = get_engine()
    SQLModel.metadata.create_all(eng)
    try:
        yield eng
    finally:
        eng.dispose()
        clear_config_caches()
        if admin is not None:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
            admin.dispose()


@pytest.fixture()
def make_member():
    from crm_app.models import Membership, Organization, User

    def make(
        session,
        org_name: str,
        email: str,
        role: str = "Owner",
        org=None,
        *,
        agent_ids=(),
        first_name: str | None = None,
        last_name: str = "Tester",
    ):
        """A user with a membership (creating the organization unless one is given)."""
        if org is None:
            org = Organization(name=org_name)
            session.add(org)
        if first_name is None:
            first_name = email.split("@")[0].title()
        user = User(email=email, first_name=first_name, last_name=last_name)
        session.add(user)
        session.flush()
        session.add(
            Membership(org_id=org.id, user_id=user.id, role=role, agent_ids=list(agent_ids))
        )
        session.flush()
        return user, org

    return make


@pytest.fixture()
def add_member(make_member):
    from crm_app.models import Organization
    from crm_app.services.principal import member_of

    def add(
        session,
        org_id: int,
        email: str,
        role: str = "User",
        agent_ids=(),
        *,
        first_name: str | None = None,
        last_name: str = "Tester",
    ):
        """A member of an existing organization, as their principal."""
        org = session.get(Organization, org_id)
        user, _ = make_member(
            session,
            org.name,
            email,
            role,
            org,
            agent_ids=agent_ids,
            first_name=first_name,
            last_name=last_name,
        )
        return member_of(user, org_id, role, agent_ids)

    return add


@pytest.fixture()
def create_agent():
    from crm_app.models import Agent
    from crm_app.services import fields, stages

    def create(session, org_id: int, name: str = "Reception", slug=None, phone_region="US"):
        """An agent with the default fields and stages (services.agents.create_agent without
        the Admin principal and the audit entry)."""
        agent = Agent(
            org_id=org_id,
            name=name,
            slug=slug or name.lower().replace(" ", "-"),
            phone_region=phone_region,
        )
        session.add(agent)
        session.flush()
        fields.install_default_fields(session, agent.id)
        stages.install_default_stages(session, agent.id)
        return agent

    return create


@pytest.fixture
def pg_url() -> str:
    url = os.environ.get("CRM_TEST_POSTGRES_URL")
    if not url:
        pytest.skip("CRM_TEST_POSTGRES_URL is not set (PostgreSQL tests run in .ci/run)")
    return url


@pytest.fixture
def pg_schema_url(pg_url):
    """`pg_url` narrowed to a fresh, empty schema (search_path), dropped after the test."""
    from sqlalchemy import text

    from crm_app.db import make_engine

    schema = f"t_{secrets.token_hex(6)}"
    admin = make_engine(pg_url)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    separator = "&" if "?" in pg_url else "?"
    try:
        yield f"{pg_url}{separator}options={quote(f'-csearch_path={schema}')}"
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def redis_url() -> str:
    """CRM_TEST_REDIS_URL; under pytest-xdist each worker gets its own database number
    below the given one (gw0 the given, gw1 one less, ...), so queues never mix."""
    url = os.environ.get("CRM_TEST_REDIS_URL")
    if not url:
        pytest.skip("CRM_TEST_REDIS_URL is not set (Redis tests run in .ci/run)")
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    base, _, number = url.rpartition("/")
    if number.isdigit() and worker[2:].isdigit():
        url = f"{base}/{max(0, int(number) - int(worker[2:]))}"
    return url
