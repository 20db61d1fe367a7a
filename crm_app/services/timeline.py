"""The contact details page: the contact's DTO, in-place header changes
(owner, stage, status, archive) and its timeline, form submissions and conversations.

Every function checks the member against the agent (`contact_for`) and answers a contact of
another agent or organization with the same "Contact not found." as a missing one.
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sqlmodel import Session, select

from crm_app.models import (
    Activity,
    Agent,
    Contact,
    ContactField,
    ContactValue,
    Conversation,
    Form,
    FormSubmission,
    Membership,
    Message,
    Stage,
    User,
    utcnow,
)
from crm_app.services import audit
from crm_app.services.access import Actor, require_agent
from crm_app.services.errors import NotFound, ValidationError
from crm_app.services.values import format_phone

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
}


# ------------------------------------------------------------------ access and formatting


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


def fmt_time(value: datetime | None, tz_name: str = "") -> str:
    """e.g. "Mar 3, 2026, 2:05 PM" in the viewer's time zone (UTC when unknown)."""
    if value is None:
        return ""
    try:
        zone = ZoneInfo(tz_name) if tz_name else UTC
    except Exception:
        zone = UTC
    return value.astimezone(zone).strftime("%b %d, %Y, %I:%M %p").replace(" 0", " ")


def display_name(contact: Contact) -> str:
    return contact.name or contact.email or format_phone(contact.phone) or "Unnamed contact"


def initials(text: str) -> str:
    words = [w for w in text.replace("@", " ").replace(".", " ").split() if w[:1].isalnum()]
    return "".join(w[0] for w in words[:2]).upper() or "?"


def _user_label(user: User | None) -> str:
    if user is None:
        return ""
    return f"{user.first_name} {user.last_name}".strip() or user.email


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


def _touch(session: Session, contact: Contact) -> None:
    contact.updated_at = utcnow()
    session.add(contact)


# ------------------------------------------------------------------ choices


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
            out.append({"id": str(user.id), "name": _user_label(user)})
    return sorted(out, key=lambda m: m["name"].lower())


def stage_choices(session: Session, agent_id: int) -> list[dict]:
    rows = session.exec(
        select(Stage).where(Stage.agent_id == agent_id).order_by(Stage.position, Stage.id)
    )
    return [{"id": str(s.id), "name": s.name} for s in rows]


# ------------------------------------------------------------------ the contact's DTO


def _value_text(row: ContactValue | None) -> str:
    return row.value_text if row is not None else ""


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
        )
    stage = session.get(Stage, contact.stage_id) if contact.stage_id else None
    owner = session.get(User, contact.primary_owner_id) if contact.primary_owner_id else None
    return {
        "id": contact.id,
        "title": display_name(contact),
        "initials": initials(display_name(contact)),
        "phone_display": format_phone(contact.phone, agent.phone_region),
        "name": contact.name or "",
        "email": contact.email or "",
        "phone": contact.phone or "",
        "source": contact.source,
        "stage_id": str(contact.stage_id or ""),
        "stage": stage.name if stage else "",
        "status": contact.status,
        "owner_id": str(contact.primary_owner_id or ""),
        "owner": _user_label(owner),
        "archived": contact.archived,
        "created": fmt_time(contact.created_at, tz_name),
        "updated": fmt_time(contact.updated_at, tz_name),
        "fields": general,
        "agent_name": agent.name,
    }


# ------------------------------------------------------------------ header changes


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
    _touch(session, contact)
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
    _touch(session, contact)
    add_activity(
        session,
        contact,
        "owner",
        actor,
        f"Owner changed from {_user_label(old) or 'nobody'} to {allowed[key]} by {actor.display_name}",
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
    _touch(session, contact)
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
    _touch(session, contact)
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


# ------------------------------------------------------------------ tabs: activity, forms, chats


def list_activity(
    session: Session,
    actor: Actor,
    agent_id,
    contact_id,
    tz_name: str = "",
    limit: int = ACTIVITY_LIMIT,
) -> list[dict]:
    """The contact's timeline, newest first."""
    _, contact = contact_for(session, actor, agent_id, contact_id)
    rows = session.exec(
        select(Activity)
        .where(Activity.contact_id == contact.id)
        .order_by(Activity.created_at.desc(), Activity.id.desc())
        .limit(max(1, min(limit, 500)))
    )
    return [
        {
            "id": a.id,
            "icon": KIND_ICONS.get(a.kind, "circle"),
            "kind": a.kind,
            "message": a.message,
            "who": a.actor_label or ACTOR_TYPE_LABELS.get(a.actor_type, a.actor_type),
            "actor_type": ACTOR_TYPE_LABELS.get(a.actor_type, a.actor_type.title()),
            "time": fmt_time(a.created_at, tz_name),
        }
        for a in rows
    ]


def _answer_text(value) -> str:
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, dict):
        return ", ".join(f"{k}: {v}" for k, v in value.items())
    return "" if value is None else str(value)


def list_submissions(
    session: Session, actor: Actor, agent_id, contact_id, tz_name: str = ""
) -> list[dict]:
    """The contact's form submissions (newest first), each with its answers as label/value rows."""
    agent, contact = contact_for(session, actor, agent_id, contact_id)
    rows = session.exec(
        select(FormSubmission, Form)
        .join(Form, Form.id == FormSubmission.form_id)
        .where(FormSubmission.contact_id == contact.id, Form.agent_id == agent.id)
        .order_by(FormSubmission.created_at.desc(), FormSubmission.id.desc())
    ).all()
    out = []
    for sub, form in rows:
        answers = []
        for key, value in (sub.answers or {}).items():
            if isinstance(value, dict) and "label" in value:
                answers.append(
                    {"label": str(value["label"]), "value": _answer_text(value.get("value"))}
                )
            else:
                answers.append({"label": str(key), "value": _answer_text(value)})
        out.append(
            {
                "id": str(sub.id),
                "form": form.name,
                "status": sub.status,
                "time": fmt_time(sub.created_at, tz_name),
                "answers": answers,
            }
        )
    return out


def list_conversations(
    session: Session, actor: Actor, agent_id, contact_id, tz_name: str = ""
) -> list[dict]:
    agent, contact = contact_for(session, actor, agent_id, contact_id)
    rows = session.exec(
        select(Conversation)
        .where(Conversation.contact_id == contact.id, Conversation.agent_id == agent.id)
        .order_by(Conversation.updated_at.desc(), Conversation.id.desc())
    ).all()
    out = []
    for conv in rows:
        first = session.exec(
            select(Message)
            .where(Message.conversation_id == conv.id)
            .order_by(Message.created_at, Message.id)
        ).first()
        count = len(
            session.exec(select(Message.id).where(Message.conversation_id == conv.id)).all()
        )
        out.append(
            {
                "id": str(conv.id),
                "title": conv.title or (first.content[:80] if first else "Conversation"),
                "messages": count,
                "time": fmt_time(conv.updated_at, tz_name),
            }
        )
    return out


def read_transcript(
    session: Session, actor: Actor, agent_id, contact_id, conversation_id, tz_name: str = ""
) -> list[dict]:
    """One conversation's messages in the order they were sent."""
    agent, contact = contact_for(session, actor, agent_id, contact_id)
    conv = (
        session.get(Conversation, int(conversation_id)) if str(conversation_id).isdigit() else None
    )
    if conv is None or conv.contact_id != contact.id or conv.agent_id != agent.id:
        raise NotFound("Conversation not found.")
    rows = session.exec(
        select(Message)
        .where(Message.conversation_id == conv.id)
        .order_by(Message.created_at, Message.id)
    )
    labels = {"visitor": display_name(contact), "agent": agent.name, "member": "Team member"}
    return [
        {
            "id": m.id,
            "role": m.role,
            "who": labels.get(m.role, m.role),
            "content": m.content,
            "time": fmt_time(m.created_at, tz_name),
        }
        for m in rows
    ]
