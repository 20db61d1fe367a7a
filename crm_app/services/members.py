"""Who can work in an agent: the members a rule may name, and how they are named."""

from __future__ import annotations

from sqlmodel import Session, select

from crm_app.models import Agent, Membership, User


def eligible_members(session: Session, agent: Agent) -> dict[int, dict]:
    """Members of the agent's organization who can work in it: user id -> DTO, Owner first."""
    rows = session.exec(
        select(Membership, User).where(
            Membership.org_id == agent.org_id, Membership.user_id == User.id
        )
    ).all()
    rank = {"Owner": 0, "Admin": 1, "User": 2}
    out = [
        (
            rank.get(m.role, 3),
            u.display_name.lower(),
            u.id,
            {"id": u.id, "name": u.display_name, "email": u.email, "role": m.role},
        )
        for m, u in rows
        if m.role in ("Owner", "Admin") or agent.id in (m.agent_ids or [])
    ]
    return {row[2]: row[3] for row in sorted(out)}


def org_owner_id(session: Session, org_id: int) -> int | None:
    row = session.exec(
        select(Membership).where(Membership.org_id == org_id, Membership.role == "Owner")
    ).first()
    return row.user_id if row else None


def member_name(session: Session, user_id: int | None) -> str:
    user = session.get(User, user_id) if user_id else None
    return user.display_name if user else "a former member"
