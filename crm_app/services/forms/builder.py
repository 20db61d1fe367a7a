"""Forms of an agent: list, create, rename, save the draft, publish, close, duplicate, delete;
the builder's data and the share links."""

from __future__ import annotations

import io
import re
import secrets
from collections.abc import Mapping
from datetime import UTC
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, delete, select

from crm_app.models import Agent, ContactField, Form, FormSubmission, FormVersion, utcnow
from crm_app.services import audit
from crm_app.services import files as file_service
from crm_app.services.access import Actor, require_agent
from crm_app.services.contact_input import agent_fields
from crm_app.services.display import fmt_time
from crm_app.services.errors import Conflict, NotFound, ValidationError
from crm_app.services.forms.schema import (
    DEFAULT_SETTINGS,
    RESOURCE,
    check_publishable,
    clean_draft,
    clean_text,
    mapping_choices,
    with_field_options,
)
from crm_app.services.forms.submit import file_keys
from crm_app.settings import get_settings


def _slugify(name: str) -> str:
    base = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:50].strip("-") or "form"
    return f"{base}-{secrets.token_hex(3)}"


def form_of(
    session: Session, actor: Actor, agent_id, form_id, minimum: str = "User"
) -> tuple[Agent, Form]:
    agent = require_agent(session, actor, agent_id if isinstance(agent_id, int) else None, minimum)
    form = session.get(Form, int(form_id)) if str(form_id).isdigit() else None
    if form is None or form.agent_id != agent.id:
        raise NotFound("Form not found.")
    return agent, form


def versions_of(session: Session, form_id: int) -> dict[int, FormVersion]:
    return {
        v.version: v
        for v in session.exec(select(FormVersion).where(FormVersion.form_id == form_id))
    }


def latest_version(session: Session, form: Form) -> FormVersion | None:
    if not form.published_version:
        return None
    return session.exec(
        select(FormVersion).where(
            FormVersion.form_id == form.id, FormVersion.version == form.published_version
        )
    ).first()


def list_forms(session: Session, actor: Actor, agent_id, tz_name: str = "") -> list[dict]:
    agent = require_agent(session, actor, agent_id if isinstance(agent_id, int) else None)
    forms = list(
        session.exec(
            select(Form)
            .where(Form.agent_id == agent.id)
            .order_by(Form.created_at.desc(), Form.id.desc())
        )
    )
    stats = {}
    if forms:
        stats = {
            row[0]: (row[1], row[2])
            for row in session.exec(
                select(FormSubmission.form_id, func.count(), func.max(FormSubmission.created_at))
                .where(
                    FormSubmission.form_id.in_([f.id for f in forms]),
                    FormSubmission.status != "Spam",
                )
                .group_by(FormSubmission.form_id)
            )
        }
    out = []
    for form in forms:
        count, last = stats.get(form.id, (0, None))
        if last is not None and last.tzinfo is None:
            last = last.replace(tzinfo=UTC)
        out.append(
            {
                "id": str(form.id),
                "name": form.name,
                "slug": form.slug,
                "status": form.status,
                "submissions": int(count),
                "last": fmt_time(last, tz_name) if last else "—",
                "version": form.published_version or 0,
            }
        )
    return out


def create_form(session: Session, actor: Actor, agent_id, name: str) -> Form:
    agent = require_agent(session, actor, agent_id if isinstance(agent_id, int) else None, "Admin")
    name = clean_text(name, 120, "The form name", "name")
    if not name:
        raise ValidationError("Enter a name for the form.", field="name")
    settings = dict(DEFAULT_SETTINGS, title=name)
    form = Form(
        agent_id=agent.id,
        name=name,
        slug=_slugify(name),
        draft={"elements": [], "settings": settings},
    )
    session.add(form)
    session.flush()
    audit.record(
        session,
        actor,
        "Create",
        RESOURCE,
        f"Created form “{name}” ({form.id}) for agent {agent.id}",
    )
    return form


def rename_form(session: Session, actor: Actor, agent_id, form_id, name: str) -> Form:
    _, form = form_of(session, actor, agent_id, form_id, "Admin")
    name = clean_text(name, 120, "The form name", "name")
    if not name:
        raise ValidationError("Enter a name for the form.", field="name")
    if name != form.name:
        audit.record(session, actor, "Update", RESOURCE, f"Renamed form {form.id} to “{name}”")
        form.name, form.updated_at = name, utcnow()
        session.add(form)
    return form


def save_draft(session: Session, actor: Actor, agent_id, form_id, draft: Mapping[str, Any]) -> dict:
    """Replace the draft (elements and settings) after cleaning it; returns the cleaned draft."""
    agent, form = form_of(session, actor, agent_id, form_id, "Admin")
    cleaned = with_field_options(clean_draft(draft), agent_fields(session, agent.id))
    if cleaned != form.draft:
        form.draft = cleaned
        form.updated_at = utcnow()
        session.add(form)
    return cleaned


def has_unpublished_changes(session: Session, form: Form) -> bool:
    version = latest_version(session, form)
    return version is not None and version.schema_ != form.draft


def publish(session: Session, actor: Actor, agent_id, form_id) -> FormVersion:
    """Snapshot the draft as the next version; the public page shows it at once."""
    agent, form = form_of(session, actor, agent_id, form_id, "Admin")
    fields = agent_fields(session, agent.id)
    draft = with_field_options(clean_draft(form.draft), fields)
    check_publishable(draft, fields, _archived_fields(session, agent.id))
    current = latest_version(session, form)
    if current is not None and current.schema_ == draft and form.status != "Draft":
        raise Conflict("There are no changes to publish.")
    number = (
        session.exec(
            select(func.max(FormVersion.version)).where(FormVersion.form_id == form.id)
        ).one()
        or 0
    ) + 1
    version = FormVersion(form_id=form.id, version=number, schema_=draft)
    session.add(version)
    form.draft = draft
    form.published_version = number
    if form.status == "Draft":
        form.status = "Published"
    form.updated_at = utcnow()
    session.add(form)
    session.flush()
    audit.record(
        session,
        actor,
        "Update",
        RESOURCE,
        f"Published version {number} of form “{form.name}” ({form.id})",
    )
    return version


def _archived_fields(session: Session, agent_id: int) -> dict[str, ContactField]:
    rows = session.exec(
        select(ContactField).where(
            ContactField.agent_id == agent_id, ContactField.archived_at.is_not(None)
        )
    )
    return {f.key: f for f in rows}


def set_status(session: Session, actor: Actor, agent_id, form_id, status: str) -> Form:
    """Close a published form, or reopen a closed one."""
    _, form = form_of(session, actor, agent_id, form_id, "Admin")
    if status == "Closed":
        if form.status != "Published":
            raise Conflict("Only a published form can be closed.")
    elif status == "Published":
        if form.status != "Closed":
            raise Conflict("Only a closed form can be reopened.")
    else:
        raise ValidationError("Unknown status.", field="status")
    form.status = status
    form.updated_at = utcnow()
    session.add(form)
    audit.record(
        session,
        actor,
        "Update",
        RESOURCE,
        f"{'Closed' if status == 'Closed' else 'Reopened'} form “{form.name}” ({form.id})",
    )
    return form


def duplicate_form(session: Session, actor: Actor, agent_id, form_id) -> Form:
    """A new draft with a copy of the elements and settings (no submissions)."""
    agent, form = form_of(session, actor, agent_id, form_id, "Admin")
    name = f"{form.name} (copy)"[:120]
    draft = clean_draft(form.draft)
    copy = Form(agent_id=agent.id, name=name, slug=_slugify(form.name), draft=draft)
    session.add(copy)
    session.flush()
    audit.record(
        session, actor, "Create", RESOURCE, f"Duplicated form {form.id} as “{name}” ({copy.id})"
    )
    return copy


def delete_form(session: Session, actor: Actor, agent_id, form_id) -> None:
    """Delete the form, its versions and submissions (and their stored files)."""
    _, form = form_of(session, actor, agent_id, form_id, "Admin")
    keys = []
    for answers in session.exec(
        select(FormSubmission.answers).where(FormSubmission.form_id == form.id)
    ):
        keys.extend(file_keys(answers))
    session.exec(delete(FormSubmission).where(FormSubmission.form_id == form.id))
    session.exec(delete(FormVersion).where(FormVersion.form_id == form.id))
    session.delete(form)
    if keys:
        file_service.remove_stored(session, keys)
    audit.record(session, actor, "Delete", RESOURCE, f"Deleted form “{form.name}” ({form.id})")


def builder_data(session: Session, actor: Actor, agent_id, form_id) -> dict:
    agent, form = form_of(session, actor, agent_id, form_id)
    fields = agent_fields(session, agent.id)
    draft = with_field_options(clean_draft(form.draft), fields)
    return {
        "id": str(form.id),
        "name": form.name,
        "slug": form.slug,
        "status": form.status,
        "version": form.published_version or 0,
        "draft": draft,
        "unpublished": has_unpublished_changes(session, form),
        "fields": mapping_choices(fields),
        # Still named in "Maps to" when an element maps to one (publishing then says why not).
        "archived_fields": [
            {"key": f.key, "label": f.label} for f in _archived_fields(session, agent.id).values()
        ],
        "can_edit": actor.is_admin,
        "agent_name": agent.name,
    }


def share_links(form: Form) -> dict:
    base = get_settings().base_url
    url = f"{base}/f/{form.slug}"
    embed = (
        f'<iframe src="{url}" title="{_attr(form.name)}" width="100%" height="720" '
        f'style="border:0;max-width:640px" loading="lazy"></iframe>'
    )
    return {"url": url, "embed": embed, "qr": f"/api/forms/{form.id}/qr.png"}


def _attr(text: str) -> str:
    return (
        text.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;").replace(">", "&gt;")
    )


def qr_png(session: Session, actor: Actor, form_id) -> tuple[bytes, str]:
    form = session.get(Form, int(form_id)) if str(form_id).isdigit() else None
    if form is None:
        raise NotFound("Form not found.")
    form_of(session, actor, form.agent_id, form.id)
    import qrcode
    from qrcode.image.pure import PyPNGImage

    image = qrcode.make(share_links(form)["url"], image_factory=PyPNGImage, box_size=10, border=3)
    buffer = io.BytesIO()
    image.save(buffer)
    return buffer.getvalue(), f"{form.slug}-qr.png"
