"""The contact page's access check, timeline writes and the owner and stage choices."""

from __future__ import annotations

from sqlmodel import Session, select

from crm_app.models import Activity, Agent, Contact, Membership, Stage, User, utcnow
from crm_app.services import events
from crm_app.services.access import Actor, require_agent
from crm_app.services.errors import NotFound

STATUSES = ("Active", "Inactive", "Blocked")


ACTIVITY_LIMIT = 200


ACTOR_TYPE_LABELS = {
    "member": "Team member",
    "agent": "Agent",
    "form": "Form",
    "import": "Import",
    "api": "API",
    "automation": "Automation",
    "payment": "Payment",
    "system": "System",
}


KIND_ICONS = {
    "created": "user-plus",
    "field": "pencil",
    "conflict": "triangle-alert",
    "stage": "git-branch",
    "owner": "user-check",
    "status": "circle-dot",
    "archived": "archive",
    "note": "sticky-note",
    "file": "paperclip",
    "submission": "file-text",
    "conversation": "message-circle",
    "payment": "credit-card",
    "capture": "sparkles",
    "suggestion": "lightbulb",
    "erasure": "shield-alert",  # the contact asked to be erased (services/gate/self_service.py)
}


def contact_for(
    session: Session, actor: Actor, agent_id, contact_id, minimum: str = "User"
) -> tuple[Agent, Contact]:
    """The agent and contact if the actor may work with them; otherwise "Contact not found.".

    A member of another organization (or a User without the agent) cannot tell a contact
    that exists elsewhere from one that does not exist at all.
    """
    try:
        agent = require_agent(
            session, actor, agent_id if isinstance(agent_id, int) else None, minimum
        )
    except NotFound:
        raise NotFound("Contact not found.") from None
    contact = (
        session.get(Contact, contact_id) if isinstance(contact_id, str) and contact_id else None
    )
    if (
        contact is None or contact.agent_id != agent.id or contact.archived is None
    ):  # None: import unfinished
        raise NotFound("Contact not found.")
    return agent, contact


def member_label(user: User | None) -> str:
    return user.display_name if user else ""


def add_activity(
    session: Session,
    contact: Contact,
    kind: str,
    actor: Actor,
    message: str,
    data: dict | None = None,
) -> None:
    session.add(
        Activity(
            contact_id=contact.id,
            kind=kind,
            actor_type=actor.activity_type,
            actor_id=actor.activity_id,
            actor_label=actor.display_name,
            message=message[:1000],
            data=data or {},
        )
    )


def touch(session: Session, contact: Contact, changed: str) -> None:
    """The contact's `changed` attribute (stage, owner, status, archived) was just set:
    stamp it and tell the outbox (`contact.updated`, as a data-field save does)."""
    contact.updated_at = utcnow()
    session.add(contact)
    events.emit(
        session,
        contact.agent_id,
        "contact.updated",
        {"contact_id": contact.id, "changed": [changed]},
    )


def owner_choices(session: Session, org_id: int, agent_id: int | None) -> list[dict]:
    """Members who can work in the agent: Owners and Admins, and Users given the agent;
    every member of the organization when `agent_id` is None (the list's owner filter, as a
    contact may be owned by someone who since lost the agent)."""
    rows = session.exec(
        select(Membership, User)
        .join(User, User.id == Membership.user_id)
        .where(Membership.org_id == org_id)
    ).all()
    out = []
    for membership, user in rows:
        if (
            agent_id is None
            or membership.role in ("Owner", "Admin")
            or agent_id in (membership.agent_ids or [])
        ):
            out.append({"id": str(user.id), "name": member_label(user)})
    return sorted(out, key=lambda m: m["name"].lower())


def stage_choices(session: Session, agent_id: int) -> list[dict]:
    rows = session.exec(
        select(Stage).where(Stage.agent_id == agent_id).order_by(Stage.position, Stage.id)
    )
    return [{"id": str(s.id), "name": s.name} for s in rows]
