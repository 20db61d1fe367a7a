"""Running a job: pass 1 checks and spools the rows, pass 2 writes them chunk by chunk."""

from __future__ import annotations

import csv
import os
import pickle
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path

from sqlalchemy import and_, update
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from crm_app.db import session_scope
from crm_app.jobs.queue import after_commit
from crm_app.models import Agent, Contact, ImportChange, ImportJob, utcnow
from crm_app.services import csv_reader, principal
from crm_app.services.access import Actor
from crm_app.services.contact_input import agent_fields
from crm_app.services.errors import ServiceError, ValidationError
from crm_app.services.export import escape_cell
from crm_app.services.imports.batch import Batch, Outcome, import_origin
from crm_app.services.imports.common import ERROR_HEADER, audit_job, file_path, job_dto, load_job
from crm_app.services.imports.previews import read_info
from crm_app.services.imports.recovery import (
    LOCAL_RUNS,
    RUN_TASK,
    Recovered,
    abort,
    runner_name,
    running_job,
)
from crm_app.services.imports.rows import Plan, clean_row
from crm_app.services.imports.upload import clean_mapping, create_job
from crm_app.services.merge import POLICIES, CleanInput
from crm_app.settings import private_open


def start_import(
    session: Session,
    actor: Actor,
    agent_id: int,
    job_id: int,
    mapping: Mapping[str, str],
    *,
    policy: str,
    valid_only: bool,
    queue: bool = True,
) -> dict:
    """Queue the job with its mapping and options; the worker runs it (`run_import`, the
    task RUN_TASK) once the caller's transaction has committed (`queue=False`: the caller
    runs it itself)."""
    agent, job = load_job(session, actor, agent_id, job_id)
    if policy not in POLICIES:
        raise ValidationError("Choose what to do with existing contacts.", field="policy")
    if job.status != "uploaded":
        raise ValidationError("This import has already been started.")
    job.mapping = clean_mapping(session, agent, list(job.headers), mapping)
    job.policy, job.valid_only, job.status = policy, bool(valid_only), "queued"
    job.heartbeat_at = utcnow()  # queued now (recovery.requeue_waiting reads it)
    session.add(job)
    session.flush()
    if queue:
        after_commit(session, RUN_TASK, job.id)
    return job_dto(job)


def run_import(job_id: int, engine: Engine | None = None) -> dict:
    """Check, then write a queued job; every outcome is stored on the job (and returned).
    A job already taken (its task was queued twice) is left to the run that took it."""
    LOCAL_RUNS.add(job_id)
    try:
        with session_scope(engine) as session:
            job = session.get(ImportJob, job_id, with_for_update=True)
            if job is None or job.status != "queued":
                return job_dto(job) if job else {}
            job.status, job.started_at, job.heartbeat_at, job.processed = (
                "checking",
                utcnow(),
                utcnow(),
                0,
            )
            job.runner = runner_name()
            session.add(job)
        _run(job_id, engine)
    finally:
        LOCAL_RUNS.discard(job_id)
    with session_scope(engine) as session:
        return job_dto(session.get(ImportJob, job_id))


def _run(job_id: int, engine) -> None:
    spool = None
    try:
        spool, checked = _check(job_id, engine)
        if checked is not None:
            _write(job_id, engine, spool)
    except Recovered:
        pass  # recover_interrupted took the job over and undid it
    except Exception as exc:  # anything unexpected: undo what was written, keep the message
        message = (
            exc.message
            if isinstance(exc, ServiceError)
            else "The import stopped because of an internal error."
        )
        abort(job_id, engine, message)
        if not isinstance(exc, ServiceError):
            raise
    finally:
        if spool is not None:
            spool.unlink(missing_ok=True)


def _check(job_id: int, engine) -> tuple[Path, bool | None]:
    """Pass 1: validate every row, spool the clean ones, write the error CSV."""
    with session_scope(engine) as session:
        job = session.get(ImportJob, job_id)
        agent = session.get(Agent, job.agent_id)
        plan = Plan.build(session, agent, list(job.headers), job.mapping)
        info = read_info(job)
        valid_only = job.valid_only
        error_key = job.storage_key.replace(".csv", "-errors.csv")
    spool = Path(tempfile.mkstemp(prefix="crm-import-", suffix=".spool")[1])
    failed = rows = 0
    with (
        open(spool, "wb") as out,
        private_open(file_path(error_key), "w", newline="", encoding="utf-8-sig") as errors_file,
    ):
        errors = csv.writer(errors_file, lineterminator="\r\n")
        errors.writerow(ERROR_HEADER)
        for chunk in csv_reader.iter_rows(info):
            cleaned = []
            for number, cells in chunk:
                clean, problems = clean_row(plan, cells)
                if clean is None:
                    failed += 1
                    for column, value, reason in problems:
                        errors.writerow(
                            [number, escape_cell(column), escape_cell(value[:200]), reason]
                        )
                else:
                    cleaned.append((number, clean.defaults, clean.custom, clean.external_ref))
            rows += len(chunk)
            pickle.dump(cleaned, out, protocol=pickle.HIGHEST_PROTOCOL)
            _progress(engine, job_id, processed=rows, failed=failed)
    with session_scope(engine) as session:
        job = running_job(session, job_id, "checking")
        job.total, job.failed = rows, failed
        job.error_key = error_key if failed else ""
        if not failed:
            file_path(error_key).unlink(missing_ok=True)
        if failed and not valid_only:
            job.status, job.finished_at = "failed", utcnow()
            job.message = (
                f"{failed:,} row{'s have' if failed != 1 else ' has'} errors, so nothing was imported. "
                "Fix them in the file, or choose “Import valid rows only”."
            )
            audit_job(
                session,
                job,
                "Update",
                f"Import of {job.filename} refused: {failed:,} invalid rows",
                status="Failed",
            )
            return spool, None
        job.status, job.processed = "importing", 0
        session.add(job)
    return spool, True


def _write(job_id: int, engine, spool: Path) -> None:
    """Pass 2: apply the spooled chunks, one transaction each, progress with them."""
    with session_scope(engine) as session:
        job = session.get(ImportJob, job_id)
        agent_id, user_id, policy, valid_only = (
            job.agent_id,
            job.user_id,
            job.policy,
            job.valid_only,
        )
        error_key, org_id = (
            job.error_key or job.storage_key.replace(".csv", "-errors.csv"),
            session.get(Agent, job.agent_id).org_id,
        )
        actor = principal.member(session, user_id, org_id)
    origin = import_origin(actor)
    totals = Outcome()
    processed = 0
    late_errors: list[tuple[int, str, str, str]] = []
    for rows in _spooled(spool):
        with session_scope(engine) as session:
            _bulk_connection(session)
            job = running_job(session, job_id, "importing")
            agent = session.get(Agent, agent_id)
            fields = agent_fields(session, agent_id)
            labels = {k: f.label for k, f in fields.items()}
            batch = Batch(
                session, agent, origin, policy, job_id, {f.id: f.label for f in fields.values()}
            )
            chunk = [(n, CleanInput(d, c, r, labels)) for n, d, c, r in rows]
            outcome = batch.apply(chunk, valid_only)
            totals.created += outcome.created
            totals.updated += outcome.updated
            totals.skipped += outcome.skipped
            late_errors += outcome.errors
            processed += len(rows)
            job.processed = processed
            job.created, job.updated, job.skipped = totals.created, totals.updated, totals.skipped
            job.failed = job.failed + len(outcome.errors)
            session.add(job)
    flipped = 0
    while True:  # the new contacts appear in batches; the last batch commits with "done"
        with session_scope(engine) as session:
            _bulk_connection(session)
            job = running_job(session, job_id, "importing")
            flipped = _finish_created(session, job_id, flipped)
            if flipped is None:
                _finish(session, job, late_errors, error_key)
                return


def _finish(session: Session, job: ImportJob, late_errors: list, error_key: str) -> None:
    """The run's last transaction: errors found while writing, the summary, the audit entry."""
    if late_errors:
        path = file_path(error_key)
        new_file = not path.exists()
        with private_open(
            path, "a", newline="", encoding="utf-8-sig" if new_file else "utf-8"
        ) as handle:
            writer = csv.writer(handle, lineterminator="\r\n")
            if new_file:
                writer.writerow(ERROR_HEADER)
            for number, column, value, reason in late_errors:
                writer.writerow([number, escape_cell(column), escape_cell(value[:200]), reason])
        job.error_key = error_key
    job.status, job.finished_at, job.processed = "done", utcnow(), job.total
    job.message = ""
    session.add(job)
    audit_job(
        session,
        job,
        "Create",
        f"Imported {job.filename}: {job.created:,} created, {job.updated:,} updated, "
        f"{job.skipped:,} skipped, {job.failed:,} failed",
    )


SQLITE_IMPORT_CACHE_KIB = int(os.environ.get("CRM_IMPORT_SQLITE_CACHE_KIB", "65536"))


def _bulk_connection(session: Session) -> None:
    """SQLite: a larger page cache for the import's connection (the contact indexes of a big
    agent do not fit SQLite's 2 MB default, and each chunk updates them all)."""
    connection = session.connection()
    if connection.dialect.name == "sqlite" and SQLITE_IMPORT_CACHE_KIB > 0:
        connection.exec_driver_sql(f"PRAGMA cache_size=-{SQLITE_IMPORT_CACHE_KIB}")


WRITE_ROWS = 10_000  # rows per write transaction (spooled reader chunks are joined up to this)


def _spooled(spool: Path):
    """The cleaned rows of pass 1, in file order, in lists of about WRITE_ROWS."""
    pending: list = []
    with open(spool, "rb") as source:
        while True:
            try:
                pending += pickle.load(source)
            except EOFError:
                break
            if len(pending) >= WRITE_ROWS:
                yield pending
                pending = []
    if pending:
        yield pending


def _finish_created(session: Session, job_id: int, after: int) -> int | None:
    """The next WRITE_ROWS of the run's new contacts (by ImportChange id, after `after`) become
    ordinary — listed, counted, exported — contacts. Returns the last id done, or None when
    this batch was the last. (Batches, so a big import never holds SQLite's write lock for
    long: one UPDATE of a million rows takes longer than other writers wait.)"""
    mine = and_(
        ImportChange.job_id == job_id, ImportChange.kind == "created", ImportChange.id > after
    )
    upto = session.exec(
        select(ImportChange.id)
        .where(mine)
        .order_by(ImportChange.id)
        .offset(WRITE_ROWS - 1)
        .limit(1)
    ).first()
    batch = and_(mine, ImportChange.id <= upto) if upto is not None else mine
    session.exec(
        update(Contact)
        .where(
            Contact.id.in_(select(ImportChange.contact_id).where(batch)), Contact.archived.is_(None)
        )
        .values(archived=False)
        .execution_options(synchronize_session=False)
    )
    return upto


def _progress(engine, job_id: int, **values) -> None:
    with session_scope(engine) as session:
        job = running_job(session, job_id, "checking")
        for key, value in values.items():
            setattr(job, key, value)
        session.add(job)


def import_file(
    actor_factory: Callable[[Session], Actor],
    agent_id: int,
    path: Path,
    *,
    policy: str = "fill",
    valid_only: bool = False,
    overrides: Mapping[str, str] | None = None,
    engine: Engine | None = None,
) -> dict:
    """Upload, map (suggested mapping plus overrides), run to the end; the finished job's DTO."""
    with session_scope(engine) as session:
        actor = actor_factory(session)
        job = create_job(session, actor, agent_id, Path(path).name, Path(path))
        mapping = dict(job["mapping"])
        for header, target in (overrides or {}).items():
            if header not in mapping:
                raise ValidationError(
                    f"The file has no column '{header}'. Columns: {', '.join(job['headers'])}.",
                    field="mapping",
                )
            mapping[header] = "" if target in ("", "-", "ignore") else target
        start_import(
            session,
            actor,
            agent_id,
            job["id"],
            mapping,
            policy=policy,
            valid_only=valid_only,
            queue=False,
        )
    return run_import(job["id"], engine=engine)
