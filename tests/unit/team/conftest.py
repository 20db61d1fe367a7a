"""Fixtures for the Team / Profile / Audit service tests: a real database per test
(SQLite file; PostgreSQL too when CRM_TEST_POSTGRES_URL is set, in a fresh schema)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlmodel import Session, select

from crm_app import db
from crm_app.models import Agent, Membership, Organization, User
from crm_app.services.access import Actor


def actor_for(session: Session, org_id: int, user_id: int) -> Actor:
    membership = session.exec(
        select(Membership).where(Membership.org_id == org_id, Membership.user_id == user_id)
    ).one()
    user = session.get(User, user_id)
    return Actor(
        user_id=user.id,
        org_id=org_id,
        role=membership.role,
        email=user.email,
        first_name=user.first_name,
        last_name=user.last_name,
        agent_ids=tuple(membership.agent_ids or ()),
    )


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


def _member(
    session: Session, org_id: int, email: str, first: str, last: str, role: str, agent_ids=()
) -> int:
    user = User(email=email, first_name=first, last_name=last)
    session.add(user)
    session.flush()
    session.add(Membership(org_id=org_id, user_id=user.id, role=role, agent_ids=list(agent_ids)))
    session.flush()
    return user.id


@pytest.fixture()
def team(engine) -> Team:
    """Clinic: Owner Olivia, Admin Adam, User Uma (works in the Reception agent);
    a second organization, Bakery, with its own Owner Bob and agent."""
    with db.session_scope() as s:
        clinic = Organization(name="Sunny Clinic")
        bakery = Organization(name="Bob's Bakery")
        s.add_all([clinic, bakery])
        s.flush()
        reception = Agent(org_id=clinic.id, name="Reception", slug="reception")
        billing = Agent(org_id=clinic.id, name="Billing", slug="billing")
        shop = Agent(org_id=bakery.id, name="Shop", slug="shop")
        s.add_all([reception, billing, shop])
        s.flush()
        owner = _member(s, clinic.id, "olivia@clinic.example", "Olivia", "Owens", "Owner")
        admin = _member(s, clinic.id, "adam@clinic.example", "Adam", "Ames", "Admin")
        user = _member(s, clinic.id, "uma@clinic.example", "Uma", "Ulm", "User", [reception.id])
        other_owner = _member(s, bakery.id, "bob@bakery.example", "Bob", "Baker", "Owner")
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
            who: actor_for(
                s,
                team.other_org_id if who == "other_owner" else team.org_id,
                getattr(team, f"{who}_id"),
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
