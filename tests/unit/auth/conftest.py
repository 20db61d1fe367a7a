"""A fresh database per test: SQLite in tmp_path, and PostgreSQL too when
CRM_TEST_POSTGRES_URL is set (each test in its own schema, dropped afterwards)."""

from __future__ import annotations


import pytest
from sqlmodel import Session

from crm_app.models import Membership, Organization, User


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
