"""A job's history, its error report and the template CSV."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

from sqlmodel import Session, select

from crm_app.models import ImportJob, User
from crm_app.services.access import Actor, require_agent
from crm_app.services.contact_input import agent_fields
from crm_app.services.errors import NotFound
from crm_app.services.export import escape_cell
from crm_app.services.file_cleanup import remove_after_commit
from crm_app.services.imports.common import file_path, job_dto, load_job


def list_jobs(session: Session, actor: Actor, agent_id: int, limit: int = 20) -> list[dict]:
    agent = require_agent(session, actor, agent_id, "Admin")
    jobs = session.exec(
        select(ImportJob)
        .where(ImportJob.agent_id == agent.id, ImportJob.status != "uploaded")
        .order_by(ImportJob.created_at.desc(), ImportJob.id.desc())
        .limit(limit)
    )
    names = {}
    out = []
    for job in jobs:
        if job.user_id not in names:
            user = session.get(User, job.user_id)
            names[job.user_id] = user.display_name if user else "—"
        out.append(job_dto(job) | {"by": names[job.user_id]})
    return out


def get_job(session: Session, actor: Actor, agent_id: int, job_id: int) -> dict:
    return job_dto(load_job(session, actor, agent_id, job_id)[1])


def error_file(session: Session, actor: Actor, agent_id: int, job_id: int) -> tuple[Path, str]:
    """The error CSV of a job (row number, column, value, reason) and a download name."""
    _, job = load_job(session, actor, agent_id, job_id)
    if not job.error_key or not file_path(job.error_key).exists():
        raise NotFound("This import has no error report.")
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", Path(job.filename).stem)[:60] or "import"
    return file_path(job.error_key), f"{stem}-errors.csv"


def template_csv(session: Session, actor: Actor, agent_id: int) -> tuple[str, str]:
    """A CSV with the agent's field labels as headers and one example row."""
    agent = require_agent(session, actor, agent_id, "Admin")
    fields = sorted(agent_fields(session, agent.id).values(), key=lambda f: (f.position, f.id))
    examples = {
        "name": "Maria Lopez",
        "email": "maria.lopez@example.com",
        "phone": "+1 415 555 2671",
        "gender": "Female",
    }
    sample = {
        "Number": "3",
        "Date": "2025-01-31",
        "Checkbox": "Yes",
        "Email": "name@example.com",
        "Phone": "+1 415 555 0100",
        "URL": "https://example.com",
    }
    row = []
    for f in fields:
        if f.key in examples:
            row.append(examples[f.key])
        elif f.type in ("Dropdown", "Multi-select") and f.options:
            row.append(f.options[0])
        else:
            row.append(sample.get(f.type, ""))
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([escape_cell(f.label) for f in fields])
    writer.writerow([escape_cell(v) for v in row])
    return "\ufeff" + buffer.getvalue(), f"contacts-template-{agent.slug}.csv"


def remove_agent_files(session: Session, agent_id: int) -> None:
    """The uploaded files and error reports of the agent's imports go once the caller's
    transaction (deleting the agent) commits."""
    keys = [
        key
        for job in session.exec(
            select(ImportJob.storage_key, ImportJob.error_key).where(ImportJob.agent_id == agent_id)
        )
        for key in job
        if key
    ]
    remove_after_commit(session, [file_path(key) for key in keys])
