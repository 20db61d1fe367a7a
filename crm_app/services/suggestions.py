"""Accepting the agent's suggestions (services/provenance.py describes where they come from).

A suggestion is an Activity line (kind "suggestion") whose data holds the field's key, the
value the agent captured, the value the contact had then (`kept`), the conversation and
message, and its status. A member who may work in the agent accepts it with one click:
the value is written as a member's edit would be (member-typed from then on, so the agent
cannot change it back), its source says the agent gave it and who accepted it, the line
is marked accepted — once: a second accept is refused — and the audit log records it.
When the contact's value is no longer the one the suggestion was made against (someone
changed it since), accepting is refused with a message saying so.
"""

from __future__ import annotations

from sqlmodel import Session, select

from crm_app.models import Activity, ContactField, ContactValue, utcnow
from crm_app.services import audit, provenance
from crm_app.services.access import Actor
from crm_app.services.contacts import DEFAULT_KEYS, edit_contact
from crm_app.services.errors import Conflict, NotFound, PermissionDenied
from crm_app.services.timeline.common import contact_for


def _current_text(session: Session, contact, key: str, field_id: int | None) -> str | None:
    if field_id is None:
        return provenance.stored_text(getattr(contact, key))
    row = session.get(ContactValue, (contact.id, field_id))
    return provenance.stored_text(row.value_text if row is not None else None)


def accept_suggestion(session: Session, actor: Actor, agent_id, contact_id, activity_id) -> str:
    """Write the suggested value; returns the field's label (for the page's toast)."""
    if not actor.is_member:
        raise PermissionDenied("Only a team member can accept the agent's suggestions.")
    agent, contact = contact_for(session, actor, agent_id, contact_id)
    wanted = int(activity_id) if str(activity_id).isdigit() else None
    row = (
        session.exec(
            select(Activity)
            .where(
                Activity.id == wanted,
                Activity.contact_id == contact.id,
                Activity.kind == provenance.SUGGESTION,
            )
            .with_for_update()  # two clicks at once: the second waits, then sees "accepted"
            .execution_options(populate_existing=True)
        ).first()
        if wanted is not None
        else None
    )
    if row is None:
        raise NotFound("Suggestion not found.")
    data = dict(row.data or {})
    label = str(data.get("label") or "This field")
    if data.get("status") != "open":
        raise Conflict("This suggestion was already accepted.")
    key = str(data.get("key") or "")
    field_id = data.get("field_id")
    if key in DEFAULT_KEYS and field_id is None:
        field_key = key
    else:
        field = session.get(ContactField, field_id) if isinstance(field_id, int) else None
        if field is None or field.agent_id != agent.id or field.archived_at is not None:
            raise Conflict(f"{label} is no longer one of this agent's fields.")
        field_key = field.key
    kept = provenance.stored_text(data.get("kept"))
    now_text = _current_text(session, contact, key, field_id)
    if now_text != kept:
        raise Conflict(
            f"{label} has changed since the agent suggested this value; "
            "the suggestion is out of date."
        )
    edit_contact(session, actor, agent.id, contact.id, {field_key: data.get("value")})
    new_text = _current_text(session, contact, key, field_id)
    if new_text:
        source = {
            "kind": "agent",
            "label": row.actor_label,
            "at": utcnow().isoformat(timespec="seconds"),
            "v": provenance.fingerprint(new_text),
            "conversation_id": data.get("conversation_id"),
            "message_id": data.get("message_id"),
            "accepted_by": actor.display_name,
        }
        contact.field_sources = {**(contact.field_sources or {}), key: source}
        session.add(contact)
    row.data = data | {
        "status": "accepted",
        "accepted_by": actor.display_name,
        "accepted_at": utcnow().isoformat(timespec="seconds"),
    }
    session.add(row)
    audit.record(
        session,
        actor,
        "Update",
        "Contact",
        f"Accepted the agent's suggestion for {label} on contact {contact.id}",
    )
    return label
