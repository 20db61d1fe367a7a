"""Agents: create, rename, update, delete and list an organization's chat agents.

An agent owns its CRM: contacts (with values, notes, files, activity), fields, stages,
forms, automations, conversations, API keys, access passes and webhooks. Deleting an agent
removes all of that in the caller's transaction.
"""

from __future__ import annotations

import re
import unicodedata

import phonenumbers
from sqlalchemy import delete, func, or_, update
from sqlalchemy import select as sa_select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, SQLModel, select

from crm_app.models import (
    Agent,
    Contact,
    ContactFile,
    Form,
    FormSubmission,
    Invitation,
    Membership,
    Organization,
    PaymentEvent,
    User,
)
from crm_app.services import audit, fields, files, forms, imports, stages
from crm_app.services.access import Actor, require_agent, require_role, visible_agents
from crm_app.services.errors import Conflict, NotFound, ValidationError
from crm_app.services.principal import member
from crm_app.services.values import normalize_email

NAME_MAX = 80
SLUG_MIN = 3
SLUG_MAX = 60
WELCOME_MAX = 500
DEFAULT_WELCOME = "Hi! How can I help you today?"

MSG_NAME = "Enter a name of 1 to 80 characters."
MSG_SLUG = "Use 3 to 60 lower-case letters, digits or hyphens."
MSG_SLUG_TAKEN = "This URL slug is taken."
MSG_REGION = "Choose a valid phone region."
MSG_WELCOME = "Keep the welcome message under 500 characters."
MSG_CONFIRM = "Type the agent's name exactly to confirm."

_SLUG_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$")


# ---------------------------------------------------------------- input checks


def slugify(name: str | None) -> str:
    """A URL slug suggestion from a name: lower-case ASCII letters, digits and hyphens."""
    ascii_name = unicodedata.normalize("NFKD", name or "").encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")
    return slug[:SLUG_MAX].rstrip("-")


def _name(raw: str | None) -> str:
    value = " ".join((raw or "").split())
    if not value or len(value) > NAME_MAX:
        raise ValidationError(MSG_NAME, field="name")
    return value


def _slug_format(raw: str) -> str:
    value = (raw or "").strip().lower()
    if not (SLUG_MIN <= len(value) <= SLUG_MAX) or not _SLUG_RE.match(value) or "--" in value:
        raise ValidationError(MSG_SLUG, field="slug")
    return value


def _region(raw: str | None) -> str:
    value = (raw or "").strip().upper()
    if value not in phonenumbers.SUPPORTED_REGIONS:
        raise ValidationError(MSG_REGION, field="region")
    return value


def _welcome(raw: str | None) -> str:
    value = (raw or "").strip()
    if len(value) > WELCOME_MAX:
        raise ValidationError(MSG_WELCOME, field="welcome_message")
    return value or DEFAULT_WELCOME


def _slug_taken(session: Session, slug: str, except_id: int | None = None) -> bool:
    query = select(Agent.id).where(Agent.slug == slug)
    if except_id is not None:
        query = query.where(Agent.id != except_id)
    return session.exec(query).first() is not None


def _free_slug(session: Session, name: str) -> str:
    """A unique slug derived from the name (short names get an "-agent" suffix)."""
    base = slugify(name)
    if len(base) < SLUG_MIN:
        base = f"{base}-agent" if base else "agent"
    candidate, n = base, 1
    while _slug_taken(session, candidate):
        n += 1
        suffix = f"-{n}"
        candidate = base[: SLUG_MAX - len(suffix)].rstrip("-") + suffix
    return candidate


def _flush_slug(session: Session) -> None:
    """Flush; a concurrent creation of the same slug surfaces as the slug conflict."""
    try:
        session.flush()
    except IntegrityError:
        raise Conflict(MSG_SLUG_TAKEN, field="slug") from None


# ---------------------------------------------------------------- bootstrap (command line)


def create_owner(
    session: Session,
    email: str,
    org_name: str | None = None,
    first_name: str = "",
    last_name: str = "",
) -> Actor:
    """A new organization with its Owner, for the command line (no one is signed in yet)."""
    email = normalize_email(email)
    if not email:
        raise ValidationError("Enter a valid email address.", field="email")
    if session.exec(select(User.id).where(User.email == email)).first() is not None:
        raise Conflict("An account with this email already exists.", field="email")
    first_name, last_name = " ".join(first_name.split())[:50], " ".join(last_name.split())[:50]
    org_name = (
        " ".join((org_name or "").split()) or f"{first_name or email.split('@')[0]}'s organization"
    )
    if len(org_name) > 120:
        raise ValidationError("Keep the organization name under 120 characters.", field="org_name")
    user = User(email=email, first_name=first_name, last_name=last_name)
    org = Organization(name=org_name)
    session.add_all([user, org])
    session.flush()
    session.add(Membership(org_id=org.id, user_id=user.id, role="Owner"))
    session.flush()
    actor = member(session, user.id, org.id)
    audit.record(
        session,
        actor,
        "Create",
        "Organization",
        f"{email} created the organization {org.name} (command line)",
    )
    return actor


def owner_actor(session: Session, email: str) -> Actor:
    """The Owner of the first organization `email` owns (the CLI acts as this member)."""
    email = normalize_email(email) or ""
    row = session.exec(
        select(Membership)
        .join(User, User.id == Membership.user_id)
        .where(User.email == email, Membership.role == "Owner")
        .order_by(Membership.id)
    ).first()
    if row is None:
        raise NotFound(f"No organization owner with the email {email or '(empty)'}.", field="email")
    return member(session, row.user_id, row.org_id)


# ---------------------------------------------------------------- commands


def create_agent(
    session: Session,
    actor: Actor,
    name: str,
    slug: str | None = None,
    region: str = "US",
    welcome_message: str | None = None,
) -> Agent:
    """Create an agent with its default contact fields and pipeline stages (Admin+)."""
    require_role(actor, "Admin")
    name = _name(name)
    if slug is not None and slug.strip():
        slug = _slug_format(slug)
        if _slug_taken(session, slug):
            raise Conflict(MSG_SLUG_TAKEN, field="slug")
    else:
        slug = _free_slug(session, name)
    agent = Agent(
        org_id=actor.org_id,
        name=name,
        slug=slug,
        phone_region=_region(region),
        welcome_message=_welcome(welcome_message),
    )
    session.add(agent)
    _flush_slug(session)
    fields.install_default_fields(session, agent.id)
    stages.install_default_stages(session, agent.id)
    audit.record(
        session, actor, "Create", "Agent", f"Created the agent {agent.name} (/{agent.slug})"
    )
    return agent


def update_agent(
    session: Session,
    actor: Actor,
    agent_id: int,
    *,
    name: str | None = None,
    slug: str | None = None,
    region: str | None = None,
    welcome_message: str | None = None,
) -> Agent:
    """Change any of name, slug, phone region and welcome message (Admin+)."""
    agent = require_agent(session, actor, agent_id, "Admin")
    changes = []
    if name is not None:
        value = _name(name)
        if value != agent.name:
            changes.append(f"renamed {agent.name} to {value}")
            agent.name = value
    if slug is not None:
        value = _slug_format(slug)
        if value != agent.slug:
            if _slug_taken(session, value, except_id=agent.id):
                raise Conflict(MSG_SLUG_TAKEN, field="slug")
            changes.append(f"URL slug /{agent.slug} to /{value}")
            agent.slug = value
    if region is not None:
        value = _region(region)
        if value != agent.phone_region:
            changes.append(f"phone region {agent.phone_region} to {value}")
            agent.phone_region = value
    if welcome_message is not None:
        value = _welcome(welcome_message)
        if value != agent.welcome_message:
            changes.append("welcome message")
            agent.welcome_message = value
    if changes:
        session.add(agent)
        _flush_slug(session)
        audit.record(
            session,
            actor,
            "Update",
            "Agent",
            f"Updated the agent {agent.name}: " + ", ".join(changes),
        )
    return agent


def rename_agent(session: Session, actor: Actor, agent_id: int, name: str) -> Agent:
    return update_agent(session, actor, agent_id, name=name)


def delete_agent(session: Session, actor: Actor, agent_id: int, confirm_name: str) -> None:
    """Delete the agent and everything it owns (Admin+; the exact name must be typed).

    Ownership follows the foreign keys: every row that points at the agent, or at a row
    the agent owns (contacts, forms, conversations, webhooks...), is deleted child-first,
    so tables added later are covered without touching this function. Payment events are
    kept (Stripe idempotency and bookkeeping) with their agent reference cleared. Private
    files (contact files, form uploads, imported CSVs) are removed from disk after the
    transaction commits.
    """
    agent = require_agent(session, actor, agent_id, "Admin")
    if (confirm_name or "").strip() != agent.name:
        raise ValidationError(MSG_CONFIRM, field="confirm_name")
    storage_keys = list(
        session.exec(
            select(ContactFile.storage_key)
            .join(Contact, Contact.id == ContactFile.contact_id)
            .where(Contact.agent_id == agent.id)
        )
    )
    for answers in session.exec(
        select(FormSubmission.answers)
        .join(Form, Form.id == FormSubmission.form_id)
        .where(Form.agent_id == agent.id)
    ):
        storage_keys += forms.file_keys(answers)
    imports.remove_agent_files(session, agent.id)
    contact_count = session.exec(
        select(func.count()).select_from(Contact).where(Contact.agent_id == agent.id)
    ).one()
    session.exec(
        update(PaymentEvent).where(PaymentEvent.agent_id == agent.id).values(agent_id=None)
    )
    for statement in _owned_row_deletes(agent.id):
        session.exec(statement)
    _forget_agent_in_access_lists(session, actor.org_id, agent.id)
    name, slug = agent.name, agent.slug
    session.expunge(agent)
    session.exec(delete(Agent).where(Agent.id == agent_id))
    audit.record(
        session,
        actor,
        "Delete",
        "Agent",
        f"Deleted the agent {name} (/{slug}) with its {contact_count} contacts",
    )
    files.remove_stored(session, storage_keys)


def _owned_row_deletes(agent_id: int) -> list:
    """DELETE statements, children first, for every row reachable from the agent by FK."""
    agent_table = Agent.__table__
    owned: dict = {}  # table -> SQL condition selecting its rows owned by the agent
    for table in SQLModel.metadata.sorted_tables:
        if table is agent_table or table.name == PaymentEvent.__tablename__:
            continue
        conditions = []
        for fk in table.foreign_keys:
            parent = fk.column.table
            if parent is agent_table:
                conditions.append(fk.parent == agent_id)
            elif parent in owned:
                conditions.append(fk.parent.in_(sa_select(fk.column).where(owned[parent])))
        if conditions:
            owned[table] = or_(*conditions)
    return [delete(table).where(condition) for table, condition in reversed(list(owned.items()))]


def _forget_agent_in_access_lists(session: Session, org_id: int, agent_id: int) -> None:
    """Users and pending invitations lose the deleted agent (its id could be reused)."""
    for model in (Membership, Invitation):
        for row in session.exec(select(model).where(model.org_id == org_id)):
            if agent_id in (row.agent_ids or []):
                row.agent_ids = [a for a in row.agent_ids if a != agent_id]
                session.add(row)


# ---------------------------------------------------------------- queries


def list_agents(session: Session, actor: Actor) -> list[dict]:
    """The agents the actor may open, each with its number of (non-archived) contacts."""
    agents = visible_agents(session, actor)
    ids = [a.id for a in agents]
    counts: dict[int, int] = {}
    if ids:
        rows = session.exec(
            select(Contact.agent_id, func.count())
            .where(Contact.agent_id.in_(ids), Contact.archived == False)  # noqa: E712
            .group_by(Contact.agent_id)
        )
        counts = {agent_id: count for agent_id, count in rows}
    return [
        {
            "id": a.id,
            "name": a.name,
            "slug": a.slug,
            "region": a.phone_region,
            "welcome_message": a.welcome_message,
            "contacts": counts.get(a.id, 0),
            "visibility": a.visibility,
            "access_mode": a.access_mode,
        }
        for a in agents
    ]
