"""The contact's DTO and its in-place header changes: stage, owner, status, archive."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, select

from crm_app.models import Contact, ContactField, ContactValue, Conversation, Stage, User
from crm_app.services import audit, provenance
from crm_app.services.access import Actor
from crm_app.services.display import contact_name, fmt_time, initials
from crm_app.services.errors import ValidationError
from crm_app.services.timeline.common import (
    STATUSES,
    add_activity,
    contact_for,
    member_label,
    owner_choices,
    touch,
)
from crm_app.services.values import format_phone


def _value_text(row: ContactValue | None) -> str:
    return row.value_text if row is not None else ""


_KIND_NAMES = {
    "member": "a team member",
    "form": "a form",
    "import": "an import",
    "api": "the API",
    "payment": "a payment",
}


def _source_fields(source: dict | None, tz_name: str) -> dict:
    """How the General tab marks who set a value: `ai` (the agent captured it, with a
    tooltip and the conversation to open) or a plain `source` line for other writers."""
    out = {"ai": False, "source": "", "conversation_id": ""}
    if not source:
        return out
    try:
        when = fmt_time(datetime.fromisoformat(str(source.get("at"))), tz_name)
    except ValueError:
        when = ""
    on = f" on {when}" if when else ""
    if source.get("kind") == "agent":
        note = f"Captured by the agent from a chat{on}"
        if source.get("accepted_by"):
            note += f"; accepted by {source['accepted_by']}"
        conversation = source.get("conversation_id")
        out.update(ai=True, source=note, conversation_id=str(conversation or ""))
    else:
        who = source.get("label") or _KIND_NAMES.get(source.get("kind"), "")
        out["source"] = f"Set by {who}{on}" if who else ""
    return out


def contact_detail(session: Session, actor: Actor, agent_id, contact_id, tz_name: str = "") -> dict:
    """Header and General tab of one contact: default and custom fields with their labels."""
    agent, contact = contact_for(session, actor, agent_id, contact_id)
    fields = list(
        session.exec(
            select(ContactField)
            .where(ContactField.agent_id == agent.id, ContactField.archived_at.is_(None))
            .order_by(ContactField.position, ContactField.id)
        )
    )
    values = {
        v.field_id: v
        for v in session.exec(select(ContactValue).where(ContactValue.contact_id == contact.id))
    }
    general = []
    for f in fields:
        if f.is_default:
            raw = (
                getattr(contact, f.key, None)
                if f.key in ("name", "email", "phone", "gender")
                else None
            )
            text = edit = raw or ""
        else:
            text = edit = _value_text(values.get(f.id))
        source = provenance.source_of(
            contact.field_sources, f.key if f.is_default else str(f.id), text
        )
        if (
            f.type == "Phone"
        ):  # shown and edited in the display format; saving reads it back to E.164
            text = edit = format_phone(text, agent.phone_region)
        general.append(
            {
                "key": f.key,
                "label": "Primary Email" if f.key == "email" else f.label,
                "type": f.type,
                "options": list(f.options or []),
                "value": text,
                "edit": edit,
                "is_default": f.is_default,
            }
            | _source_fields(source, tz_name)
        )
    if any(g["conversation_id"] for g in general):  # link only to this contact's chats
        linked = {
            str(i)
            for i in session.exec(
                select(Conversation.id).where(Conversation.contact_id == contact.id)
            )
        }
        for g in general:
            if g["conversation_id"] not in linked:
                g["conversation_id"] = ""
    stage = session.get(Stage, contact.stage_id) if contact.stage_id else None
    owner = session.get(User, contact.primary_owner_id) if contact.primary_owner_id else None
    return {
        "id": contact.id,
        "title": contact_name(contact),
        "initials": initials(contact_name(contact)),
        "phone_display": format_phone(contact.phone, agent.phone_region),
        "name": contact.name or "",
        "email": contact.email or "",
        "phone": contact.phone or "",
        "source": contact.source,
        "stage_id": str(contact.stage_id or ""),
        "stage": stage.name if stage else "",
        "status": contact.status,
        "owner_id": str(contact.primary_owner_id or ""),
        "owner": member_label(owner),
        "archived": contact.archived,
        "created": fmt_time(contact.created_at, tz_name),
        "updated": fmt_time(contact.updated_at, tz_name),
        "fields": general,
        "agent_name": agent.name,
    }


def change_stage(session: Session, actor: Actor, agent_id, contact_id, stage_id) -> Contact:
    agent, contact = contact_for(session, actor, agent_id, contact_id)
    new = session.get(Stage, int(stage_id)) if str(stage_id).isdigit() else None
    if new is None or new.agent_id != agent.id:
        raise ValidationError("Choose one of this agent's stages.", field="stage")
    if contact.stage_id == new.id:
        return contact
    old = session.get(Stage, contact.stage_id) if contact.stage_id else None
    old_name = old.name if old else "no stage"
    contact.stage_id = new.id
    touch(session, contact, "stage")
    add_activity(
        session,
        contact,
        "stage",
        actor,
        f"Stage changed from {old_name} to {new.name} by {actor.display_name}",
        {"from": old.id if old else None, "to": new.id},
    )
    audit.record(
        session, actor, "Update", "Contact", f"Changed stage of contact {contact.id} to {new.name}"
    )
    return contact


def change_owner(session: Session, actor: Actor, agent_id, contact_id, owner_id) -> Contact:
    agent, contact = contact_for(session, actor, agent_id, contact_id)
    allowed = {m["id"]: m["name"] for m in owner_choices(session, agent.org_id, agent.id)}
    key = str(owner_id or "")
    if key not in allowed:
        raise ValidationError("Choose a member who works in this agent.", field="owner")
    if str(contact.primary_owner_id or "") == key:
        return contact
    old = session.get(User, contact.primary_owner_id) if contact.primary_owner_id else None
    contact.primary_owner_id = int(key)
    touch(session, contact, "owner")
    add_activity(
        session,
        contact,
        "owner",
        actor,
        f"Owner changed from {member_label(old) or 'nobody'} to {allowed[key]} by {actor.display_name}",
        {"from": old.id if old else None, "to": int(key)},
    )
    audit.record(
        session,
        actor,
        "Update",
        "Contact",
        f"Changed owner of contact {contact.id} to {allowed[key]}",
    )
    return contact


def change_status(session: Session, actor: Actor, agent_id, contact_id, status) -> Contact:
    _, contact = contact_for(session, actor, agent_id, contact_id)
    if status not in STATUSES:
        raise ValidationError("Status is Active, Inactive or Blocked.", field="status")
    if contact.status == status:
        return contact
    old = contact.status
    contact.status = status
    touch(session, contact, "status")
    add_activity(
        session,
        contact,
        "status",
        actor,
        f"Status changed from {old} to {status} by {actor.display_name}",
        {"from": old, "to": status},
    )
    audit.record(
        session, actor, "Update", "Contact", f"Changed status of contact {contact.id} to {status}"
    )
    return contact


def set_archived(session: Session, actor: Actor, agent_id, contact_id, archived: bool) -> Contact:
    _, contact = contact_for(session, actor, agent_id, contact_id)
    archived = bool(archived)
    if contact.archived == archived:
        return contact
    contact.archived = archived
    touch(session, contact, "archived")
    verb = "Archived" if archived else "Unarchived"
    add_activity(
        session,
        contact,
        "archived",
        actor,
        f"{verb} by {actor.display_name}",
        {"archived": archived},
    )
    audit.record(session, actor, "Update", "Contact", f"{verb} contact {contact.id}")
    return contact
