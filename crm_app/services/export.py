"""Export contacts as CSV: a filtered list or a selection, Admin+ only.

The file is UTF-8 with a BOM (Excel then reads accents correctly) and has one column per
default attribute plus one per non-archived custom field. Cells that a spreadsheet would
run as a formula (starting with = + - @, tab or carriage return, unless the cell is a plain
signed number such as -12.5 or an E.164 phone number such as +13125551000) get a leading apostrophe, which the
importer takes off again (`unescape_cell`), so our own export imports back unchanged.
Rows are read in batches with keyset pagination on (created_at, id), newest first, so an
export of any size holds one batch in memory at a time.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator, Sequence
from typing import IO

from sqlalchemy import ARRAY, String, and_, any_, bindparam, or_
from sqlmodel import Session, select

from crm_app.models import Agent, Contact, ContactField, ContactValue, Membership, Stage, User
from crm_app.services import audit
from crm_app.services.access import Actor, require_agent
from crm_app.services.contact_list import ListQuery, build_filter
from crm_app.services.errors import ValidationError

BASE_COLUMNS = (
    "Name",
    "Primary Email",
    "Mobile Number",
    "Gender",
    "Status",
    "Stage",
    "Owner",
    "Source",
    "Created",
    "External reference",
)
BATCH_SIZE = 2000
MAX_SELECTION = 10_000
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# A signed number ("-12.5", "+3", "+13125551000" — E.164 phones are such numbers): a
# spreadsheet reads it as a value and runs nothing, so it stays as it is.
_PLAIN_NUMBER = re.compile(r"[+-](?:\d+(?:\.\d+)?|\.\d+)(?:[eE][+-]?\d+)?")
_ROW_COLUMNS = (
    Contact.id,
    Contact.name,
    Contact.email,
    Contact.phone,
    Contact.gender,
    Contact.status,
    Contact.stage_id,
    Contact.primary_owner_id,
    Contact.source,
    Contact.created_at,
    Contact.external_ref,
)


def escape_cell(value: object) -> str:
    """The cell's text, with a leading apostrophe when a spreadsheet would run it."""
    text = "" if value is None else str(value)
    return "'" + text if _runs_as_formula(text) else text


def unescape_cell(text: str) -> str:
    """escape_cell undone: the apostrophe goes only where escape_cell would have put it."""
    if text[:1] == "'" and _runs_as_formula(text[1:]):
        return text[1:]
    return text


def _runs_as_formula(text: str) -> bool:
    return text.startswith(_FORMULA_STARTS) and not _PLAIN_NUMBER.fullmatch(text)


def export_filename(agent: Agent, today) -> str:
    return f"contacts-{agent.slug}-{today.isoformat()}.csv"


def clean_ids(ids: Sequence[str] | None) -> list[str]:
    """A selection of contact ids: de-duplicated, well-formed, not too many."""
    cleaned = list(dict.fromkeys(str(i).strip() for i in (ids or []) if str(i).strip()))
    if not cleaned:
        raise ValidationError("Select at least one contact.", field="ids")
    if len(cleaned) > MAX_SELECTION:
        raise ValidationError(
            f"Select at most {MAX_SELECTION:,} contacts, or use all matching.", field="ids"
        )
    if any(len(i) > 24 for i in cleaned):
        raise ValidationError("Unknown contact id.", field="ids")
    return cleaned


def iter_export(
    session: Session,
    actor: Actor,
    agent_id: int,
    query: ListQuery | None = None,
    ids: Sequence[str] | None = None,
    *,
    audit_in_session: bool = True,
) -> _CsvExport:
    """CSV text in chunks (header first, BOM included); audits once the last row is out
    (or leaves that to the caller's `record_export` when audit_in_session is False, so the
    rows can be read in a read-only transaction).

    Access and input are checked here, before any chunk exists: a caller (the HTTP route)
    gets PermissionDenied / NotFound / ValidationError before it starts sending.
    """
    agent = require_agent(session, actor, agent_id, "Admin")
    if ids is not None:
        where = and_(
            Contact.agent_id == agent.id,
            Contact.id.in_(clean_ids(ids)),
            Contact.archived.is_not(None),
        )  # not the contacts of an unfinished import
    else:
        where = build_filter(session, agent.id, query or ListQuery())
    custom = list(
        session.exec(
            select(ContactField)
            .where(
                ContactField.agent_id == agent.id,
                ContactField.is_default.is_(False),
                ContactField.archived_at.is_(None),
            )
            .order_by(ContactField.position, ContactField.id)
        )
    )
    stages = {s.id: s.name for s in session.exec(select(Stage).where(Stage.agent_id == agent.id))}
    owners = {
        u.id: u.display_name
        for u in session.exec(
            select(User)
            .join(Membership, Membership.user_id == User.id)
            .where(Membership.org_id == agent.org_id)
        )
    }
    return _CsvExport(
        session, actor, agent, where, custom, stages, owners, ids is not None, audit_in_session
    )


class _CsvExport:
    """The export's chunks; `count` holds the number of contacts written so far."""

    def __init__(
        self, session, actor, agent, where, custom, stages, owners, selection, audit_in_session
    ):
        self.count = 0
        self.agent = agent
        self.selection = selection
        self.audit = audit_in_session
        self._chunks = _chunks(
            self, session, actor, agent, where, custom, stages, owners, selection
        )

    def __iter__(self) -> Iterator[str]:
        return self._chunks


def _chunks(
    export: _CsvExport, session, actor, agent, where, custom, stages, owners, selection
) -> Iterator[str]:
    custom_ids = [f.id for f in custom]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    buffer.write("\ufeff")
    writer.writerow([escape_cell(c) for c in BASE_COLUMNS + tuple(f.label for f in custom)])
    count = 0
    last = None
    while True:
        condition = where
        if last is not None:
            # Keyset: strictly after the last row in (created_at desc, id desc) order. The
            # first conjunct is a plain range the (agent, archived, created) index can use.
            condition = and_(
                where,
                Contact.created_at <= last[0],
                or_(Contact.created_at < last[0], Contact.id < last[1]),
            )
        rows = session.exec(
            select(*_ROW_COLUMNS)
            .where(condition)
            .order_by(Contact.created_at.desc(), Contact.id.desc())
            .limit(BATCH_SIZE)
        ).all()
        if not rows:
            break
        values: dict[str, dict[int, str]] = {}
        if custom_ids:
            for contact_id, field_id, text in session.exec(
                select(
                    ContactValue.contact_id, ContactValue.field_id, ContactValue.value_text
                ).where(
                    _one_of(session, ContactValue.contact_id, [r[0] for r in rows]),
                    ContactValue.field_id.in_(custom_ids),
                )
            ):
                values.setdefault(contact_id, {})[field_id] = text
        for (
            cid,
            name,
            email,
            phone,
            gender,
            status,
            stage_id,
            owner_id,
            source,
            created,
            ext,
        ) in rows:
            extra = values.get(cid, {})
            writer.writerow(
                [
                    escape_cell(name),
                    escape_cell(email),
                    escape_cell(phone),
                    escape_cell(gender),
                    escape_cell(status),
                    escape_cell(stages.get(stage_id, "")),
                    escape_cell(owners.get(owner_id, "")),
                    f"via {source}",
                    created.strftime("%Y-%m-%d %H:%M:%S") if created else "",
                    escape_cell(ext),
                    *(escape_cell(extra.get(fid, "")) for fid in custom_ids),
                ]
            )
        count += len(rows)
        export.count = count
        last = (rows[-1][9], rows[-1][0])
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        if len(rows) < BATCH_SIZE:
            break
    if buffer.tell():
        yield buffer.getvalue()
    if export.audit:
        record_export(session, actor, agent, count, selection)


def _one_of(session: Session, column, values: list[str]):
    """`column IN (...)`; on PostgreSQL one array parameter (`= ANY`) instead of thousands."""
    if session.get_bind().dialect.name == "postgresql":
        return column == any_(bindparam("ids", values, type_=ARRAY(String)))
    return column.in_(values)


def record_export(
    session: Session, actor: Actor, agent: Agent, count: int, selection: bool
) -> None:
    what = "selected " if selection else ""
    audit.record(
        session,
        actor,
        "Read",
        "Contact",
        f"Exported {count:,} {what}contact{'s' if count != 1 else ''} of the agent {agent.name}",
    )
    session.flush()


def export_contacts(
    session: Session,
    actor: Actor,
    agent_id: int,
    query: ListQuery | None = None,
    ids: Sequence[str] | None = None,
    out: IO | None = None,
) -> int:
    """Write the CSV to `out` (a text or binary stream); returns the number of contacts."""
    if out is None:
        raise ValueError("export_contacts needs an output stream")
    binary = not isinstance(out, io.TextIOBase) and "b" in getattr(out, "mode", "b")
    export = iter_export(session, actor, agent_id, query, ids)
    for chunk in export:
        out.write(chunk.encode("utf-8") if binary else chunk)
    return export.count
