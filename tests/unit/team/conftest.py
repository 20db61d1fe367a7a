"""Fixtures for the Team / Profile / Audit service tests: a real database per test
(SQLite file; PostgreSQL too when CRM_TEST_POSTGRES_URL is set, in a fresh schema)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from crm_app import db
from crm_app.models import Organization
from crm_app.services import principal


@dataclass
class Team:
    org_id: int
    owner_id: int
    admin_id: int
    user_id: int
    agent_ids: list[int]
    other_org_id: int
    other_owner_id: int
    other_agent_id: int


@pytest.fixture()
def team(engine, add_member, create_agent) -> Team:
    """Clinic: Owner Olivia, Admin Adam, User Uma (works in the Reception agent);
    a second organization, Bakery, with its own Owner Bob and agent."""

    def member(s, org_id, email, first, last, role, agent_ids=()) -> int:
        return add_member(
            s, org_id, email, role, agent_ids, first_name=first, last_name=last
        ).user_id

    with db.session_scope() as s:
        clinic = Organization(name="Sunny Clinic")
        bakery = Organization(name="Bob's Bakery")
        s.add_all([clinic, bakery])
        s.flush()
        reception = create_agent(s, clinic.id, "Reception", "reception")
        billing = create_agent(s, clinic.id, "Billing", "billing")
        shop = create_agent(s, bakery.id, "Shop", "shop")
        owner = member(s, clinic.id, "olivia@clinic.example", "Olivia", "Owens", "Owner")
        admin = member(s, clinic.id, "adam@clinic.example", "Adam", "Ames", "Admin")
        user = member(s, clinic.id, "uma@clinic.example", "Uma", "Ulm", "User", [reception.id])
        other_owner = member(s, bakery.id, "bob@bakery.example", "Bob", "Baker", "Owner")
        return Team(
            clinic.id,
            owner,
            admin,
            user,
            [reception.id, billing.id],
            bakery.id,
            other_owner,
            shop.id,
        )


@pytest.fixture()
def as_member(team):
    """as_member("owner" | "admin" | "user" | "other_owner") -> Actor, read from the DB
    when the team is set up (so tests can use it inside their own transactions)."""
    with db.session_scope() as s:
        actors = {
            who: principal.member(
                s,
                getattr(team, f"{who}_id"),
                team.other_org_id if who == "other_owner" else team.org_id,
            )
            for who in ("owner", "admin", "user", "other_owner")
        }
    return actors.__getitem__


@pytest.fixture()
def engine(engine, monkeypatch):
    """tests/conftest.py's engine, with invitation links built on https://crm.example (read
    from the development mailbox: the SentEmail table keeps no links)."""
    from crm_app import settings

    monkeypatch.setenv("CRM_BASE_URL", "https://crm.example")
    monkeypatch.setenv("CRM_DEV_MODE", "1")
    settings.get_settings.cache_clear()
    return engine
