"""Contacts service tests: SQLite (and PostgreSQL when CRM_TEST_POSTGRES_URL is set), two
organizations, each with an Owner and an agent with the default fields and stages."""

from __future__ import annotations

import pytest

from crm_app import db
from crm_app.models import ContactField
from crm_app.services.principal import member_of


@pytest.fixture()
def world(engine, make_member, create_agent):
    """Two organizations, each with an owner and an agent with default fields and stages."""
    out = {}
    with db.session_scope() as s:
        for tag in ("clinic", "shop"):
            email = f"owner@{tag}.example"
            owner, org = make_member(
                s, tag.title(), email, first_name="Dana", last_name=tag.title()
            )
            agent = create_agent(s, org.id, "Reception", f"reception-{tag}")
            s.add_all(
                [
                    ContactField(
                        agent_id=agent.id,
                        key="insurance",
                        label="Insurance provider",
                        type="Dropdown",
                        options=["Aetna", "Cigna"],
                        position=5,
                    ),
                    ContactField(
                        agent_id=agent.id, key="visits", label="Visits", type="Number", position=6
                    ),
                ]
            )
            s.flush()
            out[tag] = {
                "agent_id": agent.id,
                "owner_id": owner.id,
                "actor": member_of(owner, org.id, "Owner"),
            }
    return out
