"""The contacts list's sort columns and keyset cursors: a page after the first few is
reached from the (sort value, created, id) of its neighbour's edge row, never by OFFSET."""

from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import and_, false, or_
from sqlmodel import Session

from crm_app.models import Contact
from crm_app.services.errors import ValidationError

SORTABLE = {
    "name": Contact.name_sort,
    "email": Contact.email,
    "phone": Contact.phone,
    "gender": Contact.gender,
    "status": Contact.status,
    "stage": Contact.stage_id,
    "owner": Contact.primary_owner_id,
    "source": Contact.source,
    "created": Contact.created_at,
    "updated": Contact.updated_at,
}
DATETIME_SORTS = ("created", "updated")


def encode_cursor(sort: str, contact: Contact) -> str:
    value = getattr(contact, SORTABLE[sort].key)
    if isinstance(value, datetime):
        value = value.isoformat()
    return json.dumps([value, contact.created_at.isoformat(), contact.id])


def decode_cursor(sort: str, cursor: str) -> tuple | None:
    """(sort value, created_at, id) of a cursor made by encode_cursor for the same sort."""
    if not cursor:
        return None
    bad = ValidationError("This page is out of date: go back to the first page.", field="cursor")
    try:
        value, created, contact_id = json.loads(cursor)
        created = datetime.fromisoformat(created)
        if sort in DATETIME_SORTS:
            value = datetime.fromisoformat(value)
    except (TypeError, ValueError):
        raise bad from None
    kind = int if sort in ("stage", "owner") else datetime if sort in DATETIME_SORTS else str
    if not isinstance(contact_id, str) or not (value is None or type(value) is kind):
        raise bad
    return value, created, contact_id


def beyond(session: Session, sort: str, cursor: tuple, descending: bool):
    """Rows strictly after the cursor's row in the order (sort, created, id), all
    `descending` or all ascending. NULLs sort low on SQLite and high on PostgreSQL, as in
    their ORDER BY. Written as a bound on the sort column (an index range) and the exact
    lexicographic test: (bound conditions, test)."""
    nulls_high = session.get_bind().dialect.name == "postgresql"
    nulls_after = descending != nulls_high  # walking towards the NULLs' end of the order
    value, created, contact_id = cursor
    columns = [SORTABLE[sort]] + ([] if sort == "created" else [Contact.created_at]) + [Contact.id]
    values = [value] + ([] if sort == "created" else [created]) + [contact_id]
    tests = []
    for i, (column, v) in enumerate(zip(columns, values)):
        same = [c.is_(None) if x is None else c == x for c, x in zip(columns[:i], values[:i])]
        tests.append(and_(*same, _past(column, v, descending, nulls_after)))
    first, v = columns[0], values[0]
    if v is None:
        bound = [first.is_(None)] if nulls_after else []
    else:
        bound = [first <= v if descending else first >= v]
        if nulls_after and first.nullable:
            bound = [or_(bound[0], first.is_(None))]
    return bound, or_(*tests)


def _past(column, value, descending: bool, nulls_after: bool):
    """column strictly beyond value, walking down (descending) or up."""
    if value is None:
        return false() if nulls_after else column.is_not(None)
    beyond = column < value if descending else column > value
    return or_(beyond, column.is_(None)) if nulls_after and column.nullable else beyond
