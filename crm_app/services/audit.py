"""Audit log (§1): every CRM change, import, export, key and visibility change."""

from __future__ import annotations

from sqlalchemy import func, insert, or_
from sqlmodel import Session, select

from crm_app.models import AuditLog, utcnow
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
    now: bool = False,
) -> None:
    """Add an audit entry to the caller's transaction (it commits with the change). `now`
    inserts it at once as plain values (hot paths; the org and user must already exist)."""
    assert action in ACTIONS, action
    values = dict(
        org_id=org_id if org_id is not None else (actor.org_id if actor else None),
        user_id=actor.user_id if actor else None,
        user_label=actor.display_name if actor else "System",
        description=description[:500],
        action=action,
        resource=resource,
        status=status,
        ip=ip or (actor.ip if actor else ""),
    )
    if now:
        session.connection().execute(_INSERT, {**values, "created_at": utcnow()})
    else:
        session.add(AuditLog(**values))


_INSERT = insert(AuditLog.__table__)


def list_entries(session: Session, actor: Actor, *, limit: int = 50, offset: int = 0) -> list[AuditLog]:
    """Owners and Admins see the organization's log; Users see only their own entries."""
    query = select(AuditLog).where(AuditLog.org_id == actor.org_id)
    if not actor.is_admin:
        query = query.where(AuditLog.user_id == actor.user_id)
    query = query.order_by(AuditLog.created_at.desc(), AuditLog.id.desc()).offset(offset).limit(limit)
    return list(session.exec(query))


def search_entries(
    session: Session,
    actor: Actor,
    *,
    action: str = "",
    resource: str = "",
    text: str = "",
    page: int = 1,
    page_size: int = 25,
) -> tuple[list[AuditLog], int]:
    """One page of the log the actor may see, newest first, plus the matching total.

    Filters: exact action and resource; `text` matches description or user (any case).
    """
    conditions = [AuditLog.org_id == actor.org_id]
    if not actor.is_admin:
        conditions.append(AuditLog.user_id == actor.user_id)
    if action:
        conditions.append(AuditLog.action == action)
    if resource:
        conditions.append(AuditLog.resource == resource)
    text = (text or "").strip()[:100]
    if text:
        pattern = "%" + text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        conditions.append(
            or_(
                func.lower(AuditLog.description).like(pattern, escape="\\"),
                func.lower(AuditLog.user_label).like(pattern, escape="\\"),
            )
        )
    page_size = max(1, min(int(page_size), 100))
    total = session.exec(select(func.count()).select_from(AuditLog).where(*conditions)).one()
    page = max(1, int(page))
    rows = session.exec(
        select(AuditLog)
        .where(*conditions)
        .order_by(AuditLog.created_at.desc(), AuditLog.id.desc())
        .offset((page - 1) * page_size)
        .limit(page_size)
    ).all()
    return list(rows), int(total)


def resources_seen(session: Session, actor: Actor) -> list[str]:
    """Distinct resources in the log the actor may see (for the filter menu)."""
    query = select(AuditLog.resource).where(AuditLog.org_id == actor.org_id)
    if not actor.is_admin:
        query = query.where(AuditLog.user_id == actor.user_id)
    return sorted({r for r in session.exec(query.distinct())})
