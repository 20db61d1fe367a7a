"""Writing a matched chunk: plain inserts and updates of contacts, values, timeline entries
and undo records (executemany on SQLite, COPY on PostgreSQL)."""

from __future__ import annotations

from operator import itemgetter
from typing import TYPE_CHECKING

from sqlalchemy import JSON, bindparam, delete, insert, update
from sqlmodel import Session, select

from crm_app.models import Activity, Contact, ContactValue, ImportChange
from crm_app.services import automations

if TYPE_CHECKING:
    from crm_app.services.imports.batch import Batch


def write_chunk(
    batch: Batch, new: dict, found: dict, values: dict, touched: dict, activities: list, now
) -> None:
    session, agent, origin = batch.session, batch.agent, batch.origin
    if new:
        # Owners, stage and their timeline lines for the whole chunk at once (the rules
        # read once, round-robin turns taken under the rule lock), then plain executemany.
        decisions = automations.apply_on_create_many(
            session, agent, len(new), source="Import", creator_id=origin.user_id
        )
        created_by = origin.user_id if origin.actor_type in ("member", "import") else None
        created_message = ("Created via Import" + origin.by)[:1000]
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
                    if batch.job_id is not None
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
        insert_rows(session, Contact.__table__, contact_rows)
        insert_rows(session, Activity.__table__, acts)
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
            insert_rows(session, ContactValue.__table__, value_rows)
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
        _write_values(session, touched, values)
    if activities:
        insert_rows(session, Activity.__table__, activities)
    if batch.job_id is not None:
        _record_changes(session, batch.job_id, list(new), touched)


def _write_values(session: Session, touched: dict, values: dict) -> None:
    """Custom values of updated contacts: replace the fields the import changed."""
    pairs = [(cid, fid) for cid, prev in touched.items() for fid in prev["custom"]]
    if not pairs:
        return
    table = ContactValue.__table__
    session.execute(
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
        session.execute(insert(ContactValue), rows)


def _record_changes(session: Session, job_id: int, created_ids: list[str], touched: dict) -> None:
    rows = [
        {"job_id": job_id, "contact_id": cid, "kind": "created", "previous": {}}
        for cid in sorted(created_ids)
    ]
    if touched:
        ids = list(touched)
        known: dict[str, ImportChange] = {}
        for start in range(0, len(ids), 900):
            for change in session.exec(
                select(ImportChange).where(
                    ImportChange.job_id == job_id,
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
                        "job_id": job_id,
                        "contact_id": cid,
                        "kind": "updated",
                        "previous": previous,
                    }
                )
            elif change.kind == "updated":  # an earlier chunk changed it first: its old values win
                merged = {
                    "defaults": {**previous["defaults"], **change.previous.get("defaults", {})},
                    "custom": {**previous["custom"], **change.previous.get("custom", {})},
                    "ref_set": previous["ref_set"] or change.previous.get("ref_set", False),
                }
                change.previous = merged
                session.add(change)
    if rows:
        insert_rows(session, ImportChange.__table__, rows)


def insert_rows(session: Session, table, rows: list[dict]) -> None:
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
