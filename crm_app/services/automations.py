"""What happens automatically when a contact is created (PRODUCT.md §6).

`apply_on_create` runs inside the contact-creation transaction. With no rule, the new
contact goes to the organization owner and starts in the agent's first stage (`Lead`).
"""

from __future__ import annotations

from sqlmodel import Session, select

from crm_app.models import Activity, Agent, Contact, Membership, Stage, StageRule

MANUAL_SOURCES = ("Manual", "Import")


def method_of(source: str) -> str:
    """Admin Assignment groups: `Manually created contact` vs `Agent captured contact`."""
    return "manual" if source in MANUAL_SOURCES else "captured"


def apply_on_create(session: Session, agent: Agent, contact: Contact, *, source: str, creator_id: int | None) -> None:
    if contact.stage_id is None:
        contact.stage_id = starting_stage_id(session, agent.id, source)
    if contact.primary_owner_id is None:
        owner = org_owner_id(session, agent.org_id)
        contact.primary_owner_id = owner
        session.add(Activity(contact_id=contact.id, kind="owner", actor_type="automation", actor_label="Automation",
                             message="Assigned to the organization owner (no assignment rule)",
                             data={"rule": "default", "slot": "primary", "user_id": owner}))
    session.add(contact)


def starting_stage_id(session: Session, agent_id: int, source: str) -> int | None:
    rule = session.exec(select(StageRule).where(StageRule.agent_id == agent_id, StageRule.method == source)).first()
    if rule is not None:
        return rule.stage_id
    first = session.exec(select(Stage).where(Stage.agent_id == agent_id).order_by(Stage.position, Stage.id)).first()
    return first.id if first else None


def org_owner_id(session: Session, org_id: int) -> int | None:
    row = session.exec(select(Membership).where(Membership.org_id == org_id, Membership.role == "Owner")).first()
    return row.user_id if row else None
