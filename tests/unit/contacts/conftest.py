from __future__ import annotations

import os
import uuid

import pytest
from sqlalchemy import text
from sqlmodel import SQLModel

from crm_app import db, settings
from crm_app.models import Agent, ContactField, Membership, Organization, Stage, User
from crm_app.services.access import Actor

PG_URL = os.environ.get("CRM_TEST_POSTGRES_URL")


def _pg_database(url: str):
    """A throwaway PostgreSQL database for one test."""
    import sqlalchemy

    name = f"crm_t_{uuid.uuid4().hex[:10]}"
    admin = sqlalchemy.create_engine(db.make_engine(url).url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    return admin, name, url.rsplit("/", 1)[0] + "/" + name


@pytest.fixture(params=["sqlite"] + (["postgresql"] if PG_URL else []))
def engine(request, tmp_path, monkeypatch):
    monkeypatch.setenv("CRM_DATA_DIR", str(tmp_path))
    admin = name = None
    if request.param == "postgresql":
        admin, name, url = _pg_database(PG_URL)
        monkeypatch.setenv("CRM_DATABASE_URL", url)
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


@pytest.fixture()
def world(engine):
    """Two organizations, each with an owner and an agent with default fields and stages."""
    out = {}
    with db.session_scope() as s:
        for tag in ("clinic", "shop"):
            org = Organization(name=tag.title())
            owner = User(email=f"owner@{tag}.example", first_name="Dana", last_name=tag.title())
            s.add_all([org, owner])
            s.flush()
            s.add(Membership(org_id=org.id, user_id=owner.id, role="Owner"))
            agent = Agent(org_id=org.id, name="Reception", slug=f"reception-{tag}", phone_region="US")
            s.add(agent)
            s.flush()
            for pos, (key, label, ftype, opts) in enumerate([
                ("name", "Name", "Text", []), ("email", "Email", "Email", []),
                ("phone", "Mobile Number", "Phone", []),
                ("gender", "Gender", "Dropdown", ["Female", "Male", "Non-binary", "Prefer not to say"]),
            ]):
                s.add(ContactField(agent_id=agent.id, key=key, label=label, type=ftype, options=opts,
                                   is_default=True, position=pos))
            s.add(ContactField(agent_id=agent.id, key="insurance", label="Insurance provider", type="Dropdown",
                               options=["Aetna", "Cigna"], position=5))
            s.add(ContactField(agent_id=agent.id, key="visits", label="Visits", type="Number", position=6))
            for pos, name in enumerate(["Lead", "Prospect", "Customer", "Old Customer"]):
                s.add(Stage(agent_id=agent.id, name=name, position=pos))
            s.flush()
            out[tag] = {
                "agent_id": agent.id,
                "owner_id": owner.id,
                "actor": Actor(user_id=owner.id, org_id=org.id, role="Owner", email=owner.email,
                               first_name="Dana", last_name=tag.title()),
            }
    return out
