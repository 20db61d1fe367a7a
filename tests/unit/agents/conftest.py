"""Fixtures for the agents service tests: a real database per test (SQLite file; also
PostgreSQL in a fresh schema when CRM_TEST_POSTGRES_URL is set) and two organizations."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from crm_app.db import session_scope
from crm_app.services import principal
from crm_app.services.access import Actor
from crm_app.services.agents import create_owner


@dataclass
class World:
    owner: Actor
    admin: Actor
    user: Actor  # role User, given no agent yet
    other_owner: Actor  # a second organization

    def refresh(self, session, actor: Actor) -> Actor:
        """The actor as the database sees them now (agent access changes)."""
        return principal.member(session, actor.user_id, actor.org_id)


@pytest.fixture
def world(engine, add_member) -> World:
    with session_scope() as session:
        owner = create_owner(session, "owner@clinic.example", "Clinic", "Dana", "Whitfield")
        admin = add_member(session, owner.org_id, "admin@clinic.example", "Admin")
        user = add_member(session, owner.org_id, "user@clinic.example", "User")
        other = create_owner(session, "owner@other.example", "Other Org", "Olga", "Other")
    return World(owner=owner, admin=admin, user=user, other_owner=other)
