"""Erase contact (GDPR): the contact and everything about them, for good.

Removes the contact's custom values, notes, files (rows now, bytes on disk once the
transaction commits), form submissions, conversations with their messages, timeline and
access passes, then the contact. The audit entry names only the contact's opaque id.
"""

from __future__ import annotations

from sqlalchemy import delete
from sqlmodel import Session, select

from crm_app.models import (
    AccessPass,
    Activity,
    Contact,
    ContactFile,
    ContactValue,
    Conversation,
    FormSubmission,
    Message,
    Note,
)
from crm_app.services import audit, files
from crm_app.services.access import Actor
from crm_app.services.timeline import contact_for


def erase_contact(session: Session, actor: Actor, agent_id, contact_id) -> str:
    """Admin+ only. Returns the erased contact's id."""
    _, contact = contact_for(session, actor, agent_id, contact_id, minimum="Admin")
    cid = contact.id
    keys = list(session.exec(select(ContactFile.storage_key).where(ContactFile.contact_id == cid)))
    conversation_ids = select(Conversation.id).where(Conversation.contact_id == cid)
    for statement in (
        delete(ContactValue).where(ContactValue.contact_id == cid),
        delete(Note).where(Note.contact_id == cid),
        delete(ContactFile).where(ContactFile.contact_id == cid),
        delete(FormSubmission).where(FormSubmission.contact_id == cid),
        delete(Message).where(Message.conversation_id.in_(conversation_ids)),
        delete(Conversation).where(Conversation.contact_id == cid),
        delete(Activity).where(Activity.contact_id == cid),
        delete(AccessPass).where(AccessPass.contact_id == cid),
    ):
        session.exec(statement.execution_options(synchronize_session=False))
    session.exec(
        delete(Contact).where(Contact.id == cid).execution_options(synchronize_session=False)
    )
    session.expunge(contact)
    audit.record(session, actor, "Delete", "Contact", "Erased a contact")
    files.remove_stored(session, keys)
    return cid
