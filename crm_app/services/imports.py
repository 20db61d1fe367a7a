"""CSV import: upload → map → preview → policy → import → summary → undo.

The rules are save_contact's (services/contacts.py) — the same validation, the same
matching (external reference, then email, then phone), the same skip/fill/overwrite
policy with member-typed values protected, automations as a `Manually created contact`
with the importing member as creator — applied to whole chunks of rows at a time:

- `clean_row` validates one row like contacts.clean_input but keeps every cell's error.
- `_Batch.apply` matches a chunk with one query per key (IN ...), replays the rows in file
  order against those contacts in memory (so duplicates inside the file merge exactly as
  save_contact called row by row would), decides the automations of all created contacts
  at once (automations.apply_on_create_many: rules read once, round-robin turns under the
  rule lock), then inserts plain values — contacts, values, timeline entries, undo records —
  with executemany (SQLite) or COPY (PostgreSQL). No ORM objects per row.

A run has two passes. `check` reads the file, validates every row and spools the cleaned
rows to a temporary file; invalid rows go to the error CSV. When the run is
all-or-nothing and a row is invalid, it stops there: nothing was written. `write` then
applies the spooled rows, WRITE_ROWS per transaction that also advances the job's
`processed`, so progress survives a page reload. A failure in the middle undoes what the
earlier chunks wrote. `undo_import` removes created contacts and restores updated ones.

Contacts a run creates are inserted with `archived` NULL, which no list, count, board or
export matches (they all filter `archived = <bool>`), and become ordinary contacts once every
row is written (`_finish_created`: one UPDATE per WRITE_ROWS contacts, the last one in the
transaction that marks the job done): an unfinished run never shows its contacts as imported.

Every transaction of a run also stamps the job's `heartbeat_at`, and the job names the
process running it (`runner`, "host:pid"). A run whose process died (a restart, a crash) is
found by `recover_stalled` — at start-up (the CLI's `migrate`, the app's lifespan task) and
every minute (crm_app/jobs.py) — right away when its process was on this host and is gone,
otherwise once it has not stamped for STALL_SECONDS; the job is then treated like a failure
midway: what its chunks wrote is undone and it is marked failed. A run that was only slow
notices at its next chunk (it reads the job under lock) and stops.
"""

from __future__ import annotations

import csv
import io
import os
import pickle
import re
import secrets
import shutil
import socket
import tempfile
import threading
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from functools import lru_cache
from operator import itemgetter
from pathlib import Path
from typing import Any, BinaryIO

from sqlalchemy import JSON, and_, bindparam, delete, insert, update
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from crm_app.db import session_scope
from crm_app.models import (
    AccessPass,
    Activity,
    Agent,
    Contact,
    ContactField,
    ContactFile,
    ContactValue,
    Conversation,
    FormSubmission,
    ImportChange,
    ImportJob,
    Message,
    Note,
    User,
    new_contact_id,
    utcnow,
)
from crm_app.services import audit, automations, csv_reader
from crm_app.services import fields as field_service
from crm_app.services.access import Actor, actor_for, require_agent
from crm_app.services.contacts import POLICIES, Origin, _Clean, agent_fields, timeline_value
from crm_app.services.csv_reader import CsvInfo
from crm_app.services.errors import NotFound, ServiceError, ValidationError
from crm_app.services.export import escape_cell, unescape_cell
from crm_app.services.values import coerce_value, normalize_email, normalize_gender, normalize_phone
from crm_app.settings import get_settings, private_dir, private_open

RESOURCE = "Import"
PREVIEW_ROWS = 10  # rows without problems shown in the preview
PREVIEW_PROBLEM_ROWS = 200  # rows with problems shown (first), out of every scanned row
PREVIEW_SCAN_ROWS = 20_000
IGNORE = ""
# Targets besides the agent's fields: combined into Name, or the external reference.
EXTRA_TARGETS = {
    "first_name": "First name (joined into Name)",
    "last_name": "Last name (joined into Name)",
    "external_ref": "External reference",
}
ACTIVE = ("queued", "checking", "importing")
STALL_SECONDS = 300  # an active job without a heartbeat for this long: its process is gone
ERROR_HEADER = ("Row", "Column", "Value", "Reason")

_SYNONYMS = {
    "name": (
        "name",
        "fullname",
        "contactname",
        "customername",
        "clientname",
        "patientname",
        "displayname",
        "nombre",
        "nom",
    ),
    "first_name": ("firstname", "givenname", "forename", "first", "fname", "prenom"),
    "last_name": ("lastname", "surname", "familyname", "last", "lname"),
    "email": (
        "email",
        "emailaddress",
        "mail",
        "emailid",
        "primaryemail",
        "eaddress",
        "correo",
        "courriel",
    ),
    "phone": (
        "phone",
        "phonenumber",
        "mobile",
        "mobilenumber",
        "mobilephone",
        "cell",
        "cellphone",
        "cellnumber",
        "telephone",
        "tel",
        "telefono",
        "contactnumber",
        "whatsapp",
        "primaryphone",
        "mobileno",
        "phoneno",
    ),
    "gender": ("gender", "sex"),
    "external_ref": (
        "externalid",
        "externalref",
        "externalreference",
        "recordid",
        "contactid",
        "customerid",
        "crmid",
    ),
}


def _norm(text: str) -> str:
    """ "E-mail Address" -> "emailaddress", "Téléphone" -> "telephone"."""
    plain = unicodedata.normalize("NFKD", text or "").encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]", "", plain.lower())


# ------------------------------------------------------------------ storage


def _dir() -> Path:
    return private_dir(get_settings().files_dir / "imports")


def _path(key: str) -> Path:
    if not re.fullmatch(r"[a-f0-9]{32}(-errors)?\.csv", key or ""):
        raise NotFound("File not found.")
    return _dir() / key


# ------------------------------------------------------------------ DTOs


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


def targets(session: Session, agent_id: int) -> list[dict]:
    """What a column can map to: the agent's fields, name parts, the external reference."""
    out = [
        {"value": f.key, "label": f.label, "type": f.type}
        for f in sorted(agent_fields(session, agent_id).values(), key=lambda f: (f.position, f.id))
    ]
    out += [{"value": k, "label": v, "type": "Text"} for k, v in EXTRA_TARGETS.items()]
    return out


# ------------------------------------------------------------------ upload


def create_job(
    session: Session,
    actor: Actor,
    agent_id: int,
    filename: str,
    source: BinaryIO | Path | bytes,
    declared_size: int | None = None,
) -> dict:
    """Store an uploaded file privately, read its shape and suggest a mapping.

    Refuses (ValidationError, nothing stored) what cannot be imported: over 50 MB, over
    1,000,000 rows, binary, NUL bytes, empty or header-only files.
    """
    agent = require_agent(session, actor, agent_id, "Admin")
    csv_reader.check_declared_size(declared_size)
    name = os.path.basename((filename or "contacts.csv").replace("\\", "/"))[:255] or "contacts.csv"
    key = secrets.token_hex(16) + ".csv"
    target = _path(key)
    try:
        _store(source, target)
        info = csv_reader.inspect_csv(target)
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    job = ImportJob(
        agent_id=agent.id,
        user_id=actor.user_id,
        filename=name,
        storage_key=key,
        size=info.size,
        encoding=info.encoding,
        delimiter=info.delimiter,
        has_header=info.has_header,
        headers=info.headers,
        total=info.rows,
        policy=agent.duplicate_policy or "fill",
    )
    job.mapping = suggest_mapping(
        info.headers, agent_fields(session, agent.id), info.sample, info.has_header
    )
    session.add(job)
    session.flush()
    return job_dto(job)


def _store(source, target: Path) -> None:
    if isinstance(source, (bytes, bytearray)):
        if len(source) > csv_reader.MAX_BYTES:
            csv_reader.check_declared_size(len(source))
        with private_open(target) as out:
            out.write(source)
        return
    if isinstance(source, Path):
        csv_reader.check_declared_size(source.stat().st_size)
        with open(source, "rb") as copied, private_open(target) as out:
            shutil.copyfileobj(copied, out)
        return
    written = 0
    with private_open(target) as out:
        while block := source.read(1 << 20):
            written += len(block)
            if written > csv_reader.MAX_BYTES:
                csv_reader.check_declared_size(written)
            out.write(block)


def suggest_mapping(
    headers: list[str],
    fields: Mapping[str, ContactField],
    sample: list[list[str]] | None = None,
    has_header: bool = True,
) -> dict[str, str]:
    """Header → field key by name (case, spacing, punctuation and common synonyms ignored)."""
    lookup: dict[str, str] = {}
    for target, words in _SYNONYMS.items():
        for word in words:
            lookup.setdefault(word, target)
    for f in fields.values():
        if not f.is_default:
            lookup.setdefault(_norm(f.label), f.key)
            lookup.setdefault(_norm(f.key), f.key)
    mapping: dict[str, str] = {}
    used: set[str] = set()
    for index, header in enumerate(headers):
        target = lookup.get(_norm(header), IGNORE) if has_header else IGNORE
        if not has_header and sample:
            target = _guess_by_values([r[index] for r in sample if index < len(r) and r[index]])
        if target and target not in used:
            mapping[header] = target
            used.add(target)
        else:
            mapping[header] = IGNORE
    return mapping


def _guess_by_values(values: list[str]) -> str:
    if not values:
        return IGNORE
    if sum("@" in v for v in values) * 2 > len(values):
        return "email"
    if sum(bool(re.fullmatch(r"\+?[\d\s().-]{7,20}", v)) for v in values) * 2 > len(values):
        return "phone"
    if sum(bool(re.fullmatch(r"[^\W\d_]+(?:[ '.-][^\W\d_]+)+", v)) for v in values) * 2 > len(
        values
    ):
        return "name"
    return IGNORE


def clean_mapping(
    session: Session, agent: Agent, headers: list[str], mapping: Mapping[str, str]
) -> dict[str, str]:
    """Every header mapped to a known target or ignored; no target twice; email or phone present."""
    known = {t["value"]: t["label"] for t in targets(session, agent.id)}
    out: dict[str, str] = {}
    seen: dict[str, str] = {}
    for header in headers:
        target = str((mapping or {}).get(header, IGNORE) or IGNORE)
        if target and target not in known:
            raise ValidationError(f"Column '{header}' maps to an unknown field.", field="mapping")
        if target and target in seen:
            raise ValidationError(
                f"Columns '{seen[target]}' and '{header}' both map to {known[target]}. "
                "Map one of them to another field or ignore it.",
                field="mapping",
            )
        if target:
            seen[target] = header
        out[header] = target
    if not {"email", "phone", "external_ref"} & set(seen):
        raise ValidationError(
            "Map a column to Email or Mobile Number: every contact needs one of them.",
            field="mapping",
        )
    return out


def create_field_for_column(
    session: Session,
    actor: Actor,
    agent_id: int,
    *,
    label: str,
    type: str,
    options: Iterable[str] = (),
) -> dict:
    """ "Create new custom field" while mapping: the settings' own rules (and audit).

    The key comes from the label; when a field already has it, the next free `_2`, `_3`."""
    require_agent(session, actor, agent_id, "Admin")
    taken = set(session.exec(select(ContactField.key).where(ContactField.agent_id == agent_id)))
    taken |= field_service.DEFAULT_KEYS | field_service.RESERVED_KEYS | set(EXTRA_TARGETS)
    base = field_service.key_from_label(label)[:56] or "field"
    key, n = base, 1
    while key in taken:
        n += 1
        key = f"{base}_{n}"
    return field_service.create_custom_field(
        session, actor, agent_id, label=label, key=key, type=type, options=list(options)
    )


# ------------------------------------------------------------------ cleaning one row


_LOCAL_PART = re.compile(r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$")


@lru_cache(maxsize=8192)
def _email_domain(domain: str) -> str | None:
    try:
        return normalize_email("x@" + domain).partition("@")[2]
    except ValidationError:
        return None


def fast_email(raw: str) -> str | None:
    """normalize_email's result, with each domain validated once per process."""
    value = (raw or "").strip()
    if not value:
        return None
    local, sep, domain = value.rpartition("@")
    if sep and len(local) <= 64 and len(value) <= 254 and _LOCAL_PART.match(local):
        normalized = _email_domain(domain)
        if normalized is not None:
            return (local + "@" + normalized).lower()
    return normalize_email(value)


MEMO_LIMIT = 100_000  # distinct raw values remembered per column and run (phones, dates, options…)
_UNCACHED_TYPES = ("Multi-select",)  # results holding a list are recomputed, never shared


@dataclass
class _Plan:
    """A validated mapping ready for rows: (cell index, key) pairs and the agent's fields.

    Cleaning a value is a pure function of the raw text (and the field / region), so each
    distinct raw value is validated once per run: phone parsing and date/number/option
    checks then cost a dict lookup for values seen before (memo, bounded by MEMO_LIMIT)."""

    agent_id: int
    region: str
    columns: list[tuple[int, str, str]]  # cell index, target key, header
    fields: dict[str, ContactField]
    labels: dict[str, str]
    memo: dict[str, dict[str, tuple]] = field(default_factory=dict)
    specs: dict[str, tuple | None] = field(default_factory=dict)

    @classmethod
    def build(
        cls, session: Session, agent: Agent, headers: list[str], mapping: Mapping[str, str]
    ) -> _Plan:
        fields = agent_fields(session, agent.id)
        columns = [(i, mapping[h], h) for i, h in enumerate(headers) if mapping.get(h)]
        return cls(
            agent.id, agent.phone_region, columns, fields, {k: f.label for k, f in fields.items()}
        )

    def spec(self, key: str) -> tuple | None:
        """(field id, type, options) of a custom field key, read off the ORM object once."""
        if key not in self.specs:
            f = self.fields.get(key)
            self.specs[key] = (
                None if f is None or f.is_default else (f.id, f.type, list(f.options or []))
            )
        return self.specs[key]


def _memo(plan: _Plan, key: str, raw: str, compute: Callable[[], Any], cache: bool = True):
    """compute()'s value for this column and raw text, or its ValidationError, from the memo."""
    seen = plan.memo.setdefault(key, {})
    hit = seen.get(raw)
    if hit is None:
        try:
            hit = (compute(), None)
        except ValidationError as exc:
            hit = (None, exc.message)
        if cache and len(seen) < MEMO_LIMIT:
            seen[raw] = hit
    if hit[1] is not None:
        raise ValidationError(hit[1], field=key)
    return hit[0]


def clean_row(plan: _Plan, cells: list[str]) -> tuple[_Clean | None, list[tuple[str, str, str]]]:
    """contacts.clean_input for one CSV row; returns (clean, []) or (None, [(header, value, reason)])."""
    defaults: dict[str, Any] = {}
    custom: dict[int, tuple] = {}
    external_ref = None
    first = last = None
    errors: list[tuple[str, str, str]] = []
    region = plan.region
    for index, key, header in plan.columns:
        raw = cells[index] if index < len(cells) else ""
        if raw[:1] == "'":  # a cell our export (or the error report) escaped: its value
            raw = unescape_cell(raw)
        try:
            if key == "email":
                defaults["email"] = fast_email(raw)
            elif key == "phone":
                defaults["phone"] = (
                    _memo(plan, key, raw, lambda: normalize_phone(raw, region))  # noqa: B023
                    if raw
                    else None
                )
            elif key == "name":
                name = " ".join(raw.split())
                if len(name) > 200:
                    raise ValidationError("Name is at most 200 characters.", field=key)
                defaults["name"] = name
            elif key == "first_name":
                first = " ".join(raw.split())
            elif key == "last_name":
                last = " ".join(raw.split())
            elif key == "gender":
                defaults["gender"] = _memo(plan, key, raw, lambda: normalize_gender(raw))  # noqa: B023 (called at once)
            elif key == "external_ref":
                external_ref = raw.strip() or None
                if external_ref and len(external_ref) > 100:
                    raise ValidationError(
                        "External reference is at most 100 characters.", field=key
                    )
            else:
                spec = plan.spec(key)
                if spec is None:
                    raise ValidationError(f"Unknown field '{key}'.", field=key)
                field_id, field_type, options = spec
                custom[field_id] = _memo(
                    plan,
                    key,
                    raw,
                    lambda: coerce_value(field_type, raw, options, region, field=key),  # noqa: B023
                    cache=field_type not in _UNCACHED_TYPES,
                )
        except ValidationError as exc:
            errors.append((header, raw, exc.message))
    if first is not None or last is not None:
        joined = " ".join(p for p in (first, last) if p)
        if not defaults.get("name"):
            if len(joined) > 200:
                errors.append(("Name", joined, "Name is at most 200 characters."))
            defaults["name"] = joined
    if errors:
        return None, errors
    if not defaults.get("email") and not defaults.get("phone") and not external_ref:
        return None, [("", "", "A contact needs at least an email or a mobile number.")]
    return _Clean(defaults, custom, external_ref, plan.labels), []


# ------------------------------------------------------------------ applying a chunk


_CONTACT_COLUMNS = ("id", "external_ref", "name", "email", "phone", "gender", "member_set")


@dataclass
class _Outcome:
    created: int = 0
    updated: int = 0
    skipped: int = 0
    errors: list[tuple[int, str, str, str]] = field(default_factory=list)


class _RowFailed(Exception):
    def __init__(self, column: str, value: str, reason: str):
        super().__init__(reason)
        self.column, self.value, self.reason = column, value, reason


class _Batch:
    """Applies chunks of cleaned rows with save_contact's rules, set-based."""

    def __init__(
        self,
        session: Session,
        agent: Agent,
        origin: Origin,
        policy: str,
        job_id: int | None,
        labels_by_id: dict[int, str],
    ):
        assert policy in POLICIES
        self.session, self.agent, self.origin, self.policy, self.job_id = (
            session,
            agent,
            origin,
            policy,
            job_id,
        )
        self.labels_by_id = labels_by_id

    # -- reading what the chunk may match
    def _load(self, rows: list[tuple[int, _Clean]]):
        refs = {c.external_ref for _, c in rows if c.external_ref}
        emails = {c.defaults.get("email") for _, c in rows} - {None}
        phones = {c.defaults.get("phone") for _, c in rows} - {None}
        found: dict[str, dict] = {}
        columns = [getattr(Contact, c) for c in _CONTACT_COLUMNS]
        for column, values in (
            (Contact.external_ref, refs),
            (Contact.email, emails),
            (Contact.phone, phones),
        ):
            values = list(values)
            for start in range(0, len(values), 900):
                part = values[start : start + 900]
                for row in self.session.exec(
                    select(*columns).where(Contact.agent_id == self.agent.id, column.in_(part))
                ):
                    if row[0] not in found:
                        found[row[0]] = dict(zip(_CONTACT_COLUMNS, row))
                        found[row[0]]["member_set"] = list(row[6] or [])
        values_by_contact: dict[str, dict[int, tuple]] = {cid: {} for cid in found}
        ids = list(found)
        for start in range(0, len(ids), 900):
            for cid, fid, text, num, js in self.session.exec(
                select(
                    ContactValue.contact_id,
                    ContactValue.field_id,
                    ContactValue.value_text,
                    ContactValue.value_num,
                    ContactValue.value_json,
                ).where(ContactValue.contact_id.in_(ids[start : start + 900]))
            ):
                values_by_contact[cid][fid] = (text, num, js)
        return found, values_by_contact

    def apply(self, rows: list[tuple[int, _Clean]], valid_only: bool) -> _Outcome:
        out = _Outcome()
        if not rows:
            return out
        found, values = self._load(rows)
        by = {"external_ref": {}, "email": {}, "phone": {}}
        for c in found.values():
            for key in by:
                if c[key]:
                    by[key][c[key]] = c
        new: dict[str, dict] = {}
        touched: dict[str, dict] = {}  # existing contacts changed: id -> previous snapshot
        activities: list[dict] = []
        now = utcnow()
        for number, clean in rows:
            email, phone = clean.defaults.get("email"), clean.defaults.get("phone")
            contact = None
            for key, value in (
                ("external_ref", clean.external_ref),
                ("email", email),
                ("phone", phone),
            ):
                if value and value in by[key]:
                    contact = by[key][value]
                    break
            if contact is None:
                if not email and not phone:
                    self._fail(
                        out,
                        valid_only,
                        number,
                        "",
                        "",
                        "A contact needs at least an email or a mobile number.",
                    )
                    continue
                cid = new_contact_id()
                contact = {
                    "id": cid,
                    "external_ref": clean.external_ref,
                    "name": "",
                    "email": None,
                    "phone": None,
                    "gender": None,
                    "member_set": [],
                }
                contact.update(clean.defaults)
                new[cid] = contact
                values[cid] = {
                    fid: stored for fid, stored in clean.custom.items() if stored is not None
                }
                for key in by:
                    if contact[key]:
                        by[key][contact[key]] = contact
                out.created += 1
                continue
            if self.policy == "skip":
                out.skipped += 1
                continue
            try:
                changed, acts, snapshot = self._update(
                    contact, values.setdefault(contact["id"], {}), clean, by
                )
            except _RowFailed as exc:
                self._fail(out, valid_only, number, exc.column, exc.value, exc.reason)
                continue
            activities += acts
            if contact["id"] not in new and snapshot is not None:
                previous = touched.setdefault(
                    contact["id"],
                    {"defaults": {}, "custom": {}, "external_ref": None, "ref_set": False},
                )
                for k, v in snapshot["defaults"].items():
                    previous["defaults"].setdefault(k, v)
                for k, v in snapshot["custom"].items():
                    previous["custom"].setdefault(k, v)
                if snapshot["ref_set"] and not previous["ref_set"]:
                    previous["ref_set"] = True
            if changed:
                out.updated += 1
                contact["_changed"] = True
            else:
                out.skipped += 1
        self._write(new, found, values, touched, activities, now)
        return out

    def _fail(
        self, out: _Outcome, valid_only: bool, number: int, column: str, value: str, reason: str
    ) -> None:
        if not valid_only:
            raise ValidationError(f"Row {number}: {reason}")
        out.errors.append((number, column, value, reason))

    def _update(self, contact: dict, current: dict[int, tuple], clean: _Clean, by: dict):
        """contacts._update on an in-memory contact; returns (changed, activities, previous)."""
        origin, policy = self.origin, self.policy
        protected = set(contact["member_set"] or [])
        staged = dict(contact)
        staged_values = dict(current)
        changed: list[str] = []
        acts: list[dict] = []
        snapshot = {"defaults": {}, "custom": {}, "ref_set": False}
        if (
            clean.external_ref
            and not staged["external_ref"]
            and clean.external_ref not in by["external_ref"]
        ):
            staged["external_ref"] = clean.external_ref
            snapshot["ref_set"] = True
        for key, new in clean.defaults.items():
            old = staged[key]
            if new == old or (new in (None, "") and policy != "overwrite"):
                continue
            label = clean.labels.get(key, key)
            if old not in (None, "") and (policy == "fill" or key in protected):
                acts.append(
                    self._act(
                        contact["id"],
                        "conflict",
                        f"{label} '{timeline_value(key, new)}' from {origin.label} was not applied; "
                        f"kept '{timeline_value(key, old)}'",
                        {"field": key, "kept": old, "offered": new},
                    )
                )
                continue
            if (
                key in ("email", "phone")
                and new is None
                and not (staged["phone"] if key == "email" else staged["email"])
            ):
                raise _RowFailed(label, "", "A contact needs at least an email or a mobile number.")
            if (
                key in ("email", "phone")
                and new
                and new in by[key]
                and by[key][new]["id"] != contact["id"]
            ):
                acts.append(
                    self._act(
                        contact["id"],
                        "conflict",
                        f"{label} '{timeline_value(key, new)}' from {origin.label} belongs to "
                        "another contact; not applied",
                        {"field": key, "offered": new},
                    )
                )
                continue
            staged[key] = new
            snapshot["defaults"][key] = old
            changed.append(key)
            acts.append(
                self._act(
                    contact["id"],
                    "field",
                    f"{label} changed from '{timeline_value(key, old) or '—'}' to "
                    f"'{timeline_value(key, new) or '—'}'" + _by(origin),
                    {"field": key, "from": old, "to": new},
                )
            )
        for field_id, stored in clean.custom.items():
            row = staged_values.get(field_id)
            old = row[0] if row else None
            new = stored[0] if stored else None
            if new == old or (new is None and policy != "overwrite"):
                continue
            label = self.labels_by_id.get(field_id, str(field_id))
            if old not in (None, "") and (policy == "fill" or str(field_id) in protected):
                acts.append(
                    self._act(
                        contact["id"],
                        "conflict",
                        f"{label} '{new}' from {origin.label} was not applied; kept '{old}'",
                        {"field_id": field_id, "kept": old, "offered": new},
                    )
                )
                continue
            snapshot["custom"][field_id] = list(row) if row else None
            if stored is None:
                staged_values.pop(field_id, None)
            else:
                staged_values[field_id] = stored
            changed.append(str(field_id))
            acts.append(
                self._act(
                    contact["id"],
                    "field",
                    f"{label} changed from '{old or '—'}' to '{new or '—'}'" + _by(origin),
                    {"field_id": field_id, "from": old, "to": new},
                )
            )
        # The row is valid: apply it to the in-memory contact and the indexes.
        for key in ("email", "phone", "external_ref"):
            if staged[key] != contact[key]:
                if contact[key] and by[key].get(contact[key]) is contact:
                    del by[key][contact[key]]
                if staged[key]:
                    by[key][staged[key]] = contact
        contact.update(staged)
        current.clear()
        current.update(staged_values)
        if snapshot["ref_set"] or changed:
            contact["_dirty"] = True
        return bool(changed), acts, snapshot if (changed or snapshot["ref_set"]) else None

    def _act(self, contact_id: str, kind: str, message: str, data: dict) -> dict:
        o = self.origin
        return {
            "contact_id": contact_id,
            "kind": kind,
            "actor_type": o.actor_type,
            "actor_id": o.user_id,
            "actor_label": o.label,
            "message": message[:1000],
            "data": data,
            "created_at": utcnow(),
        }

    # -- writing
    def _write(
        self, new: dict, found: dict, values: dict, touched: dict, activities: list, now
    ) -> None:
        session, agent, origin = self.session, self.agent, self.origin
        if new:
            # Owners, stage and their timeline lines for the whole chunk at once (the rules
            # read once, round-robin turns taken under the rule lock), then plain executemany.
            decisions = automations.apply_on_create_many(
                session, agent, len(new), source="Import", creator_id=origin.user_id
            )
            created_by = origin.user_id if origin.actor_type in ("member", "import") else None
            created_message = ("Created via Import" + _by(origin))[:1000]
            contact_rows, acts = [], []
            for c, decision in zip(new.values(), decisions):
                name = c["name"] or ""
                contact_rows.append(
                    {
                        "id": c["id"],
                        "agent_id": agent.id,
                        "external_ref": c["external_ref"],
                        "name": name,
                        "name_sort": name.lower(),
                        "email": c["email"],
                        "phone": c["phone"],
                        "gender": c["gender"],
                        "source": "Import",
                        "stage_id": decision.stage_id,
                        "status": "Active",
                        "primary_owner_id": decision.primary_owner_id,
                        "secondary_owner_id": decision.secondary_owner_id,
                        "archived": None
                        if self.job_id is not None
                        else False,  # hidden until the run ends
                        "created_by_id": created_by,
                        "member_set": [],
                        "created_at": now,
                        "updated_at": now,
                    }
                )
                acts.append(
                    {
                        "contact_id": c["id"],
                        "kind": "created",
                        "actor_type": origin.actor_type,
                        "actor_id": origin.user_id,
                        "actor_label": origin.label,
                        "message": created_message,
                        "data": {},
                        "created_at": now,
                    }
                )
                acts += decision.activity_rows(c["id"], now)
            # Contacts and values go in key order (random ids: sorted inserts keep the B-tree
            # pages they touch together); Activity rows keep creation order (their ids).
            contact_rows.sort(key=lambda r: r["id"])
            _insert(session, Contact.__table__, contact_rows)
            _insert(session, Activity.__table__, acts)
            value_rows = [
                {
                    "contact_id": cid,
                    "field_id": fid,
                    "value_text": s[0],
                    "value_num": s[1],
                    "value_json": s[2],
                }
                for cid in sorted(new)
                for fid, s in sorted(values[cid].items())
            ]
            if value_rows:
                _insert(session, ContactValue.__table__, value_rows)
        dirty = [c for c in found.values() if c.get("_dirty")]
        if dirty:
            table = Contact.__table__
            columns = dict(
                external_ref=bindparam("b_ref"),
                name=bindparam("b_name"),
                name_sort=bindparam("b_sort"),
                email=bindparam("b_email"),
                phone=bindparam("b_phone"),
                gender=bindparam("b_gender"),
            )
            params = [
                {
                    "b_id": c["id"],
                    "b_ref": c["external_ref"],
                    "b_name": c["name"] or "",
                    "b_sort": (c["name"] or "").lower(),
                    "b_email": c["email"],
                    "b_phone": c["phone"],
                    "b_gender": c["gender"],
                    "b_updated": now,
                }
                for c in dirty
            ]
            changed = [p for p, c in zip(params, dirty) if c.get("_changed")]
            ref_only = [p for p, c in zip(params, dirty) if not c.get("_changed")]
            where = table.c.id == bindparam("b_id")
            if changed:
                session.execute(
                    update(table).where(where).values(updated_at=bindparam("b_updated"), **columns),
                    changed,
                )
            if ref_only:  # save_contact sets a missing external reference without counting a change
                session.execute(update(table).where(where).values(**columns), ref_only)
            self._write_values(touched, values)
        if activities:
            _insert(session, Activity.__table__, activities)
        if self.job_id is not None:
            self._record_changes(list(new), touched)

    def _write_values(self, touched: dict, values: dict) -> None:
        """Custom values of updated contacts: replace the fields the import changed."""
        pairs = [(cid, fid) for cid, prev in touched.items() for fid in prev["custom"]]
        if not pairs:
            return
        table = ContactValue.__table__
        self.session.execute(
            delete(table).where(
                table.c.contact_id == bindparam("b_cid"), table.c.field_id == bindparam("b_fid")
            ),
            [{"b_cid": cid, "b_fid": fid} for cid, fid in pairs],
        )
        rows = [
            {
                "contact_id": cid,
                "field_id": fid,
                "value_text": values[cid][fid][0],
                "value_num": values[cid][fid][1],
                "value_json": values[cid][fid][2],
            }
            for cid, fid in pairs
            if fid in values.get(cid, {})
        ]
        if rows:
            self.session.execute(insert(ContactValue), rows)

    def _record_changes(self, created_ids: list[str], touched: dict) -> None:
        session = self.session
        rows = [
            {"job_id": self.job_id, "contact_id": cid, "kind": "created", "previous": {}}
            for cid in sorted(created_ids)
        ]
        if touched:
            ids = list(touched)
            known: dict[str, ImportChange] = {}
            for start in range(0, len(ids), 900):
                for change in session.exec(
                    select(ImportChange).where(
                        ImportChange.job_id == self.job_id,
                        ImportChange.contact_id.in_(ids[start : start + 900]),
                    )
                ):
                    known[change.contact_id] = change
            for cid, prev in touched.items():
                previous = {
                    "defaults": prev["defaults"],
                    "custom": {str(k): v for k, v in prev["custom"].items()},
                    "ref_set": prev["ref_set"],
                }
                change = known.get(cid)
                if change is None:
                    rows.append(
                        {
                            "job_id": self.job_id,
                            "contact_id": cid,
                            "kind": "updated",
                            "previous": previous,
                        }
                    )
                elif (
                    change.kind == "updated"
                ):  # an earlier chunk changed it first: its old values win
                    merged = {
                        "defaults": {**previous["defaults"], **change.previous.get("defaults", {})},
                        "custom": {**previous["custom"], **change.previous.get("custom", {})},
                        "ref_set": previous["ref_set"] or change.previous.get("ref_set", False),
                    }
                    change.previous = merged
                    session.add(change)
        if rows:
            _insert(session, ImportChange.__table__, rows)


def _insert(session: Session, table, rows: list[dict]) -> None:
    """Insert plain values dicts (all with the same keys) in the session's transaction.

    Values go through the columns' own bind processors (UTC datetimes, JSON, booleans —
    exactly what an ORM or Core insert would store), processed once per distinct value
    where possible, then straight to the driver: executemany on SQLite, COPY on PostgreSQL.
    """
    if not rows:
        return
    connection = session.connection()
    dialect = connection.dialect
    columns = list(rows[0])
    by_column = list(zip(*map(itemgetter(*columns), rows)))  # one tuple per column
    for index, name in enumerate(columns):
        process = table.c[name].type._cached_bind_processor(dialect)
        if process is None:
            continue
        values = by_column[index]
        if isinstance(table.c[name].type, JSON):
            empty: dict = {}  # None, {} and [] are most of them: serialize those once
            out = []
            for value in values:
                if value is None or ((type(value) is dict or type(value) is list) and not value):
                    kind = type(value)
                    if kind not in empty:
                        empty[kind] = process(value)
                    out.append(empty[kind])
                else:
                    out.append(process(value))
            by_column[index] = out
        else:  # datetimes (mostly one `now` per chunk), booleans: once per distinct value
            distinct = {value: process(value) for value in set(values)}
            by_column[index] = [distinct[value] for value in values]
    data = list(zip(*by_column))
    quote = dialect.identifier_preparer.quote
    names = ", ".join(quote(c) for c in columns)
    raw = connection.connection.dbapi_connection
    cursor = raw.cursor()
    try:
        if dialect.name == "postgresql":
            with cursor.copy(f"COPY {quote(table.name)} ({names}) FROM STDIN") as copy:
                for values in data:
                    copy.write_row(values)
        else:
            marks = (
                ", ".join("?" for _ in columns)
                if dialect.paramstyle == "qmark"
                else ", ".join("%s" for _ in columns)
            )
            cursor.executemany(f"INSERT INTO {quote(table.name)} ({names}) VALUES ({marks})", data)
    finally:
        cursor.close()


def _by(origin: Origin) -> str:
    return f" by {origin.label}" if origin.label else ""


def import_origin(actor: Actor) -> Origin:
    return Origin("import", actor.display_name, actor.user_id)


def save_contacts_batch(
    session: Session,
    agent: Agent,
    rows: list[Mapping[str, Any]],
    *,
    origin: Origin,
    policy: str = "fill",
    valid_only: bool = True,
) -> _Outcome:
    """save_contact for many rows of field key → raw value (in order), set-based.

    Used by the import and by tests that compare it with save_contact row by row.
    """
    fields = agent_fields(session, agent.id)
    keys = list(dict.fromkeys(k for r in rows for k in r))
    plan = _Plan(
        agent.id,
        agent.phone_region,
        [(i, k, k) for i, k in enumerate(keys)],
        fields,
        {k: f.label for k, f in fields.items()},
    )
    cleaned: list[tuple[int, _Clean]] = []
    out = _Outcome()
    for number, row in enumerate(rows, start=1):
        cells = ["" if row.get(k) is None else str(row.get(k)) for k in keys]
        plan.columns = [(i, k, k) for i, k in enumerate(keys) if k in row]
        clean, errors = clean_row(plan, cells)
        if clean is None:
            if not valid_only:
                raise ValidationError(f"Row {number}: {errors[0][2]}", field=errors[0][0] or None)
            out.errors += [(number, *e) for e in errors]
        else:
            cleaned.append((number, clean))
    labels = {f.id: f.label for f in fields.values()}
    result = _Batch(session, agent, origin, policy, None, labels).apply(cleaned, valid_only)
    result.errors = out.errors + result.errors
    return result


# ------------------------------------------------------------------ preview


def _job(
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


def _info(job: ImportJob) -> CsvInfo:
    path = _path(job.storage_key)
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
    agent, job = _job(session, actor, agent_id, job_id)
    mapping = clean_mapping(session, agent, list(job.headers), mapping)
    if job.status == "uploaded":
        job.mapping = mapping
        session.add(job)
    plan = _Plan.build(session, agent, list(job.headers), mapping)
    info = _info(job)
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


# ------------------------------------------------------------------ running


def start_import(
    session: Session,
    actor: Actor,
    agent_id: int,
    job_id: int,
    mapping: Mapping[str, str],
    *,
    policy: str,
    valid_only: bool,
) -> dict:
    """Queue the job with its mapping and options (the caller then runs `run_import`)."""
    agent, job = _job(session, actor, agent_id, job_id)
    if policy not in POLICIES:
        raise ValidationError("Choose what to do with existing contacts.", field="policy")
    if job.status != "uploaded":
        raise ValidationError("This import has already been started.")
    job.mapping = clean_mapping(session, agent, list(job.headers), mapping)
    job.policy, job.valid_only, job.status = policy, bool(valid_only), "queued"
    session.add(job)
    session.flush()
    return job_dto(job)


def run_in_background(job_id: int, engine: Engine | None = None) -> threading.Thread:
    thread = threading.Thread(
        target=run_import,
        args=(job_id,),
        kwargs={"engine": engine},
        name=f"import-{job_id}",
        daemon=True,
    )
    thread.start()
    return thread


def run_import(job_id: int, engine: Engine | None = None) -> dict:
    """Check, then write a queued job; every outcome is stored on the job (and returned)."""
    _LOCAL_RUNS.add(job_id)
    try:
        with session_scope(engine) as session:
            job = session.get(ImportJob, job_id)
            if job is None or job.status != "queued":
                return job_dto(job) if job else {}
            job.status, job.started_at, job.heartbeat_at, job.processed = (
                "checking",
                utcnow(),
                utcnow(),
                0,
            )
            job.runner = _runner()
            session.add(job)
        _run(job_id, engine)
    finally:
        _LOCAL_RUNS.discard(job_id)
    with session_scope(engine) as session:
        return job_dto(session.get(ImportJob, job_id))


def _run(job_id: int, engine) -> None:
    spool = None
    try:
        spool, checked = _check(job_id, engine)
        if checked is not None:
            _write(job_id, engine, spool)
    except _Recovered:
        pass  # recover_interrupted took the job over and undid it
    except Exception as exc:  # anything unexpected: undo what was written, keep the message
        message = (
            exc.message
            if isinstance(exc, ServiceError)
            else "The import stopped because of an internal error."
        )
        _abort(job_id, engine, message)
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
        plan = _Plan.build(session, agent, list(job.headers), job.mapping)
        info = _info(job)
        valid_only = job.valid_only
        error_key = job.storage_key.replace(".csv", "-errors.csv")
    spool = Path(tempfile.mkstemp(prefix="crm-import-", suffix=".spool")[1])
    failed = rows = 0
    with (
        open(spool, "wb") as out,
        private_open(_path(error_key), "w", newline="", encoding="utf-8-sig") as errors_file,
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
        job = _running(session, job_id, "checking")
        job.total, job.failed = rows, failed
        job.error_key = error_key if failed else ""
        if not failed:
            _path(error_key).unlink(missing_ok=True)
        if failed and not valid_only:
            job.status, job.finished_at = "failed", utcnow()
            job.message = (
                f"{failed:,} row{'s have' if failed != 1 else ' has'} errors, so nothing was imported. "
                "Fix them in the file, or choose “Import valid rows only”."
            )
            _audit_job(
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
        actor = actor_for(session, user_id, org_id)
    origin = import_origin(actor)
    totals = _Outcome()
    processed = 0
    late_errors: list[tuple[int, str, str, str]] = []
    for rows in _spooled(spool):
        with session_scope(engine) as session:
            _bulk_connection(session)
            job = _running(session, job_id, "importing")
            agent = session.get(Agent, agent_id)
            fields = agent_fields(session, agent_id)
            labels = {k: f.label for k, f in fields.items()}
            batch = _Batch(
                session, agent, origin, policy, job_id, {f.id: f.label for f in fields.values()}
            )
            chunk = [(n, _Clean(d, c, r, labels)) for n, d, c, r in rows]
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
            job = _running(session, job_id, "importing")
            flipped = _finish_created(session, job_id, flipped)
            if flipped is None:
                _finish(session, job, late_errors, error_key)
                return


def _finish(session: Session, job: ImportJob, late_errors: list, error_key: str) -> None:
    """The run's last transaction: errors found while writing, the summary, the audit entry."""
    if late_errors:
        path = _path(error_key)
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
    _audit_job(
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


class _Recovered(Exception):
    """The job is no longer this run's: recover_interrupted declared it dead and undid it."""


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


def _running(session: Session, job_id: int, status: str) -> ImportJob:
    """The job, locked, if it is still this run's (`status`); stamps its heartbeat."""
    job = session.get(ImportJob, job_id, with_for_update=True)
    if job is None or job.status != status:
        raise _Recovered()
    job.heartbeat_at = utcnow()
    session.add(job)
    return job


_HOST = socket.gethostname()[:60]
_LOCAL_RUNS: set[int] = set()  # jobs this process is running (a reused pid is no proof of life)


def _runner() -> str:
    return f"{_HOST}:{os.getpid()}"


def _dead(job: ImportJob, now) -> bool:
    """Whether the job's run is gone: its process on this host has exited (or this process
    restarted under the same pid), or it has not stamped its heartbeat for STALL_SECONDS."""
    if (job.heartbeat_at or job.created_at) < now - timedelta(seconds=STALL_SECONDS):
        return True
    host, _, pid = (job.runner or "").rpartition(":")
    if host != _HOST or not pid.isdigit():
        return False  # another host's run (or not started): only its heartbeat tells
    if int(pid) == os.getpid():
        return job.id not in _LOCAL_RUNS
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except OSError:  # alive, under another user
        return False
    return False


def stalled_jobs(session: Session, agent_id: int | None = None) -> list[int]:
    """Ids of the active jobs (every agent's, or one agent's) whose run died; a plain read."""
    now = utcnow()
    query = select(ImportJob).where(ImportJob.status.in_(ACTIVE))
    if agent_id is not None:
        query = query.where(ImportJob.agent_id == agent_id)
    return [job.id for job in session.exec(query) if _dead(job, now)]


def recover_stalled(session: Session, agent_id: int | None = None) -> int:
    """Jobs whose run died (every agent's, or one agent's): undo what their chunks wrote and
    mark them failed, like a failure midway. Returns how many."""
    recovered = 0
    for job_id in stalled_jobs(session, agent_id):
        # Locked and read again: the run may have moved on (or finished) since.
        job = session.get(ImportJob, job_id, with_for_update=True, populate_existing=True)
        if job is None or job.status not in ACTIVE or not _dead(job, utcnow()):
            continue
        done = (
            f" after {job.processed:,} of {job.total:,} rows"
            if job.status == "importing" and job.total
            else ""
        )
        _revert(session, job)
        job.status, job.finished_at = "failed", utcnow()
        job.message = f"The import was interrupted{done} (the server stopped); nothing from it was kept. Start it again."
        job.created = job.updated = job.skipped = 0
        session.add(job)
        _audit_job(
            session,
            job,
            "Update",
            f"Import of {job.filename} interrupted; nothing kept",
            status="Failed",
        )
        recovered += 1
    return recovered


def recover_interrupted(session: Session, actor: Actor, agent_id: int) -> int:
    """recover_stalled for one agent, as a member who may import into it."""
    agent = require_agent(session, actor, agent_id, "Admin")
    return recover_stalled(session, agent.id)


def _progress(engine, job_id: int, **values) -> None:
    with session_scope(engine) as session:
        job = _running(session, job_id, "checking")
        for key, value in values.items():
            setattr(job, key, value)
        session.add(job)


def _abort(job_id: int, engine, message: str) -> None:
    """A run that stopped half-way: undo what its chunks wrote, then mark it failed."""
    with session_scope(engine) as session:
        job = session.get(ImportJob, job_id)
        _revert(session, job)
        job.status, job.finished_at, job.message = "failed", utcnow(), message[:500]
        job.created = job.updated = job.skipped = 0
        session.add(job)
        _audit_job(
            session,
            job,
            "Update",
            f"Import of {job.filename} failed; nothing kept: {message}",
            status="Failed",
        )


def _audit_job(
    session: Session, job: ImportJob, action: str, description: str, status: str = "Success"
) -> None:
    agent = session.get(Agent, job.agent_id)
    try:
        actor = actor_for(session, job.user_id, agent.org_id)
    except NotFound:
        actor = None
    audit.record(session, actor, action, RESOURCE, description, status=status, org_id=agent.org_id)


# ------------------------------------------------------------------ undo


def undo_import(session: Session, actor: Actor, agent_id: int, job_id: int) -> dict:
    """Created contacts removed, updated contacts restored to their values before the import."""
    agent, job = _job(session, actor, agent_id, job_id)
    if job.status in ACTIVE:
        raise ValidationError("Wait until the import has finished, then undo it.")
    if job.undone_at is not None:
        raise ValidationError("This import has already been undone.")
    if job.status != "done":
        raise ValidationError("Only a finished import can be undone.")
    removed, restored = _revert(session, job, actor)
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


def _revert(session: Session, job: ImportJob, actor: Actor | None = None) -> tuple[int, int]:
    created: list[str] = []
    updated: list[ImportChange] = []
    for change in session.exec(select(ImportChange).where(ImportChange.job_id == job.id)):
        (created.append(change.contact_id) if change.kind == "created" else updated.append(change))
    for start in range(0, len(created), 900):
        _delete_contacts(session, created[start : start + 900])
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
            if stored is None:
                if row is not None:
                    session.delete(row)
            elif row is None:
                session.add(
                    ContactValue(
                        contact_id=contact.id,
                        field_id=int(fid),
                        value_text=stored[0],
                        value_num=stored[1],
                        value_json=stored[2],
                    )
                )
            else:
                row.value_text, row.value_num, row.value_json = stored
                session.add(row)
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


def _delete_contacts(session: Session, ids: list[str]) -> None:
    conversation_ids = select(Conversation.id).where(Conversation.contact_id.in_(ids))
    keys = list(
        session.exec(select(ContactFile.storage_key).where(ContactFile.contact_id.in_(ids)))
    )
    for statement in (
        delete(ContactValue).where(ContactValue.contact_id.in_(ids)),
        delete(Note).where(Note.contact_id.in_(ids)),
        delete(ContactFile).where(ContactFile.contact_id.in_(ids)),
        update(FormSubmission).where(FormSubmission.contact_id.in_(ids)).values(contact_id=None),
        delete(Message).where(Message.conversation_id.in_(conversation_ids)),
        delete(Conversation).where(Conversation.contact_id.in_(ids)),
        delete(Activity).where(Activity.contact_id.in_(ids)),
        delete(AccessPass).where(AccessPass.contact_id.in_(ids)),
        delete(Contact).where(Contact.id.in_(ids)),
    ):
        session.exec(statement.execution_options(synchronize_session=False))
    if keys:
        from crm_app.services import files

        files.remove_stored(session, keys)


# ------------------------------------------------------------------ history, files, template


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
            names[job.user_id] = (
                (f"{user.first_name} {user.last_name}".strip() or user.email) if user else "—"
            )
        out.append(job_dto(job) | {"by": names[job.user_id]})
    return out


def get_job(session: Session, actor: Actor, agent_id: int, job_id: int) -> dict:
    return job_dto(_job(session, actor, agent_id, job_id)[1])


def error_file(session: Session, actor: Actor, agent_id: int, job_id: int) -> tuple[Path, str]:
    """The error CSV of a job (row number, column, value, reason) and a download name."""
    _, job = _job(session, actor, agent_id, job_id)
    if not job.error_key or not _path(job.error_key).exists():
        raise NotFound("This import has no error report.")
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", Path(job.filename).stem)[:60] or "import"
    return _path(job.error_key), f"{stem}-errors.csv"


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


# ------------------------------------------------------------------ one call (CLI)


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
            session, actor, agent_id, job["id"], mapping, policy=policy, valid_only=valid_only
        )
    return run_import(job["id"], engine=engine)
