"""Self-service for a visitor signed in to a gated agent: download what the CRM holds about
them, and ask the team to erase it.

"Signed in" means the visitor key has a live GuestSession for the agent (not ended, not
expired) whose contact still belongs to the agent — the identity the email code (or the
payment) proved. It does not depend on whether the contact may chat right now: a contact
moved out of the Restrict rule, or whose pass ran out, still has a right to their data.

What the download holds (`my_data`): the contact's fields (default and custom, archived
custom fields too: their values are still kept), stage, status, source, the form
submissions with their answers, the conversations with every message, the access passes,
the sign-ins and the erasure requests. What it leaves out, on purpose: the team's internal
notes (only their count — a clinic's notes may hold clinical opinions or other people's
details and are disclosed by the team on request, not by a button), the contents of stored
files (their names, types and sizes are listed), the activity timeline (names of staff and
system steps), and who in the team owns the contact.

Asking for erasure (`request_erasure`) never erases anything: it files one open
`ErasureRequest` per contact (asking again returns the open one), notes it on the contact's
timeline and in the audit log, and emails the organization's Owners and Admins a link to
the agent's Data requests page. No personal data goes into the audit entry or the email
(both outlive the contact). No outbox event: the request changes no contact; the erasure
that may follow emits `contact.deleted` (services/erase.py).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from sqlmodel import Session, select

from crm_app import routes
from crm_app.models import (
    AccessPass,
    Agent,
    Contact,
    ContactField,
    ContactFile,
    ContactValue,
    Conversation,
    ErasureRequest,
    Form,
    FormSubmission,
    GuestSession,
    Membership,
    Message,
    Note,
    Stage,
    User,
    utcnow,
)
from crm_app.services import audit, email, principal
from crm_app.services.errors import PermissionDenied
from crm_app.services.gate.access import live_session
from crm_app.services.timeline.common import add_activity
from crm_app.settings import get_settings

MSG_NOT_SIGNED_IN = "Sign in to this agent to see or erase your data."
VISITOR = "A signed-in visitor"  # how the audit log and the timeline name the visitor
CONVERSATION_LIMIT = 1000
ROLE_NAMES = {"visitor": "you", "agent": "agent", "member": "team"}
SOURCE_LABELS = {"Chat", "Form", "Manual", "Import", "API", "Payment"}


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


# Sessions that proved the visitor owns the email. A paying browser's session ("payment")
# does not: Stripe Checkout does not verify the email typed there (docs/payments.md).
VERIFIED_VIA = ("code", "google")


def signed_in_contact(session: Session, agent: Agent, visitor_key: str) -> Contact:
    """The contact the visitor is signed in as for `agent`, by a session that verified the
    email; PermissionDenied otherwise."""
    guest = live_session(session, agent.id, visitor_key) if visitor_key else None
    if guest is not None and guest.via not in VERIFIED_VIA:
        guest = None
    contact = session.get(Contact, guest.contact_id) if guest is not None else None
    if contact is None or contact.agent_id != agent.id or contact.archived is None:
        raise PermissionDenied(MSG_NOT_SIGNED_IN)
    return contact


# ---------------------------------------------------------------- download


def _fields(session: Session, agent: Agent, contact: Contact) -> list[dict]:
    rows = session.exec(
        select(ContactValue, ContactField)
        .join(ContactField, ContactField.id == ContactValue.field_id)
        .where(ContactValue.contact_id == contact.id, ContactField.agent_id == agent.id)
        .order_by(ContactField.position, ContactField.id)
    ).all()
    return [
        {
            "label": field.label,
            "value": value.value_json if isinstance(value.value_json, list) else value.value_text,
        }
        for value, field in rows
    ]


def _answer(value):
    if isinstance(value, dict) and "label" in value:
        return {"question": str(value["label"]), "answer": value.get("value")}
    return None


def _submissions(session: Session, agent: Agent, contact: Contact) -> list[dict]:
    rows = session.exec(
        select(FormSubmission, Form)
        .join(Form, Form.id == FormSubmission.form_id)
        .where(FormSubmission.contact_id == contact.id, Form.agent_id == agent.id)
        .order_by(FormSubmission.created_at, FormSubmission.id)
    ).all()
    out = []
    for sub, form in rows:
        answers = []
        for key, value in (sub.answers or {}).items():
            answers.append(_answer(value) or {"question": str(key), "answer": value})
        out.append({"form": form.name, "submitted_at": _iso(sub.created_at), "answers": answers})
    return out


def _conversations(session: Session, agent: Agent, contact: Contact) -> list[dict]:
    chats = list(
        session.exec(
            select(Conversation)
            .where(
                Conversation.agent_id == agent.id,
                Conversation.contact_id == contact.id,
                ~Conversation.test,
            )
            .order_by(Conversation.created_at, Conversation.id)
            .limit(CONVERSATION_LIMIT)
        )
    )
    by_chat: dict[int, list[dict]] = {c.id: [] for c in chats}
    if chats:
        for m in session.exec(
            select(Message)
            .where(Message.conversation_id.in_(list(by_chat)), Message.status != "pending")
            .order_by(Message.created_at, Message.id)
        ):
            by_chat[m.conversation_id].append(
                {
                    "from": ROLE_NAMES.get(m.role, m.role),
                    "text": m.content,
                    "at": _iso(m.created_at),
                }
            )
    return [
        {
            "title": c.title or "Untitled Conversation",
            "started_at": _iso(c.created_at),
            "messages": by_chat[c.id],
        }
        for c in chats
    ]


def _passes(session: Session, agent: Agent, contact: Contact) -> list[dict]:
    rows = session.exec(
        select(AccessPass)
        .where(AccessPass.agent_id == agent.id, AccessPass.contact_id == contact.id)
        .order_by(AccessPass.starts_at, AccessPass.id)
    )
    return [
        {
            "email": p.email,
            "amount": p.amount,
            "currency": p.currency,
            "credits_total": p.credits_total,
            "credits_left": p.credits_left,
            "starts_at": _iso(p.starts_at),
            "expires_at": _iso(p.expires_at),
            "refunded_amount": p.refunded_amount,
            "revoked_at": _iso(p.revoked_at),
        }
        for p in rows
    ]


def _sign_ins(session: Session, agent: Agent, contact: Contact) -> list[dict]:
    rows = session.exec(
        select(GuestSession)
        .where(GuestSession.agent_id == agent.id, GuestSession.contact_id == contact.id)
        .order_by(GuestSession.created_at, GuestSession.id)
    )
    return [
        {
            "email": g.email,
            "via": g.via,
            "signed_in_at": _iso(g.created_at),
            "expires_at": _iso(g.expires_at),
            "ended_at": _iso(g.ended_at),
        }
        for g in rows
    ]


def _requests(session: Session, agent: Agent, contact: Contact) -> list[dict]:
    rows = session.exec(
        select(ErasureRequest)
        .where(ErasureRequest.agent_id == agent.id, ErasureRequest.contact_id == contact.id)
        .order_by(ErasureRequest.requested_at, ErasureRequest.id)
    )
    return [{"status": r.status, "requested_at": _iso(r.requested_at)} for r in rows]


def my_data(session: Session, agent: Agent, visitor_key: str) -> dict:
    """Everything the download holds (see the module's docstring), JSON-serialisable."""
    contact = signed_in_contact(session, agent, visitor_key)
    stage = session.get(Stage, contact.stage_id) if contact.stage_id else None
    files = session.exec(
        select(ContactFile)
        .where(ContactFile.contact_id == contact.id)
        .order_by(ContactFile.created_at, ContactFile.id)
    )
    notes = len(list(session.exec(select(Note.id).where(Note.contact_id == contact.id))))
    return {
        "about": (
            f"What {agent.name} holds about you in its CRM, as of this download. "
            "Internal team notes and the contents of stored files are not included; "
            "ask the team if you want them."
        ),
        "agent": {"name": agent.name, "slug": agent.slug},
        "exported_at": utcnow().isoformat(),
        "contact": {
            "id": contact.id,
            "name": contact.name,
            "email": contact.email,
            "phone": contact.phone,
            "gender": contact.gender,
            "external_reference": contact.external_ref,
            "source": f"via {contact.source}" if contact.source in SOURCE_LABELS else "",
            "stage": stage.name if stage is not None else None,
            "status": contact.status,
            "archived": bool(contact.archived),
            "created_at": _iso(contact.created_at),
            "updated_at": _iso(contact.updated_at),
            "fields": _fields(session, agent, contact),
        },
        "form_submissions": _submissions(session, agent, contact),
        "conversations": _conversations(session, agent, contact),
        "files": [
            {
                "name": f.filename,
                "type": f.content_type,
                "size": f.size,
                "added_at": _iso(f.created_at),
            }
            for f in files
        ],
        "internal_notes": {"count": notes, "included": False},
        "access_passes": _passes(session, agent, contact),
        "sign_ins": _sign_ins(session, agent, contact),
        "erasure_requests": _requests(session, agent, contact),
    }


def download_filename(agent: Agent) -> str:
    return f"my-data-{agent.slug}-{utcnow().date().isoformat()}.json"


def download(session: Session, agent: Agent, visitor_key: str, *, ip: str = "") -> dict:
    """`my_data` for the visitor to save, and an audit entry (an export of personal data is
    logged like the team's exports): "Contact … downloaded their data"."""
    data = my_data(session, agent, visitor_key)
    actor = replace(principal.system(agent.org_id, VISITOR), ip=ip[:64])
    audit.record(
        session, actor, "Read", "Contact", f"Contact {data['contact']['id']} downloaded their data"
    )
    return data


# ---------------------------------------------------------------- erasure request


def open_request(session: Session, agent_id: int, contact_id: str) -> ErasureRequest | None:
    return session.exec(
        select(ErasureRequest)
        .where(
            ErasureRequest.agent_id == agent_id,
            ErasureRequest.contact_id == contact_id,
            ErasureRequest.status == "open",
        )
        .order_by(ErasureRequest.id)
    ).first()


def request_dto(row: ErasureRequest, created: bool) -> dict:
    return {
        "id": row.id,
        "status": row.status,
        "requested_at": _iso(row.requested_at),
        "created": created,
    }


def _admin_emails(session: Session, org_id: int) -> list[str]:
    return list(
        session.exec(
            select(User.email)
            .join(Membership, Membership.user_id == User.id)
            .where(Membership.org_id == org_id, Membership.role.in_(("Owner", "Admin")))
            .order_by(User.email)
        )
    )


def requests_url(agent: Agent) -> str:
    return get_settings().base_url.rstrip("/") + routes.agent_path(routes.DATA_REQUESTS, agent.id)


def request_erasure(session: Session, agent: Agent, visitor_key: str, *, ip: str = "") -> dict:
    """File the signed-in visitor's erasure request (or return the open one); see the
    module's docstring. The contact row is locked first, so two requests at once make one."""
    contact = signed_in_contact(session, agent, visitor_key)
    session.get(Contact, contact.id, with_for_update=True)
    existing = open_request(session, agent.id, contact.id)
    if existing is not None:
        return request_dto(existing, created=False)
    guest = live_session(session, agent.id, visitor_key)
    row = ErasureRequest(
        agent_id=agent.id,
        contact_id=contact.id,
        email=(guest.email if guest is not None else "") or contact.email or "",
    )
    session.add(row)
    session.flush()
    actor = replace(principal.system(agent.org_id, VISITOR), ip=ip[:64])
    add_activity(
        session,
        contact,
        "erasure",
        actor,
        "Asked to have their data erased (self-service on the chat page)",
        {"request_id": row.id},
    )
    audit.record(
        session,
        actor,
        "Create",
        "Erasure request",
        f"Contact {contact.id} asked to be erased (agent {agent.name})",
    )
    url = requests_url(agent)
    for to in _admin_emails(session, agent.org_id):
        email.send_email(
            session,
            to,
            f"Erasure request for your agent {agent.name}",
            (
                f"A visitor signed in to your agent “{agent.name}” asked to have the data "
                "your CRM holds about them erased.\n\n"
                f"Review the request and erase the contact with one click:\n{url}\n\n"
                "Nothing is erased until an Owner or Admin does it."
            ),
        )
    return request_dto(row, created=True)
