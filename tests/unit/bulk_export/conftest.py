"""Fixtures for export and bulk actions: a fresh database (SQLite, plus PostgreSQL when
CRM_TEST_POSTGRES_URL is set) and two organizations. The clinic has an Owner, an Admin and
a `User` who works in its agent; the shop is the other tenant. (tests/api/export loads
this file too.)"""

from __future__ import annotations

from datetime import timedelta

import pytest

from crm_app import db
from crm_app.models import Agent, ContactField, Membership, Organization, Stage, User, utcnow
from crm_app.services import contacts
from crm_app.services.access import Actor
from crm_app.services.contacts import Origin


def _actor(user: User, org_id: int, role: str, agent_ids=()) -> Actor:
    return Actor(
        user_id=user.id,
        org_id=org_id,
        role=role,
        email=user.email,
        first_name=user.first_name,
        last_name=user.last_name,
        agent_ids=tuple(agent_ids),
    )


@pytest.fixture()
def world(engine):
    """Two organizations, each with an agent (default fields, two custom fields, four stages)."""
    out = {}
    with db.session_scope() as s:
        for tag in ("clinic", "shop"):
            org = Organization(name=tag.title())
            owner = User(email=f"owner@{tag}.example", first_name="Dana", last_name=tag.title())
            admin = User(email=f"admin@{tag}.example", first_name="Ari", last_name="Admin")
            member = User(email=f"user@{tag}.example", first_name="Uma", last_name="User")
            s.add_all([org, owner, admin, member])
            s.flush()
            agent = Agent(
                org_id=org.id, name="Reception", slug=f"reception-{tag}", phone_region="US"
            )
            s.add(agent)
            s.flush()
            s.add_all(
                [
                    Membership(org_id=org.id, user_id=owner.id, role="Owner"),
                    Membership(org_id=org.id, user_id=admin.id, role="Admin"),
                    Membership(org_id=org.id, user_id=member.id, role="User", agent_ids=[agent.id]),
                ]
            )
            for pos, (key, label, ftype, opts) in enumerate(
                [
                    ("name", "Name", "Text", []),
                    ("email", "Email", "Email", []),
                    ("phone", "Mobile Number", "Phone", []),
                    (
                        "gender",
                        "Gender",
                        "Dropdown",
                        ["Female", "Male", "Non-binary", "Prefer not to say"],
                    ),
                ]
            ):
                s.add(
                    ContactField(
                        agent_id=agent.id,
                        key=key,
                        label=label,
                        type=ftype,
                        options=opts,
                        is_default=True,
                        position=pos,
                    )
                )
            s.add(
                ContactField(
                    agent_id=agent.id,
                    key="insurance",
                    label="Insurance provider",
                    type="Dropdown",
                    options=["Aetna", "Cigna"],
                    position=5,
                )
            )
            s.add(
                ContactField(
                    agent_id=agent.id,
                    key="notes_text",
                    label="Referral note",
                    type="Text",
                    position=6,
                )
            )
            s.add(
                ContactField(
                    agent_id=agent.id,
                    key="old",
                    label="Old field",
                    type="Text",
                    position=7,
                    archived_at=utcnow(),
                )
            )
            stages = [
                Stage(agent_id=agent.id, name=n, position=p)
                for p, n in enumerate(["Lead", "Prospect", "Customer", "Old Customer"])
            ]
            s.add_all(stages)
            s.flush()
            out[tag] = {
                "agent_id": agent.id,
                "org_id": org.id,
                "owner_id": owner.id,
                "admin_id": admin.id,
                "user_id": member.id,
                "stages": {st.name: st.id for st in stages},
                "actor": _actor(owner, org.id, "Owner"),
                "admin": _actor(admin, org.id, "Admin"),
                "user": _actor(member, org.id, "User", [agent.id]),
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
