"""Forms service tests: a real SQLite file (and PostgreSQL when CRM_TEST_POSTGRES_URL is
set, in a fresh schema), two organizations, an Admin-run clinic with a User member."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from urllib.parse import quote

import pytest
from sqlalchemy import text
from sqlmodel import SQLModel

from crm_app import db, settings
from crm_app.models import Membership, User
from crm_app.services import agents, fields
from crm_app.services.access import Actor, actor_for

PG_URL = os.environ.get("CRM_TEST_POSTGRES_URL")


@pytest.fixture(params=["sqlite"] + (["postgresql"] if PG_URL else []))
def engine(request, tmp_path, monkeypatch):
    monkeypatch.setenv("CRM_DATA_DIR", str(tmp_path / "data"))
    admin = schema = None
    if request.param == "postgresql":
        schema = f"t_{secrets.token_hex(6)}"
        admin = db.make_engine(PG_URL)
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        sep = "&" if "?" in PG_URL else "?"
        monkeypatch.setenv("CRM_DATABASE_URL", f"{PG_URL}{sep}options={quote(f'-csearch_path={schema}')}")
    else:
        monkeypatch.delenv("CRM_DATABASE_URL", raising=False)
    monkeypatch.delenv("CRM_FORM_RATE_LIMIT", raising=False)
    settings.get_settings.cache_clear()
    db.get_engine.cache_clear()
    eng = db.get_engine()
    SQLModel.metadata.create_all(eng)
    yield eng
    eng.dispose()
    settings.get_settings.cache_clear()
    db.get_engine.cache_clear()
    if admin is not None:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


@dataclass
class World:
    owner: Actor
    user: Actor
    outsider: Actor
    agent_id: int
    other_agent_id: int


@pytest.fixture()
def world(engine) -> World:
    with db.session_scope() as s:
        owner = agents.create_owner(s, "rosa@harbor.example", "Harbor Clinic", "Rosa", "Alvarez")
        agent = agents.create_agent(s, owner, "Front Desk", "front-desk")
        fields.create_custom_field(s, owner, agent.id, label="Preferred clinic", type="Dropdown",
                                   options=["Downtown", "Harbor"])
        fields.create_custom_field(s, owner, agent.id, label="Visit notes", type="Long text")
        staff = User(email="sam@harbor.example", first_name="Sam")
        s.add(staff)
        s.flush()
        s.add(Membership(org_id=owner.org_id, user_id=staff.id, role="User", agent_ids=[agent.id]))
        s.flush()
        user = actor_for(s, staff.id, owner.org_id)
        outsider = agents.create_owner(s, "olga@other.example", "Other Org", "Olga")
        other_agent = agents.create_agent(s, outsider, "Shop", "shop")
        return World(owner, user, outsider, agent.id, other_agent.id)
