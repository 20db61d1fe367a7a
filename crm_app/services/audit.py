"""Audit log (§1): every CRM change, import, export, key and visibility change."""

from __future__ import annotations

from sqlmodel import Session, select

from crm_app.models import AuditLog
from crm_app.services.access import Actor

ACTIONS = ("Create", "Read", "Update", "Delete", "Login", "Logout")


def record(
    session: Session,
    actor: Actor | None,
    action: str,
    resource: str,
    description: str,
    *,
    status: str = "Success",
    org_id: int | None = None,
    ip: str = "",
) -> AuditLog:
    """Add an audit entry to the caller's transaction (it commits with the change)."""
    assert action in ACTIONS, action
    entry = AuditLog(
        org_id=org_id if org_id is not None else (actor.org_id if actor else None),
        user_id=actor.user_id if actor else None,
        user_label=actor.display_name if actor else "System",
        description=description[:500],
        action=action,
        resource=resource,
        status=status,
        ip=ip or (actor.ip if actor else ""),
    )
    session.add(entry)
    return entry


def list_entries(session: Session, actor: Actor, *, limit: int = 50, offset: int = 0) -> list[AuditLog]:
    """Owners and Admins see the organization's log; Users see only their own entries."""
    query = select(AuditLog).where(AuditLog.org_id == actor.org_id)
    if not actor.is_admin:
        query = query.where(AuditLog.user_id == actor.user_id)
    query = query.order_by(AuditLog.created_at.desc(), AuditLog.id.desc()).offset(offset).limit(limit)
    return list(session.exec(query))
