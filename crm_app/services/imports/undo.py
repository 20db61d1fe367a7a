"""Undoing an import: created contacts removed, updated contacts restored."""

from __future__ import annotations

from sqlalchemy import delete
from sqlmodel import Session, select

from crm_app.models import (
    Activity,
    Contact,
    ContactValue,
    ImportChange,
    ImportJob,
    utcnow,
)
from crm_app.services import audit
from crm_app.services.access import Actor
from crm_app.services.contacts import store_value
from crm_app.services.erase import delete_contacts
from crm_app.services.errors import ValidationError
from crm_app.services.imports.common import ACTIVE, RESOURCE, job_dto, load_job


def undo_import(session: Session, actor: Actor, agent_id: int, job_id: int) -> dict:
    """Created contacts removed, updated contacts restored to their values before the import."""
    agent, job = load_job(session, actor, agent_id, job_id)
    if job.status in ACTIVE:
        raise ValidationError("Wait until the import has finished, then undo it.")
    if job.undone_at is not None:
        raise ValidationError("This import has already been undone.")
    if job.status != "done":
        raise ValidationError("Only a finished import can be undone.")
    removed, restored = revert(session, job, actor)
    job.status, job.undone_at = "undone", utcnow()
    session.add(job)
    audit.record(
        session,
        actor,
        "Delete",
        RESOURCE,
        f"Undid the import of {job.filename}: {removed:,} contacts removed, {restored:,} restored",
    )
    return job_dto(job)


def revert(session: Session, job: ImportJob, actor: Actor | None = None) -> tuple[int, int]:
    created: list[str] = []
    updated: list[ImportChange] = []
    for change in session.exec(select(ImportChange).where(ImportChange.job_id == job.id)):
        (created.append(change.contact_id) if change.kind == "created" else updated.append(change))
    for start in range(0, len(created), 900):
        delete_contacts(session, created[start : start + 900], keep_submissions=True)
    label = actor.display_name if actor else "System"
    restored = 0
    for change in updated:
        contact = session.get(Contact, change.contact_id)
        if contact is None:
            continue
        previous = change.previous or {}
        for key, old in previous.get("defaults", {}).items():
            setattr(contact, key, old)
        if previous.get("ref_set"):
            contact.external_ref = None
        for fid, stored in previous.get("custom", {}).items():
            row = session.get(ContactValue, (contact.id, int(fid)))
            store_value(session, contact.id, int(fid), row, stored)
        contact.name_sort = (contact.name or "").lower()
        contact.updated_at = utcnow()
        session.add(contact)
        session.add(
            Activity(
                contact_id=contact.id,
                kind="field",
                actor_type="member" if actor else "import",
                actor_id=actor.user_id if actor else job.user_id,
                actor_label=label,
                message=f"Import of {job.filename} undone: previous values restored by {label}"[
                    :1000
                ],
                data={"import_id": job.id},
            )
        )
        restored += 1
    session.exec(delete(ImportChange).where(ImportChange.job_id == job.id))
    session.flush()
    return len(created), restored
