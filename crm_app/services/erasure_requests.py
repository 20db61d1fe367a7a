"""The team's side of visitors' erasure requests (services/gate/self_service.py files them).

Owners and Admins of the agent's organization list the requests, erase the contact with
one click (`erase`: services/erase.erase_contact, which deletes everything about them and
audits "Erased a contact") or dismiss the request (`dismiss`, e.g. a contact the clinic
must keep by law — the team tells the visitor outside the app). Both are audited by
request number and contact id only. Once a request is erased its stored email is blanked:
the row is the team's record that the request was honoured, with no personal data left.
Users (and other organizations) get "Agent not found." / "This needs the Admin role".
"""

from __future__ import annotations

from sqlalchemy import func
from sqlmodel import Session, select

from crm_app.models import Contact, ErasureRequest, User, utcnow
from crm_app.services import audit
from crm_app.services import erase as erase_service
from crm_app.services.access import Actor, require_agent
from crm_app.services.display import contact_name, fmt_time
from crm_app.services.errors import Conflict, NotFound, ValidationError

STATUSES = ("open", "erased", "dismissed")
LIST_LIMIT = 500


def count_open(session: Session, actor: Actor, agent_id) -> int:
    """Open requests of the agent for the sidebar badge; 0 for anyone below Admin."""
    if not actor.is_admin:
        return 0
    agent = require_agent(session, actor, agent_id if isinstance(agent_id, int) else None, "Admin")
    return session.exec(
        select(func.count(ErasureRequest.id)).where(
            ErasureRequest.agent_id == agent.id, ErasureRequest.status == "open"
        )
    ).one()


def has_any(session: Session, actor: Actor, agent_id) -> bool:
    """Whether the agent ever had a request (the sidebar shows Data requests from then on)."""
    if not actor.is_admin:
        return False
    agent = require_agent(session, actor, agent_id if isinstance(agent_id, int) else None, "Admin")
    return (
        session.exec(
            select(ErasureRequest.id).where(ErasureRequest.agent_id == agent.id).limit(1)
        ).first()
        is not None
    )


def list_requests(
    session: Session, actor: Actor, agent_id, status: str = "open", tz_name: str = ""
) -> list[dict]:
    """The agent's requests with that status ("open", "erased", "dismissed" or "handled" for
    both of the last), newest first, with the contact's current name and email."""
    if status not in (*STATUSES, "handled"):
        raise ValidationError("Unknown request status.", field="status")
    agent = require_agent(session, actor, agent_id if isinstance(agent_id, int) else None, "Admin")
    wanted = ("erased", "dismissed") if status == "handled" else (status,)
    rows = session.exec(
        select(ErasureRequest, Contact, User)
        .outerjoin(Contact, Contact.id == ErasureRequest.contact_id)
        .outerjoin(User, User.id == ErasureRequest.handled_by)
        .where(ErasureRequest.agent_id == agent.id, ErasureRequest.status.in_(wanted))
        .order_by(ErasureRequest.requested_at.desc(), ErasureRequest.id.desc())
        .limit(LIST_LIMIT)
    ).all()
    out = []
    for row, contact, handler in rows:
        here = contact is not None and contact.agent_id == agent.id
        out.append(
            {
                "id": str(row.id),
                "contact_id": contact.id if here else "",
                "name": contact_name(contact) if here else "Erased contact",
                "email": (contact.email or row.email or "") if here else row.email,
                "status": row.status,
                "requested": fmt_time(row.requested_at, tz_name),
                "handled": fmt_time(row.handled_at, tz_name) if row.handled_at else "",
                "handled_by": handler.display_name if handler is not None else "",
            }
        )
    return out


def _open_request(session: Session, actor: Actor, agent_id, request_id) -> ErasureRequest:
    agent = require_agent(session, actor, agent_id if isinstance(agent_id, int) else None, "Admin")
    try:
        rid = int(request_id)
    except (TypeError, ValueError):
        raise NotFound("Request not found.") from None
    row = session.get(ErasureRequest, rid, with_for_update=True)
    if row is None or row.agent_id != agent.id:
        raise NotFound("Request not found.")
    if row.status != "open":
        raise Conflict(f"This request was already {row.status}.")
    return row


def _close(session: Session, actor: Actor, row: ErasureRequest, status: str) -> None:
    row.status, row.handled_by, row.handled_at = status, actor.user_id, utcnow()
    session.add(row)


def erase(session: Session, actor: Actor, agent_id, request_id) -> str:
    """Erase the requesting contact (if still there) and close the request; the contact id."""
    row = _open_request(session, actor, agent_id, request_id)
    if session.get(Contact, row.contact_id) is not None:
        # Deletes everything about them and closes their requests (this one too).
        erase_service.erase_contact(session, actor, row.agent_id, row.contact_id)
    else:  # already gone (a bulk delete): just close it
        erase_service.close_erasure_requests(session, actor, row.contact_id)
    session.refresh(row)
    audit.record(
        session,
        actor,
        "Delete",
        "Erasure request",
        f"Erased contact {row.contact_id} at the visitor's request (request #{row.id})",
    )
    return row.contact_id


def dismiss(session: Session, actor: Actor, agent_id, request_id) -> None:
    """Close the request without erasing (the contact stays)."""
    row = _open_request(session, actor, agent_id, request_id)
    _close(session, actor, row, "dismissed")
    audit.record(
        session,
        actor,
        "Update",
        "Erasure request",
        f"Dismissed the erasure request #{row.id} of contact {row.contact_id}",
    )
