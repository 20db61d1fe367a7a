"""The preview of a mapped file: the rows with problems first, counts over the file."""

from __future__ import annotations

from collections.abc import Mapping

from sqlmodel import Session, select

from crm_app.models import Contact, ImportJob
from crm_app.services import csv_reader
from crm_app.services.access import Actor
from crm_app.services.csv_reader import CsvInfo
from crm_app.services.errors import NotFound
from crm_app.services.imports.common import file_path, load_job
from crm_app.services.imports.rows import Plan, clean_row
from crm_app.services.imports.upload import clean_mapping, targets

PREVIEW_ROWS = 10  # rows without problems shown in the preview
PREVIEW_PROBLEM_ROWS = 200  # rows with problems shown (first), out of every scanned row
PREVIEW_SCAN_ROWS = 20_000


def read_info(job: ImportJob) -> CsvInfo:
    path = file_path(job.storage_key)
    if not path.exists():
        raise NotFound("The uploaded file is no longer available. Upload it again.")
    info = csv_reader.inspect_csv(path, count_rows=False)
    info.rows = job.total
    return info


def preview(
    session: Session, actor: Actor, agent_id: int, job_id: int, mapping: Mapping[str, str]
) -> dict:
    """The rows with problems first (up to PREVIEW_PROBLEM_ROWS, each cell with its error),
    then the first PREVIEW_ROWS good rows, and counts over the file (up to PREVIEW_SCAN_ROWS
    rows): valid, invalid, duplicates in the file, matches of existing contacts.

    The mapping is remembered on the job (not yet started), so the wizard finds it again
    after a reload."""
    agent, job = load_job(session, actor, agent_id, job_id)
    mapping = clean_mapping(session, agent, list(job.headers), mapping)
    if job.status == "uploaded":
        job.mapping = mapping
        session.add(job)
    plan = Plan.build(session, agent, list(job.headers), mapping)
    info = read_info(job)
    mapped = [(i, h, k) for i, k, h in plan.columns]
    labels = {t["value"]: t["label"] for t in targets(session, agent.id)}
    problems: list[dict] = []
    good: list[dict] = []
    valid = invalid = scanned = dup_in_file = existing = 0
    seen: set[tuple[str, str]] = set()
    for chunk in csv_reader.iter_rows(info):
        keys_in_chunk: list[tuple[int, list[tuple[str, str]]]] = []
        for number, cells in chunk:
            if scanned >= PREVIEW_SCAN_ROWS:
                break
            scanned += 1
            clean, errors = clean_row(plan, cells)
            if clean is None:
                invalid += 1
            else:
                valid += 1
                keys = [
                    (k, v)
                    for k, v in (
                        ("external_ref", clean.external_ref),
                        ("email", clean.defaults.get("email")),
                        ("phone", clean.defaults.get("phone")),
                    )
                    if v
                ]
                if any(k in seen for k in keys):
                    dup_in_file += 1
                seen.update(keys)
                keys_in_chunk.append((number, keys))
            shown = problems if errors else good
            if len(shown) < (PREVIEW_PROBLEM_ROWS if errors else PREVIEW_ROWS):
                by_header = {}
                for header, _value, reason in errors:
                    by_header.setdefault(header, reason)
                row_error = next((reason for header, _, reason in errors if header == ""), "")
                shown.append(
                    {
                        "row": number,
                        "valid": not errors,
                        "error": row_error,
                        "cells": [
                            {
                                "value": cells[i][:120] if i < len(cells) else "",
                                "error": by_header.get(h, ""),
                            }
                            for i, h, _ in mapped
                        ],
                    }
                )
        existing += _count_existing(session, agent.id, keys_in_chunk)
        if scanned >= PREVIEW_SCAN_ROWS:
            break
    return {
        "columns": [{"header": h, "field": labels.get(k, k)} for _, h, k in mapped],
        "rows": problems + good,
        "valid": valid,
        "invalid": invalid,
        "duplicates": dup_in_file,
        "existing": existing,
        "scanned": scanned,
        "total": job.total,
        "mapping": mapping,
    }


def _count_existing(session: Session, agent_id: int, keys_in_chunk) -> int:
    wanted: dict[str, set[str]] = {"external_ref": set(), "email": set(), "phone": set()}
    for _, keys in keys_in_chunk:
        for k, v in keys:
            wanted[k].add(v)
    hits: set[tuple[str, str]] = set()
    for key, values in wanted.items():
        column = getattr(Contact, key)
        values = list(values)
        for start in range(0, len(values), 900):
            for value in session.exec(
                select(column).where(
                    Contact.agent_id == agent_id, column.in_(values[start : start + 900])
                )
            ):
                hits.add((key, value))
    return sum(1 for _, keys in keys_in_chunk if any(k in hits for k in keys))


def column_samples(session: Session, actor: Actor, agent_id: int, job_id: int) -> dict[str, str]:
    """Header -> the first few non-empty values of its column, shown while mapping."""
    _, job = load_job(session, actor, agent_id, job_id)
    info = read_info(job)
    return {
        header: ", ".join(v for v in (r[i] for r in info.sample[:3] if i < len(r)) if v)[:80]
        for i, header in enumerate(job.headers or [])
    }
