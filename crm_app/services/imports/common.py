"""What every part of an import shares: statuses, private storage of the files, the job's DTO,
the access-checked job lookup and the audit entry."""

from __future__ import annotations

import re
from pathlib import Path

from sqlmodel import Session

from crm_app.models import Agent, ImportJob
from crm_app.services import audit, csv_reader, principal
from crm_app.services.access import Actor, require_agent
from crm_app.services.errors import NotFound
from crm_app.settings import get_settings, private_dir

RESOURCE = "Import"
IGNORE = ""
# Targets besides the agent's fields: combined into Name, or the external reference.
EXTRA_TARGETS = {
    "first_name": "First name (joined into Name)",
    "last_name": "Last name (joined into Name)",
    "external_ref": "External reference",
}
ACTIVE = ("queued", "checking", "importing")
ERROR_HEADER = ("Row", "Column", "Value", "Reason")


def _dir() -> Path:
    return private_dir(get_settings().files_dir / "imports")


def file_path(key: str) -> Path:
    if not re.fullmatch(r"[a-f0-9]{32}(-errors)?\.csv", key or ""):
        raise NotFound("File not found.")
    return _dir() / key


def job_dto(job: ImportJob) -> dict:
    return {
        "id": job.id,
        "filename": job.filename,
        "status": job.status,
        "message": job.message,
        "total": job.total,
        "processed": job.processed,
        "created": job.created,
        "updated": job.updated,
        "skipped": job.skipped,
        "failed": job.failed,
        "policy": job.policy,
        "valid_only": job.valid_only,
        "headers": list(job.headers or []),
        "mapping": dict(job.mapping or {}),
        "has_errors": bool(job.error_key),
        "encoding": job.encoding,
        "delimiter": csv_reader.DELIMITER_NAMES.get(job.delimiter, job.delimiter),
        "has_header": job.has_header,
        "created_at": job.created_at.isoformat() if job.created_at else "",
        "finished_at": job.finished_at.isoformat() if job.finished_at else "",
        "undone": job.undone_at is not None,
        "user_id": job.user_id,
    }


def load_job(
    session: Session, actor: Actor, agent_id: int, job_id, minimum: str = "Admin"
) -> tuple[Agent, ImportJob]:
    agent = require_agent(session, actor, agent_id, minimum)
    job = (
        session.get(ImportJob, job_id)
        if isinstance(job_id, int) and not isinstance(job_id, bool)
        else None
    )
    if job is None or job.agent_id != agent.id:
        raise NotFound("Import not found.")
    return agent, job


def audit_job(
    session: Session,
    job: ImportJob,
    action: str,
    description: str,
    status: str = "Success",
    *,
    by_system: str = "",
) -> None:
    """An audit entry about the job, in the name of its member (or of the system, named
    `by_system`, for what the worker decided on its own)."""
    agent = session.get(Agent, job.agent_id)
    if by_system:
        actor = principal.system(agent.org_id, by_system)
    else:
        try:
            actor = principal.member(session, job.user_id, agent.org_id)
        except NotFound:
            actor = None
    audit.record(session, actor, action, RESOURCE, description, status=status, org_id=agent.org_id)
