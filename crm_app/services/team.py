"""Settings → Team: members, invitations, roles and agent access.

Rules: there is exactly one Owner and nobody manages them from here.
The Owner invites and manages Admins and Users; Admins invite and manage Users only;
Users see the list read-only. Everything is scoped to the actor's organization, so a
member of another organization only ever gets "not found".
"""

from __future__ import annotations

from sqlmodel import Session, select

from crm_app.models import Agent, AuthSession, Invitation, Membership, Organization, User, utcnow
from crm_app.services import audit
from crm_app.services.access import Actor, require_role
from crm_app.services.email import send_email
from crm_app.services.errors import Conflict, NotFound, PermissionDenied, ValidationError
from crm_app.services.security import hash_secret, new_token
from crm_app.services.values import require_email
from crm_app.settings import get_settings

ONE_OWNER = "An organization has exactly one Owner."
ASSIGNABLE_ROLES = ("Admin", "User")


# ------------------------------------------------------------------ rules


def assignable_roles(actor: Actor) -> list[str]:
    """Roles the actor may give (when inviting or changing a role)."""
    if actor.is_owner:
        return ["Admin", "User"]
    if actor.is_admin:
        return ["User"]
    return []


def can_manage(actor: Actor, target_role: str, target_user_id: int | None = None) -> bool:
    """May the actor change or remove a member (or invitation) holding `target_role`?"""
    if target_user_id is not None and target_user_id == actor.user_id:
        return False
    if target_role == "Owner":
        return False
    if actor.is_owner:
        return target_role in ASSIGNABLE_ROLES
    if actor.is_admin:
        return target_role == "User"
    return False


def _check_role_choice(actor: Actor, role: str) -> str:
    role = (role or "").strip()
    if role == "Owner":
        raise ValidationError(ONE_OWNER, field="role")
    if role not in ASSIGNABLE_ROLES:
        raise ValidationError("Choose a role: Admin or User.", field="role")
    if role not in assignable_roles(actor):
        raise PermissionDenied("Only the Owner can invite or promote Admins.", field="role")
    return role


def _org_agent_ids(session: Session, org_id: int) -> dict[int, str]:
    rows = session.exec(select(Agent.id, Agent.name).where(Agent.org_id == org_id))
    return {agent_id: name for agent_id, name in rows}


def _check_agents(session: Session, actor: Actor, agent_ids) -> list[int]:
    known = _org_agent_ids(session, actor.org_id)
    chosen: list[int] = []
    for raw in agent_ids or ():
        try:
            agent_id = int(raw)
        except (TypeError, ValueError):
            raise ValidationError("Agent not found.", field="agents") from None
        if agent_id not in known:
            raise ValidationError("Agent not found.", field="agents")
        if agent_id not in chosen:
            chosen.append(agent_id)
    return sorted(chosen)


def _since(value) -> str:
    return value.strftime("%b %d, %Y").replace(" 0", " ") if value else ""


# ------------------------------------------------------------------ reading


def agent_choices(session: Session, actor: Actor) -> list[dict]:
    """The organization's agents (to give a User access to), for Admins and the Owner."""
    if not actor.is_admin:
        return []
    known = _org_agent_ids(session, actor.org_id)
    return [
        {"id": agent_id, "name": name}
        for agent_id, name in sorted(known.items(), key=lambda kv: (kv[1], kv[0]))
    ]


def list_members(session: Session, actor: Actor) -> list[dict]:
    """Members (Owner first) then pending invitations, with what the actor may do on each."""
    agents = _org_agent_ids(session, actor.org_id)
    order = {"Owner": 0, "Admin": 1, "User": 2}
    rows: list[dict] = []
    members = session.exec(
        select(Membership, User)
        .join(User, User.id == Membership.user_id)
        .where(Membership.org_id == actor.org_id)
    ).all()
    for membership, user in sorted(members, key=lambda mu: (order.get(mu[0].role, 9), mu[1].email)):
        manage = can_manage(actor, membership.role, user.id)
        is_user_role = membership.role == "User"
        rows.append(
            {
                "key": f"member-{user.id}",
                "kind": "member",
                "id": user.id,
                "name": user.display_name,
                "email": user.email,
                "since": _since(membership.created_at),
                "role": membership.role,
                "progress": "Active",
                "agent_ids": [a for a in membership.agent_ids or [] if a in agents]
                if is_user_role
                else [],
                "agent_names": ", ".join(
                    agents[a] for a in membership.agent_ids or [] if a in agents
                )
                if is_user_role
                else "All agents",
                "is_self": user.id == actor.user_id,
                # an Admin can only give the User role, so there is nothing to change
                "can_change_role": manage and len(assignable_roles(actor)) > 1,
                "can_set_agents": manage and is_user_role,
                "can_remove": manage,
                "can_resend": False,
                "can_revoke": False,
            }
        )
    invitations = session.exec(
        select(Invitation)
        .where(Invitation.org_id == actor.org_id, Invitation.status == "Pending")
        .order_by(Invitation.created_at, Invitation.id)
    ).all()
    for inv in invitations:
        manage = can_manage(actor, inv.role)
        rows.append(
            {
                "key": f"invitation-{inv.id}",
                "kind": "invitation",
                "id": inv.id,
                "name": inv.email,
                "email": inv.email,
                "since": _since(inv.created_at),
                "role": inv.role,
                "progress": "Invited",
                "agent_ids": list(inv.agent_ids or []) if inv.role == "User" else [],
                "agent_names": ", ".join(agents[a] for a in inv.agent_ids or [] if a in agents)
                if inv.role == "User"
                else "All agents",
                "is_self": False,
                "can_change_role": False,
                "can_set_agents": False,
                "can_remove": False,
                "can_resend": manage,
                "can_revoke": manage,
            }
        )
    return rows


def _invitation_dto(inv: Invitation) -> dict:
    return {
        "id": inv.id,
        "email": inv.email,
        "role": inv.role,
        "agent_ids": list(inv.agent_ids or []),
        "status": inv.status,
        "since": _since(inv.created_at),
    }


# ------------------------------------------------------------------ invitations


def _send_invitation_email(session: Session, actor: Actor, inv: Invitation, token: str) -> None:
    org = session.get(Organization, actor.org_id)
    org_name = org.name if org else "your team"
    link = f"{get_settings().base_url}/invite/{token}"
    body = (
        f"Hello,\n\n{actor.display_name} invited you to join {org_name} on Agent CRM "
        f"as {inv.role}.\n\nAccept the invitation:\n{link}\n\n"
        "If you did not expect this invitation, you can ignore this email."
    )
    send_email(
        session, inv.email, f"You're invited to join {org_name} on Agent CRM", body, hide=(token,)
    )


def _pending_for(session: Session, org_id: int, email: str) -> Invitation | None:
    return session.exec(
        select(Invitation).where(
            Invitation.org_id == org_id, Invitation.email == email, Invitation.status == "Pending"
        )
    ).first()


def invite(session: Session, actor: Actor, email: str, role: str, agent_ids=()) -> dict:
    """Invite someone by email; the emailed link leads to the accept page."""
    require_role(actor, "Admin")
    role = _check_role_choice(actor, role)
    address = require_email(email, empty_message="Email is required.")
    existing = session.exec(
        select(Membership.id)
        .join(User, User.id == Membership.user_id)
        .where(Membership.org_id == actor.org_id, User.email == address)
    ).first()
    if existing is not None:
        raise Conflict(f"{address} is already a member.", field="email")
    if _pending_for(session, actor.org_id, address) is not None:
        raise Conflict(
            f"{address} already has a pending invitation. Resend it from the list instead.",
            field="email",
        )
    chosen = _check_agents(session, actor, agent_ids) if role == "User" else []
    token = new_token()
    inv = Invitation(
        org_id=actor.org_id,
        email=address,
        role=role,
        agent_ids=chosen,
        token_hash=hash_secret(token),
        invited_by_id=actor.user_id,
    )
    session.add(inv)
    session.flush()
    _send_invitation_email(session, actor, inv, token)
    audit.record(session, actor, "Create", "Invitation", f"Invited {address} as {role}")
    return _invitation_dto(inv)


def _managed_invitation(session: Session, actor: Actor, invitation_id: int) -> Invitation:
    require_role(actor, "Admin")
    inv = session.get(Invitation, invitation_id) if isinstance(invitation_id, int) else None
    if inv is None or inv.org_id != actor.org_id or inv.status != "Pending":
        raise NotFound("Invitation not found.")
    if not can_manage(actor, inv.role):
        raise PermissionDenied("Only the Owner can manage Admin invitations.")
    return inv


def resend_invite(session: Session, actor: Actor, invitation_id: int) -> dict:
    """Send a fresh link; the previous one stops working."""
    inv = _managed_invitation(session, actor, invitation_id)
    token = new_token()
    inv.token_hash = hash_secret(token)
    inv.created_at = utcnow()
    session.add(inv)
    session.flush()
    _send_invitation_email(session, actor, inv, token)
    audit.record(session, actor, "Update", "Invitation", f"Resent the invitation to {inv.email}")
    return _invitation_dto(inv)


def revoke_invite(session: Session, actor: Actor, invitation_id: int) -> dict:
    inv = _managed_invitation(session, actor, invitation_id)
    inv.status = "Revoked"
    session.add(inv)
    audit.record(session, actor, "Delete", "Invitation", f"Revoked the invitation to {inv.email}")
    return _invitation_dto(inv)


# ------------------------------------------------------------------ members


def _managed_member(session: Session, actor: Actor, user_id: int) -> tuple[Membership, User]:
    require_role(actor, "Admin")
    membership = None
    if isinstance(user_id, int):
        membership = session.exec(
            select(Membership).where(
                Membership.org_id == actor.org_id, Membership.user_id == user_id
            )
        ).first()
    user = session.get(User, user_id) if membership is not None else None
    if membership is None or user is None:
        raise NotFound("Member not found.")
    if membership.role == "Owner":
        raise PermissionDenied(ONE_OWNER + " The Owner cannot be changed or removed here.")
    if user.id == actor.user_id:
        raise PermissionDenied("You cannot change or remove yourself.")
    if not can_manage(actor, membership.role, user.id):
        raise PermissionDenied("Only the Owner can manage Admins.")
    return membership, user


def change_role(session: Session, actor: Actor, user_id: int, role: str) -> dict:
    if (role or "").strip() == "Owner":
        require_role(actor, "Admin")
        raise ValidationError(ONE_OWNER, field="role")
    membership, user = _managed_member(session, actor, user_id)
    role = _check_role_choice(actor, role)
    if membership.role == role:
        return {"id": user.id, "role": role}
    before = membership.role
    membership.role = role
    if role != "User":
        membership.agent_ids = []
    session.add(membership)
    audit.record(
        session,
        actor,
        "Update",
        "Member",
        f"Changed the role of {user.email} from {before} to {role}",
    )
    return {"id": user.id, "role": role}


def set_member_agents(session: Session, actor: Actor, user_id: int, agent_ids) -> dict:
    """Which agents a User works in (Owners and Admins work in all of them)."""
    membership, user = _managed_member(session, actor, user_id)
    if membership.role != "User":
        raise ValidationError("Owners and Admins work in every agent.", field="agents")
    chosen = _check_agents(session, actor, agent_ids)
    membership.agent_ids = chosen
    session.add(membership)
    names = _org_agent_ids(session, actor.org_id)
    listed = ", ".join(names[a] for a in chosen) or "no agents"
    audit.record(session, actor, "Update", "Member", f"Gave {user.email} access to {listed}")
    return {"id": user.id, "agent_ids": chosen}


def remove_member(session: Session, actor: Actor, user_id: int) -> dict:
    """Remove from the organization and sign them out of it at once.

    Contacts and notes keep the user id; other screens show them as a former member.
    """
    membership, user = _managed_member(session, actor, user_id)
    session.delete(membership)
    now = utcnow()
    live = session.exec(
        select(AuthSession).where(
            AuthSession.user_id == user.id,
            AuthSession.org_id == actor.org_id,
            AuthSession.revoked_at.is_(None),  # type: ignore[union-attr]
        )
    ).all()
    for row in live:
        row.revoked_at = now
        session.add(row)
    audit.record(
        session,
        actor,
        "Delete",
        "Member",
        f"Removed {user.email} ({membership.role}) from the team",
    )
    return {"id": user.id, "email": user.email}
