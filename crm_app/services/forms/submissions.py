"""Reviewing submissions: the table, one submission, reviewed/spam, CSV export, file downloads."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import String, cast, func
from sqlmodel import Session, select

from crm_app.models import Activity, Contact, Form, FormSubmission, FormVersion
from crm_app.services import audit
from crm_app.services import files as file_service
from crm_app.services.access import Actor
from crm_app.services.contact_input import agent_fields
from crm_app.services.display import fmt_time
from crm_app.services.errors import Conflict, NotFound, ValidationError
from crm_app.services.export import escape_cell
from crm_app.services.forms.builder import form_of, versions_of
from crm_app.services.forms.public import SubmissionInvalid
from crm_app.services.forms.schema import DISPLAY_TYPES, ELEMENT_TYPES, SUBMISSION_STATUSES
from crm_app.services.forms.submit import submission_activity, to_contact
from crm_app.services.values import format_phone


@dataclass
class SubmissionQuery:
    status: str = ""  # "" (all but spam) | New | Reviewed | Spam | All
    search: str = ""
    date_from: date | None = None
    date_to: date | None = None
    page: int = 1
    page_size: int = 25


def columns_for(session: Session, form: Form) -> list[dict]:
    """One column per question of the latest version (or the draft), then older questions."""
    versions = sorted(versions_of(session, form.id).values(), key=lambda v: -v.version)
    schemas = [v.schema_ for v in versions] or [form.draft]
    columns: list[dict] = []
    seen: set[str] = set()
    for schema in schemas:
        for element in schema.get("elements", []):
            if element["type"] in DISPLAY_TYPES or element["id"] in seen:
                continue
            seen.add(element["id"])
            columns.append(
                {"id": element["id"], "label": element["label"] or ELEMENT_TYPES[element["type"]]}
            )
    return columns


def _filtered(form: Form, query: SubmissionQuery):
    where = [FormSubmission.form_id == form.id]
    if query.status in ("New", "Reviewed", "Spam"):
        where.append(FormSubmission.status == query.status)
    elif query.status != "All":
        where.append(FormSubmission.status != "Spam")
    if query.search.strip():
        term = (
            query.search.strip()[:100]
            .lower()
            .replace("\\", "\\\\")
            .replace("%", "\\%")
            .replace("_", "\\_")
        )
        where.append(
            func.lower(cast(FormSubmission.answers, String)).like(f"%{term}%", escape="\\")
        )
    if query.date_from:
        where.append(
            FormSubmission.created_at >= datetime.combine(query.date_from, datetime.min.time(), UTC)
        )
    if query.date_to:
        end = datetime.combine(query.date_to, datetime.min.time(), UTC) + timedelta(days=1)
        where.append(FormSubmission.created_at < end)
    return where


def _cell(answer: Any, region: str | None = None) -> str:
    """An answer as text; with `region` (on screen) a phone answer in the display format,
    without it (the CSV file) as stored, E.164."""
    if isinstance(answer, dict):
        if (
            region is not None
            and answer.get("type") == "phone"
            and isinstance(answer.get("value"), str)
        ):
            return format_phone(answer["value"], region)
        answer = answer.get("value")
    if isinstance(answer, list):
        return ", ".join(str(v) for v in answer)
    if isinstance(answer, bool):
        return "Yes" if answer else "No"
    return "" if answer is None else str(answer)


def _contact_names(session: Session, ids: set[str]) -> dict[str, str]:
    if not ids:
        return {}
    rows = session.exec(
        select(Contact.id, Contact.name, Contact.email, Contact.phone).where(Contact.id.in_(ids))
    )
    return {r[0]: r[1] or r[2] or format_phone(r[3]) or "Contact" for r in rows}


def list_submissions(
    session: Session, actor: Actor, agent_id, form_id, query: SubmissionQuery, tz_name: str = ""
) -> dict:
    agent, form = form_of(session, actor, agent_id, form_id)
    where = _filtered(form, query)
    total = session.exec(select(func.count()).select_from(FormSubmission).where(*where)).one()
    page_size = max(1, min(query.page_size, 100))
    pages = max(1, -(-total // page_size))
    page = max(1, min(query.page, pages))
    rows = list(
        session.exec(
            select(FormSubmission)
            .where(*where)
            .order_by(FormSubmission.created_at.desc(), FormSubmission.id.desc())
            .offset((page - 1) * page_size)
            .limit(page_size)
        )
    )
    columns = columns_for(session, form)
    names = _contact_names(session, {r.contact_id for r in rows if r.contact_id})
    counts = dict(
        session.exec(
            select(FormSubmission.status, func.count())
            .where(FormSubmission.form_id == form.id)
            .group_by(FormSubmission.status)
        ).all()
    )
    items = []
    for sub in rows:
        answers = sub.answers or {}
        items.append(
            {
                "id": str(sub.id),
                "time": fmt_time(sub.created_at, tz_name),
                "status": sub.status,
                "spam_reason": sub.spam_reason,
                "contact_id": sub.contact_id or "",
                "contact": names.get(sub.contact_id, "") if sub.contact_id else "",
                "cells": [_cell(answers.get(c["id"]), agent.phone_region) for c in columns],
            }
        )
    return {
        "columns": columns,
        "items": items,
        "total": total,
        "page": page,
        "pages": pages,
        "counts": {s: int(counts.get(s, 0)) for s in SUBMISSION_STATUSES},
    }


def _submission_of(session: Session, form: Form, submission_id) -> FormSubmission:
    sub = session.get(FormSubmission, int(submission_id)) if str(submission_id).isdigit() else None
    if sub is None or sub.form_id != form.id:
        raise NotFound("Submission not found.")
    return sub


def submission_detail(
    session: Session, actor: Actor, agent_id, form_id, submission_id, tz_name: str = ""
) -> dict:
    agent, form = form_of(session, actor, agent_id, form_id)
    sub = _submission_of(session, form, submission_id)
    version = session.get(FormVersion, sub.form_version_id)
    answers = []
    for eid, answer in (sub.answers or {}).items():
        label = answer.get("label", eid) if isinstance(answer, dict) else eid
        item = {
            "id": eid,
            "label": label,
            "value": _cell(answer, agent.phone_region) or "—",
            "file_url": "",
        }
        if isinstance(answer, dict) and isinstance(answer.get("file"), dict):
            item["file_url"] = f"/api/forms/{form.id}/submissions/{sub.id}/files/{eid}"
            item["value"] = (
                f"{answer['file']['name']} ({file_service.human_size(answer['file']['size'])})"
            )
        answers.append(item)
    names = _contact_names(session, {sub.contact_id} if sub.contact_id else set())
    return {
        "id": str(sub.id),
        "time": fmt_time(sub.created_at, tz_name),
        "status": sub.status,
        "spam_reason": sub.spam_reason,
        "ip": sub.ip,
        "version": str(version.version if version else ""),
        "contact_id": sub.contact_id or "",
        "contact": names.get(sub.contact_id, ""),
        "answers": answers,
    }


def mark_reviewed(
    session: Session, actor: Actor, agent_id, form_id, submission_id
) -> FormSubmission:
    _, form = form_of(session, actor, agent_id, form_id)
    sub = _submission_of(session, form, submission_id)
    if sub.status == "Spam":
        raise Conflict("Release this submission from spam first.")
    if sub.status != "Reviewed":
        sub.status = "Reviewed"
        session.add(sub)
        _audit(session, actor, f"Marked submission {sub.id} of form {form.id} reviewed")
    return sub


def _audit(session: Session, actor: Actor, description: str) -> None:
    audit.record(session, actor, "Update", "Form Submission", description)


def release_from_spam(
    session: Session, actor: Actor, agent_id, form_id, submission_id
) -> FormSubmission:
    """Not spam after all: the submission becomes New and is processed into a contact."""
    agent, form = form_of(session, actor, agent_id, form_id)
    sub = _submission_of(session, form, submission_id)
    if sub.status != "Spam":
        raise Conflict("This submission is not in spam.")
    version = session.get(FormVersion, sub.form_version_id)
    elements = [
        e
        for e in (version.schema_ if version else {}).get("elements", [])
        if e["type"] not in DISPLAY_TYPES
    ]
    sub.status, sub.spam_reason = "New", ""
    session.add(sub)
    session.flush()
    try:
        sub.contact_id = to_contact(
            session, agent, form, sub.answers, elements, agent_fields(session, agent.id)
        )
    except SubmissionInvalid as error:
        raise ValidationError(f"This submission can't become a contact: {error.message}") from None
    if sub.contact_id is not None:
        session.add(Activity(**submission_activity(form, sub.contact_id, sub.id)))
    session.add(sub)
    _audit(session, actor, f"Released submission {sub.id} of form {form.id} from spam")
    return sub


def export_csv(
    session: Session, actor: Actor, agent_id, form_id, query: SubmissionQuery, tz_name: str = ""
) -> tuple[str, str]:
    """(filename, CSV text) of the filtered submissions; every cell formula-escaped."""
    _, form = form_of(session, actor, agent_id, form_id, "Admin")
    columns = columns_for(session, form)
    where = _filtered(form, query)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(
        [escape_cell(h) for h in ["Submitted", "Status", "Contact", *[c["label"] for c in columns]]]
    )
    rows = list(
        session.exec(
            select(FormSubmission)
            .where(*where)
            .order_by(FormSubmission.created_at, FormSubmission.id)
        )
    )
    names = _contact_names(session, {s.contact_id for s in rows if s.contact_id})
    count = 0
    for sub in rows:
        answers = sub.answers or {}
        writer.writerow(
            [
                escape_cell(v)
                for v in [
                    sub.created_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC"),
                    sub.status,
                    names.get(sub.contact_id, "") if sub.contact_id else "",
                    *[_cell(answers.get(c["id"])) for c in columns],
                ]
            ]
        )
        count += 1
    audit.record(
        session, actor, "Read", "Form Submission", f"Exported {count} submissions of form {form.id}"
    )
    stem = re.sub(r"[^A-Za-z0-9]+", "-", form.name).strip("-").lower() or "form"
    return f"{stem}-submissions-{date.today().isoformat()}.csv", "\ufeff" + buffer.getvalue()


def file_for_download(session: Session, actor: Actor, form_id, submission_id, element_id) -> tuple:
    """(path, filename, content type) of an uploaded form file the member may read."""
    form = session.get(Form, int(form_id)) if str(form_id).isdigit() else None
    if form is None:
        raise NotFound("File not found.")
    try:
        _, form = form_of(session, actor, form.agent_id, form.id)
    except NotFound:
        raise NotFound("File not found.") from None
    sub = _submission_of(session, form, submission_id)
    answer = (sub.answers or {}).get(str(element_id))
    meta = answer.get("file") if isinstance(answer, dict) else None
    if not isinstance(meta, dict):
        raise NotFound("File not found.")
    path = file_service.storage_path(meta.get("key", ""))
    if not path.is_file():
        raise NotFound("File not found.")
    audit.record(
        session, actor, "Read", "File", f"Downloaded a file of submission {sub.id} (form {form.id})"
    )
    return path, meta.get("name", "file"), meta.get("content_type", "application/octet-stream")
