"""Joining an organization by invitation: the invitation page's preview, the emailed code
and the acceptance (services/team.py sends and revokes invitations)."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session, select

from crm_app.models import Invitation, Membership, Organization, User, utcnow
from crm_app.services import audit
from crm_app.services.auth import (
    clean_names,
    flush_new_account,
    request_code,
    user_by_email,
    verify_code,
)
from crm_app.services.errors import NotFound
from crm_app.services.principal import member_of, membership_of
from crm_app.services.security import hash_secret

INVITATION_DAYS = 7
MSG_INVITATION_GONE = "This invitation is no longer valid. Ask your team to send a new one."


def _live_invitation(session: Session, token: str | None) -> Invitation:
    invitation = None
    if token:
        invitation = session.exec(
            select(Invitation).where(Invitation.token_hash == hash_secret(token))
        ).first()
    if (
        invitation is None
        or invitation.status != "Pending"
        or invitation.created_at <= utcnow() - timedelta(days=INVITATION_DAYS)
        or invitation.role not in ("Admin", "User")
    ):
        raise NotFound(MSG_INVITATION_GONE)
    return invitation


def _invite_purpose(invitation: Invitation) -> str:
    return f"invite:{invitation.id}"


def invitation_preview(session: Session, token: str | None) -> dict:
    """What the invitation page shows: {"org_name", "email", "role", "first_name", "last_name"}."""
    invitation = _live_invitation(session, token)
    org = session.get(Organization, invitation.org_id)
    user = user_by_email(session, invitation.email)
    return {
        "org_name": org.name if org else "",
        "email": invitation.email,
        "role": invitation.role,
        "first_name": user.first_name if user else "",
        "last_name": user.last_name if user else "",
    }


def send_invitation_code(session: Session, token: str | None, ip: str = "") -> str:
    """Email a code to the invited address; returns that address for the screen."""
    invitation = _live_invitation(session, token)
    request_code(session, invitation.email, purpose=_invite_purpose(invitation), ip=ip)
    return invitation.email


def accept_invitation(
    session: Session,
    token: str | None,
    code: str,
    first_name: str,
    last_name: str,
    ip: str = "",
) -> tuple[User, int]:
    """Join the inviting organization with the invited role once the emailed code checks out."""
    invitation = _live_invitation(session, token)
    user = user_by_email(session, invitation.email)
    first_name, last_name = clean_names(
        first_name, last_name, first_required=user is None or not user.first_name
    )
    verify_code(session, invitation.email, code, purpose=_invite_purpose(invitation), ip=ip)
    if user is None:
        user = User(email=invitation.email, first_name=first_name, last_name=last_name)
        session.add(user)
        flush_new_account(session)
    elif first_name and not user.first_name:
        user.first_name, user.last_name = first_name, last_name or user.last_name
        session.add(user)
    existing = membership_of(session, invitation.org_id, user.id)
    role = existing.role if existing else invitation.role
    if existing is None:
        session.add(
            Membership(
                org_id=invitation.org_id,
                user_id=user.id,
                role=invitation.role,
                agent_ids=list(invitation.agent_ids or []),
            )
        )
    invitation.status = "Accepted"
    invitation.accepted_at = utcnow()
    session.add(invitation)
    audit.record(
        session,
        member_of(user, invitation.org_id, role, ip=ip),
        "Create",
        "Member",
        f"{user.email} accepted the invitation and joined as {invitation.role}",
        ip=ip,
    )
    return user, invitation.org_id
