"""The checks every caller makes about who is acting (services/principal.py): role, agent,
permission. A member reaches the agents their role and membership give them, an API key its
own agent with its permissions, the system every agent of its organization. An agent out of
reach is "not found", whoever asks, so nobody learns which ids exist elsewhere."""

from __future__ import annotations

from sqlmodel import Session, select

from crm_app.models import Agent
from crm_app.services.errors import NotFound, PermissionDenied
from crm_app.services.principal import RANK, Principal

# Services annotate their callers as `Actor`: it is the one principal type.
Actor = Principal


def require_role(actor: Principal, minimum: str) -> None:
    if actor.rank < RANK[minimum]:
        if actor.is_api_key:
            raise PermissionDenied("API keys cannot do this.")
        raise PermissionDenied(f"This needs the {minimum} role or higher.")


def require_permission(actor: Principal, permission: str) -> None:
    if not actor.may(permission):
        raise PermissionDenied(f"This API key lacks the {permission} permission.")


def require_agent(
    session: Session,
    actor: Principal,
    agent_id: int | None,
    minimum: str = "User",
    *,
    permission: str | None = None,
) -> Agent:
    """The agent if it belongs to the actor's organization and the actor may work in it.

    API keys need `permission` named: a service that does not say which permission its work
    takes is not open to keys at all."""
    require_role(actor, minimum)
    agent = session.get(Agent, agent_id) if agent_id else None
    if agent is None or agent.org_id != actor.org_id:
        raise NotFound("Agent not found.")
    if not actor.is_admin and agent.id not in actor.agent_ids:
        raise NotFound("Agent not found.")
    if actor.is_api_key and permission is None:
        raise PermissionDenied("API keys cannot do this.")
    if permission is not None:
        require_permission(actor, permission)
    return agent


def visible_agents(session: Session, actor: Principal) -> list[Agent]:
    query = select(Agent).where(Agent.org_id == actor.org_id).order_by(Agent.name, Agent.id)
    agents = list(session.exec(query))
    if actor.is_admin:
        return agents
    return [a for a in agents if a.id in actor.agent_ids]
