"""Fixtures for export and bulk actions: a fresh database (SQLite, plus PostgreSQL when
CRM_TEST_POSTGRES_URL is set) and two organizations. The clinic has an Owner, an Admin and
a `User` who works in its agent; the shop is the other tenant. (tests/api/export loads
this file too.)"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from crm_app import db
from crm_app.models import Agent, ContactField, Stage, utcnow
from crm_app.services import contacts
from crm_app.services.contacts import Origin
from crm_app.services.principal import member_of


@pytest.fixture()
def world(engine, make_member, create_agent):
    """Two organizations, each with an agent (default fields, two custom fields, four stages)."""
    out = {}
    with db.session_scope() as s:
        for tag in ("clinic", "shop"):
            email = f"owner@{tag}.example"
            owner, org = make_member(
                s, tag.title(), email, first_name="Dana", last_name=tag.title()
            )
            agent = create_agent(s, org.id, "Reception", f"reception-{tag}")
            admin, _ = make_member(
                s, "", f"admin@{tag}.example", "Admin", org, first_name="Ari", last_name="Admin"
            )
            member, _ = make_member(
                s,
                "",
                f"user@{tag}.example",
                "User",
                org,
                agent_ids=[agent.id],
                first_name="Uma",
                last_name="User",
            )
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
                        agent_id=agent.id,
                        key="notes_text",
                        label="Referral note",
                        type="Text",
                        position=6,
                    ),
                    ContactField(
                        agent_id=agent.id,
                        key="old",
                        label="Old field",
                        type="Text",
                        position=7,
                        archived_at=utcnow(),
                    ),
                ]
            )
            s.flush()
            stages = s.exec(select(Stage).where(Stage.agent_id == agent.id))
            out[tag] = {
                "agent_id": agent.id,
                "org_id": org.id,
                "owner_id": owner.id,
                "admin_id": admin.id,
                "user_id": member.id,
                "stages": {st.name: st.id for st in stages},
                "actor": member_of(owner, org.id, "Owner"),
                "admin": member_of(admin, org.id, "Admin"),
                "user": member_of(member, org.id, "User", [agent.id]),
            }
    return out


PEOPLE = [  # name, email, phone, insurance, referral note
    (
        "Maria Lopez",
        "maria@example.com",
        "+14155552671",
        "Aetna",
        '=HYPERLINK("http://evil.example","x")',
    ),
    ("Mark Chen", "mark.chen@example.com", "+14155552672", "Cigna", "+cmd|' /C calc'!A0"),
    ("Ann Lee", "ann_lee@example.com", None, "Aetna", "-2+3"),
    ("Zoe Park", None, "+14155552673", None, "@SUM(A1:A2)"),
    ("=1+1 Evil", "evil@example.com", None, None, 'plain, with comma and "quotes"'),
]


@pytest.fixture()
def filled(world):
    """The PEOPLE in the clinic (created via Form, oldest first) and two contacts in the shop."""
    ids = {}
    with db.session_scope() as s:
        for tag, people in (
            ("clinic", PEOPLE),
            (
                "shop",
                [
                    ("Shop Person", "shopper@example.com", None, None, None),
                    ("Maria Lopez", "maria@example.com", None, None, None),
                ],
            ),
        ):
            agent = s.get(Agent, world[tag]["agent_id"])
            for i, (name, email, phone, insurance, note) in enumerate(people):
                data = {"name": name, "email": email, "phone": phone}
                if insurance:
                    data["insurance"] = insurance
                if note:
                    data["notes_text"] = note
                c = contacts.save_contact(
                    s, agent, data, source="Form", origin=Origin("form", "Intake")
                ).contact
                c.created_at = utcnow() - timedelta(days=10 - i)
                s.add(c)
                ids[(tag, name)] = c.id
    world["ids"] = ids
    return world
