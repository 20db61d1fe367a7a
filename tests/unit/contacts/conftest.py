from __future__ import annotations

import pytest

from crm_app import db
from crm_app.models import Agent, ContactField, Membership, Organization, Stage, User
from crm_app.services.access import Actor


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
            agent = Agent(
                org_id=org.id, name="Reception", slug=f"reception-{tag}", phone_region="US"
            )
            s.add(agent)
            s.flush()
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
                    agent_id=agent.id, key="visits", label="Visits", type="Number", position=6
                )
            )
            for pos, name in enumerate(["Lead", "Prospect", "Customer", "Old Customer"]):
                s.add(Stage(agent_id=agent.id, name=name, position=pos))
            s.flush()
            out[tag] = {
                "agent_id": agent.id,
                "owner_id": owner.id,
                "actor": Actor(
                    user_id=owner.id,
                    org_id=org.id,
                    role="Owner",
                    email=owner.email,
                    first_name="Dana",
                    last_name=tag.title(),
                ),
            }
    return out
