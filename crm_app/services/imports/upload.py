"""Upload and mapping: the file stored privately, its columns matched to the agent's fields."""

from __future__ import annotations

import os
import re
import secrets
import shutil
import unicodedata
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import BinaryIO

from sqlmodel import Session, select

from crm_app.models import Agent, ContactField, ImportJob
from crm_app.services import csv_reader, field_rules
from crm_app.services import fields as field_service
from crm_app.services.access import Actor, require_agent
from crm_app.services.contact_input import agent_fields
from crm_app.services.errors import ValidationError
from crm_app.services.imports.common import EXTRA_TARGETS, IGNORE, file_path, job_dto
from crm_app.settings import private_open

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


def targets(session: Session, agent_id: int) -> list[dict]:
    """What a column can map to: the agent's fields, name parts, the external reference."""
    out = [
        {"value": f.key, "label": f.label, "type": f.type}
        for f in sorted(agent_fields(session, agent_id).values(), key=lambda f: (f.position, f.id))
    ]
    out += [{"value": k, "label": v, "type": "Text"} for k, v in EXTRA_TARGETS.items()]
    return out


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
    target = file_path(key)
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
    taken |= field_rules.DEFAULT_KEYS | field_rules.RESERVED_KEYS | set(EXTRA_TARGETS)
    base = field_rules.key_from_label(label)[:56] or "field"
    key, n = base, 1
    while key in taken:
        n += 1
        key = f"{base}_{n}"
    return field_service.create_custom_field(
        session, actor, agent_id, label=label, key=key, type=type, options=list(options)
    )


def mapping_targets(session: Session, actor: Actor, agent_id: int) -> list[dict]:
    """targets() for a member who may import into the agent."""
    agent = require_agent(session, actor, agent_id, "Admin")
    return targets(session, agent.id)
