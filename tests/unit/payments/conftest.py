"""Fixtures for the payments services: an agent with three passes (a live one, a refunded one,
an expired one in another currency), its Owner, Admin and a User, and a second
organization with its own agent and pass."""

from __future__ import annotations

from datetime import timedelta

import pytest

from crm_app.db import session_scope
from crm_app.models import AccessPass, utcnow
from crm_app.services.agents import create_agent, create_owner
from crm_app.services.contacts import Origin, save_contact

NOW = utcnow().replace(microsecond=0)


@pytest.fixture
def world(engine, add_member):
    with session_scope() as s:
        owner = create_owner(s, "owner@clinic.example", "Clinic", "Dana", "Whitfield")
        admin = add_member(s, owner.org_id, "admin@clinic.example", "Admin")
        agent = create_agent(s, owner, "Reception")
        user = add_member(s, owner.org_id, "user@clinic.example", "User", [agent.id])
        other = create_owner(s, "owner@other.example", "Other Org", "Olga", "Other")
        other_agent = create_agent(s, other, "Other desk")

        def buyer(agent, email, name):
            return save_contact(
                s,
                agent,
                {"email": email, "name": name},
                source="Manual",
                origin=Origin.member(owner),
            ).contact.id

        maria = buyer(agent, "maria@example.com", "Maria Lopez")
        john = buyer(agent, "john@example.com", "=John Formula")
        s.add_all(
            [
                AccessPass(  # live, 7 of 10 credits
                    agent_id=agent.id,
                    contact_id=maria,
                    email="maria@example.com",
                    amount=1500,
                    currency="usd",
                    credits_total=10,
                    credits_left=7,
                    starts_at=NOW - timedelta(days=1),
                    expires_at=NOW + timedelta(days=28),
                    payment_intent_id="pi_maria",
                ),
                AccessPass(  # refunded the next day
                    agent_id=agent.id,
                    contact_id=john,
                    email="john@example.com",
                    amount=1500,
                    currency="usd",
                    credits_total=10,
                    credits_left=10,
                    starts_at=NOW - timedelta(days=3),
                    expires_at=NOW + timedelta(days=27),
                    refunded_amount=1500,
                    revoked_at=NOW - timedelta(days=2),
                    payment_intent_id="pi_john",
                ),
                AccessPass(  # another currency, expired long ago
                    agent_id=agent.id,
                    contact_id=maria,
                    email="maria@example.com",
                    amount=2000,
                    currency="eur",
                    credits_total=None,
                    credits_left=None,
                    starts_at=NOW - timedelta(days=40),
                    expires_at=NOW - timedelta(days=10),
                ),
            ]
        )
        other_contact = buyer(other_agent, "x@other.example", "Other Buyer")
        s.add(
            AccessPass(
                agent_id=other_agent.id,
                contact_id=other_contact,
                email="x@other.example",
                amount=99900,
                currency="usd",
                starts_at=NOW,
                expires_at=NOW + timedelta(days=1),
            )
        )
    return {
        "owner": owner,
        "admin": admin,
        "user": user,
        "other": other,
        "agent_id": agent.id,
        "other_agent_id": other_agent.id,
    }
