"""Import tests: SQLite (and PostgreSQL when CRM_TEST_POSTGRES_URL is set), two organizations."""

from __future__ import annotations

from pathlib import Path

import pytest

from crm_app import db
from crm_app.models import Agent
from crm_app.services import agents, contacts, fields
from crm_app.services.access import Actor

CORPUS = Path(__file__).parent / "corpus"


@pytest.fixture()
def world(engine, add_member):
    """Clinic (Owner Rosa, Admin Ben, User Uma) with custom fields and one existing contact; Shop (Sam)."""
    with db.session_scope() as s:
        owner = agents.create_owner(s, "rosa@clinic.example", "Clinic", "Rosa", "Alvarez")
        agent = agents.create_agent(s, owner, "Front Desk", "front-desk")
        fields.create_custom_field(
            s,
            owner,
            agent.id,
            label="Insurance provider",
            key="insurance",
            type="Dropdown",
            options=["Aetna", "Cigna"],
        )
        fields.create_custom_field(s, owner, agent.id, label="Visits", type="Number")
        fields.create_custom_field(s, owner, agent.id, label="First visit", type="Date")
        fields.create_custom_field(s, owner, agent.id, label="Newsletter", type="Checkbox")
        ids = {"agent": agent.id, "owner": owner}
        for email, role, first in (
            ("ben@clinic.example", "Admin", "Ben"),
            ("uma@clinic.example", "User", "Uma"),
        ):
            ids[role.lower()] = add_member(
                s, owner.org_id, email, role, [agent.id], first_name=first, last_name="Clinic"
            )
        existing = contacts.save_contact(
            s,
            s.get(Agent, agent.id),
            {"name": "Ann Lee", "email": "ann@example.com", "visits": "2"},
            source="Form",
            origin=contacts.Origin("form", "Intake form"),
        )
        ids["ann"] = existing.contact.id
        other = agents.create_owner(s, "sam@shop.example", "Shop", "Sam", "Stone")
        ids["other"] = other
        ids["other_agent"] = agents.create_agent(s, other, "Sales", "sales").id
    return ids


def run(
    world,
    filename: str,
    *,
    policy: str = "fill",
    valid_only: bool = True,
    overrides=None,
    actor: Actor | None = None,
    path: Path | None = None,
):
    from crm_app.services import imports

    who = actor or world["owner"]
    return imports.import_file(
        lambda s: who,
        world["agent"],
        path or CORPUS / filename,
        policy=policy,
        valid_only=valid_only,
        overrides=overrides,
    )
