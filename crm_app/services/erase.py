"""Erase contact (GDPR): the contact and everything about them, for good.

Removes the contact's custom values, notes, files (rows now, bytes on disk once the
transaction commits), form submissions, conversations with their messages, timeline,
access passes and gated-chat sign-ins, then the contact. The audit entry names only the
contact's opaque id.
"""

from __future__ import annotations

from sqlalchemy import delete, update
from sqlmodel import Session, select

from crm_app.models import (
    AccessPass,
    Activity,
    Contact,
    ContactFile,
    ContactValue,
    Conversation,
    ErasureRequest,
    FormSubmission,
    GuestSession,
    Message,
    Note,
    utcnow,
)
from crm_app.services import audit, events, files
from crm_app.services.access import Actor
from crm_app.services.timeline import contact_for


def erase_contact(session: Session, actor: Actor, agent_id, contact_id) -> str:
    """Admin+ only. Returns the erased contact's id."""
    _, contact = contact_for(session, actor, agent_id, contact_id, minimum="Admin")
    cid = contact.id
    session.expunge(contact)
    delete_contacts(session, [cid], keep_submissions=False)
    close_erasure_requests(session, actor, cid)
    audit.record(session, actor, "Delete", "Contact", "Erased a contact")
    events.emit(session, contact.agent_id, "contact.deleted", {"contact_id": cid})
    return cid


def close_erasure_requests(session: Session, actor: Actor, contact_id: str) -> None:
    """The contact's erasure requests (services/erasure_requests.py) keep no email once it is
    erased, and an open one is closed as erased, whichever screen erased it."""
    requests = update(ErasureRequest).where(ErasureRequest.contact_id == contact_id)
    session.exec(requests.values(email="").execution_options(synchronize_session=False))
    session.exec(
        requests.where(ErasureRequest.status == "open")
        .values(status="erased", handled_by=actor.user_id, handled_at=utcnow())
        .execution_options(synchronize_session=False)
    )


def delete_contacts(session: Session, ids: list[str], *, keep_submissions: bool) -> None:
    """The contacts and everything about them; their form submissions are deleted too, or
    kept without the link (`keep_submissions`). Stored files go once the caller commits."""
    keys = list(
        session.exec(select(ContactFile.storage_key).where(ContactFile.contact_id.in_(ids)))
    )
    conversation_ids = select(Conversation.id).where(Conversation.contact_id.in_(ids))
    submissions = (
        update(FormSubmission).where(FormSubmission.contact_id.in_(ids)).values(contact_id=None)
        if keep_submissions
        else delete(FormSubmission).where(FormSubmission.contact_id.in_(ids))
    )
    for statement in (
        delete(ContactValue).where(ContactValue.contact_id.in_(ids)),
        delete(Note).where(Note.contact_id.in_(ids)),
        delete(ContactFile).where(ContactFile.contact_id.in_(ids)),
        submissions,
        # Kept submissions (another contact's, or kept unlinked) lose the chat they came from.
        update(FormSubmission)
        .where(FormSubmission.conversation_id.in_(conversation_ids))
        .values(conversation_id=None),
        delete(Message).where(Message.conversation_id.in_(conversation_ids)),
        delete(Conversation).where(Conversation.contact_id.in_(ids)),
        delete(Activity).where(Activity.contact_id.in_(ids)),
        delete(AccessPass).where(AccessPass.contact_id.in_(ids)),
        delete(GuestSession).where(GuestSession.contact_id.in_(ids)),  # signed-in visitors
        delete(Contact).where(Contact.id.in_(ids)),
    ):
        session.exec(statement.execution_options(synchronize_session=False))
    files.remove_stored(session, keys)
