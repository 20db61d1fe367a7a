"""Who is asking: the signed-in member (Actor) and the role/agent checks every caller uses."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlmodel import Session, select

from crm_app.models import Agent, Membership, User
from crm_app.services.errors import NotFound, PermissionDenied

ROLES = ("Owner", "Admin", "User")
_RANK = {"User": 1, "Admin": 2, "Owner": 3}


@dataclass(frozen=True)
class Actor:
    user_id: int
    org_id: int
    role: str
    email: str
    first_name: str = ""
    last_name: str = ""
    agent_ids: tuple[int, ...] = field(default_factory=tuple)
    ip: str = ""

    @property
    def display_name(self) -> str:
        full = f"{self.first_name} {self.last_name}".strip()
        return full or self.email

    @property
    def is_admin(self) -> bool:
        return _RANK[self.role] >= _RANK["Admin"]

    @property
    def is_owner(self) -> bool:
        return self.role == "Owner"


def require_role(actor: Actor, minimum: str) -> None:
    if _RANK[actor.role] < _RANK[minimum]:
        raise PermissionDenied(f"This needs the {minimum} role or higher.")


def require_agent(
    session: Session, actor: Actor, agent_id: int | None, minimum: str = "User"
) -> Agent:
    """The agent if it belongs to the actor's organization and the actor may work in it."""
    require_role(actor, minimum)
    agent = session.get(Agent, agent_id) if agent_id else None
    if agent is None or agent.org_id != actor.org_id:
        raise NotFound("Agent not found.")
    if not actor.is_admin and agent.id not in actor.agent_ids:
        raise NotFound("Agent not found.")
    return agent


def visible_agents(session: Session, actor: Actor) -> list[Agent]:
    query = select(Agent).where(Agent.org_id == actor.org_id).order_by(Agent.name, Agent.id)
    agents = list(session.exec(query))
    if actor.is_admin:
        return agents
    return [a for a in agents if a.id in actor.agent_ids]


def membership_of(session: Session, org_id: int, user_id: int) -> Membership | None:
    return session.exec(
        select(Membership).where(Membership.org_id == org_id, Membership.user_id == user_id)
    ).first()


def actor_for(session: Session, user_id: int, org_id: int, ip: str = "") -> Actor:
    """The Actor for a member without a browser session (command line, background jobs)."""
    membership = membership_of(session, org_id, user_id)
    user = session.get(User, user_id)
    if membership is None or user is None:
        raise NotFound("Member not found.")
    return Actor(
        user_id=user.id,
        org_id=org_id,
        role=membership.role,
        email=user.email,
        first_name=user.first_name,
        last_name=user.last_name,
        agent_ids=tuple(membership.agent_ids or ()),
        ip=ip,
    )
