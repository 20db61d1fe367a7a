"""Audit log: every CRM change, import, export, key and visibility change."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import false, func, insert, or_
from sqlmodel import Session, select

from crm_app.models import Agent, AuditLog, Contact, utcnow
from crm_app.services.access import Actor
from crm_app.services.display import contact_name

ACTIONS = ("Create", "Read", "Update", "Delete", "Login", "Logout")

# Entries name a contact by id ("Added contact 0f3a… via Manual"), never by name: the log
# must keep no personal data once a contact is erased, and shows today's name when read.
CONTACT_MENTION = re.compile(r"\b([Cc])ontact ([0-9a-f]{24})\b")
ERASED = "an erased contact"
NOT_VISIBLE = "a contact"


@dataclass(frozen=True)
class DescriptionPart:
    """A piece of an entry's description: plain text, or a contact the viewer may open."""

    text: str
    contact_id: str = ""
    agent_id: int = 0


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
    """Add an audit entry to the caller's transaction (it commits with the change), naming
    whoever acted (a member, an API key, the system; no actor: "System"). `now` inserts it at
    once as plain values (hot paths; the org and user must already exist)."""
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


def _visible_to(actor: Actor) -> list:
    """Owners and Admins (and the system) see the organization's log; anyone else only their
    own entries — an API key has no user, so none."""
    conditions = [AuditLog.org_id == actor.org_id]
    if not actor.is_admin:
        conditions.append(AuditLog.user_id == actor.user_id if actor.user_id else false())
    return conditions


def list_entries(
    session: Session, actor: Actor, *, limit: int = 50, offset: int = 0
) -> list[AuditLog]:
    """Owners and Admins see the organization's log; Users see only their own entries."""
    query = select(AuditLog).where(*_visible_to(actor))
    query = (
        query.order_by(AuditLog.created_at.desc(), AuditLog.id.desc()).offset(offset).limit(limit)
    )
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
    conditions = _visible_to(actor)
    if action:
        conditions.append(AuditLog.action == action)
    if resource:
        conditions.append(AuditLog.resource == resource)
    text = (text or "").strip()[:100]
    if text:
        pattern = (
            "%" + text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        )
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


def describe(
    session: Session, actor: Actor, entries: list[AuditLog]
) -> list[list[DescriptionPart]]:
    """Each entry's description with its contact ids replaced by the contact's current name
    (a link when the viewer works in that contact's agent, "a contact" when not, "an erased
    contact" when it is gone), resolved with one query for the whole page."""
    ids = {m.group(2) for entry in entries for m in CONTACT_MENTION.finditer(entry.description)}
    contacts = {}
    if ids:
        rows = session.exec(
            select(Contact.id, Contact.agent_id, Contact.name, Contact.email, Contact.phone)
            .join(Agent, Agent.id == Contact.agent_id)
            .where(Contact.id.in_(ids), Agent.org_id == actor.org_id)
        )
        contacts = {row.id: row for row in rows}
    return [_parts(entry.description, contacts, actor) for entry in entries]


def _parts(description: str, contacts: dict, actor: Actor) -> list[DescriptionPart]:
    parts, text, start = [], "", 0
    for mention in CONTACT_MENTION.finditer(description):
        text += description[start : mention.start()]
        word = mention.group(1) + "ontact "
        contact = contacts.get(mention.group(2))
        if contact is None or not (actor.is_admin or contact.agent_id in actor.agent_ids):
            neutral = ERASED if contact is None else NOT_VISIBLE
            text += neutral.capitalize() if word[0] == "C" else neutral
        else:
            parts += [
                DescriptionPart(text + word),
                DescriptionPart(
                    contact_name(contact), contact_id=contact.id, agent_id=contact.agent_id
                ),
            ]
            text = ""
        start = mention.end()
    text += description[start:]
    return parts + [DescriptionPart(text)] if text else parts


def resources_seen(session: Session, actor: Actor) -> list[str]:
    """Distinct resources in the log the actor may see (for the filter menu)."""
    query = select(AuditLog.resource).where(*_visible_to(actor))
    return sorted({r for r in session.exec(query.distinct())})
