"""The contacts list query: search, filters, sort and server-side pagination,
all pushed into SQL so pages stay fast at a million contacts per agent (bench/README.md).

A page (`list_page`) and the matching count (`count_matching`) are separate calls: the list
shows its rows first and counts only when the query changes. Pages after the first few are
reached by keyset (`after`/`before` cursors of the neighbouring page), never by a deep OFFSET.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta

import phonenumbers
from sqlalchemy import and_, false, func, literal, or_, union_all
from sqlalchemy.sql import operators
from sqlalchemy.sql.functions import coalesce
from sqlmodel import Session, select

from crm_app.db import serial_plans
from crm_app.models import (
    Agent,
    Contact,
    ContactCount,
    ContactField,
    ContactValue,
    Stage,
    User,
    name_after_first_word,
    phone_last_digits,
)
from crm_app.services.access import Actor, require_agent
from crm_app.services.errors import ValidationError
from crm_app.services.values import format_phone

PAGE_SIZES = (25, 50, 100)
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


# Totals are counted exactly up to this many matches; beyond it the list shows "10,000+"
# (an exact count over a million index entries costs more than the page itself).
COUNT_CAP = 10_000
# A custom-field filter whose value has at least this many index entries walks the sort
# column's index (stopping after one page) instead of fetching every match and sorting them
# (its matches are sorted from a covering index, which is cheap per match). A search with
# more than FEW_MATCHES matches walks first: the walk reads the index alone, and is bounded.
DENSE_VALUES = 10_000
# The walk reads at most this many contacts: matches clustered far down the order (values
# common only two years ago, a rare name) are then fetched through the filter's own index.
WALK_ROWS = 5_000
# A search with at most this many matches sorts them all: they are read through the search's
# own indexes before anything else is tried.
FEW_MATCHES = 500
# The sort indexes a walk follows. Each holds the id and every column a search tests (name,
# email, phone), so the walk tests contacts without reading their rows; only the page's
# rows are read, by id.
WALK_INDEX = {
    "created": "ix_contact_agent_archived_created_walk",
    "name": "ix_contact_agent_archived_name_walk",
}


@dataclass
class ListQuery:
    search: str = ""
    stage_ids: list[int] = field(default_factory=list)
    statuses: list[str] = field(default_factory=list)
    owner_ids: list[int] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    created_from: date | None = None
    created_to: date | None = None
    custom: dict[str, str] = field(default_factory=dict)  # field key -> exact value
    archived: bool = False
    sort: str = "created"
    descending: bool = True
    page: int = 1
    page_size: int = 25


@dataclass
class Page:
    """One page of display rows. `first`/`last` are the cursors of its first and last row:
    pass them as `before`/`after` to list_page for the neighbouring pages."""

    rows: list[dict]
    has_previous: bool
    has_next: bool
    first: str = ""
    last: str = ""


def build_filter(session: Session, agent_id: int, q: ListQuery, *, walk: bool = False):
    """SQL conditions for a query (also used by bulk actions on "all N matching" and export).

    By default each condition can start from its own index (custom fields: `id IN (matching
    values)` from the covering value index; search: prefix ranges). With `walk` the page
    walks the sort column's index instead, so the conditions become per-row checks: custom
    fields a correlated lookup by the (contact_id, field_id) key, search prefixes on
    `column || ''`, which no index serves — otherwise PostgreSQL's planner, misjudging how
    many contacts a prefix matches, may fetch and sort all of them.
    """
    conds = [Contact.agent_id == agent_id, Contact.archived == q.archived]
    term = _term(q)
    if term:
        conds.append(_search(session, agent_id, term, walk))
    if q.stage_ids:
        conds.append(Contact.stage_id.in_(q.stage_ids))
    if q.statuses:
        conds.append(Contact.status.in_(q.statuses))
    if q.owner_ids:
        conds.append(Contact.primary_owner_id.in_(q.owner_ids))
    if q.sources:
        conds.append(Contact.source.in_(q.sources))
    if q.created_from:
        conds.append(Contact.created_at >= datetime.combine(q.created_from, time.min, UTC))
    if q.created_to:
        conds.append(
            Contact.created_at < datetime.combine(q.created_to + timedelta(days=1), time.min, UTC)
        )
    if q.custom:
        for key, value in q.custom.items():
            field_id = _custom_field_id(session, agent_id, key)
            if walk:
                # The contact's one value of the field, looked up by the (contact_id,
                # field_id) key: a correlated scalar subquery, which no planner turns into a
                # join over all of the value's entries (PostgreSQL did, for an EXISTS).
                stored = (
                    select(ContactValue.value_text)
                    .where(ContactValue.contact_id == Contact.id, ContactValue.field_id == field_id)
                    .scalar_subquery()
                )
                conds.append(stored == value)
            else:
                conds.append(
                    Contact.id.in_(
                        select(ContactValue.contact_id).where(
                            ContactValue.field_id == field_id, ContactValue.value_text == value
                        )
                    )
                )
    return and_(*conds)


def _term(q: ListQuery) -> str:
    return q.search.strip().lower()[:200]


def list_page(
    session: Session,
    actor: Actor,
    agent_id: int,
    q: ListQuery,
    *,
    after: str = "",
    before: str = "",
) -> Page:
    """One page of contacts as display rows: page `q.page` (by OFFSET, meant for the first
    pages), or the page right after the row of cursor `after` / right before `before`.

    Order: the sort column, then created, then id, all in the same direction — ties on a
    status or a source come newest (or oldest) first, and every order has an index."""
    agent = require_agent(session, actor, agent_id)
    if q.page_size not in PAGE_SIZES:
        raise ValidationError(f"Page size must be one of {PAGE_SIZES}.", field="page_size")
    if q.sort not in SORTABLE:
        raise ValidationError(f"Cannot sort by '{q.sort}'.", field="sort")
    backward = bool(before) and not after
    cursor = _decode_cursor(q.sort, after or before)
    # Rows are read in walk order: the display order, or its reverse for the previous page.
    descending = q.descending != backward
    keyset = _beyond(session, q.sort, cursor, descending) if cursor else None
    offset = 0 if cursor else (max(1, q.page) - 1) * q.page_size
    rows = _read_page(session, agent.id, q, descending, keyset, offset, q.page_size + 1)
    more = len(rows) > q.page_size
    rows = rows[: q.page_size]
    if backward:
        rows.reverse()
        has_previous, has_next = more, True
    else:
        has_previous, has_next = bool(cursor) or offset > 0, more
    return Page(
        rows=_display(session, agent.id, rows),
        has_previous=has_previous,
        has_next=has_next,
        first=_encode_cursor(q.sort, rows[0]) if rows else "",
        last=_encode_cursor(q.sort, rows[-1]) if rows else "",
    )


def count_matching(session: Session, actor: Actor, agent_id: int, q: ListQuery) -> int:
    """How many contacts match — exact up to COUNT_CAP, COUNT_CAP + 1 meaning "more"."""
    agent = require_agent(session, actor, agent_id)
    return _capped_count(session, agent.id, q, COUNT_CAP)


def _order(sort: str, descending: bool) -> list:
    columns = [SORTABLE[sort]] + ([] if sort == "created" else [Contact.created_at]) + [Contact.id]
    return [c.desc() if descending else c.asc() for c in columns]


def _read_page(
    session: Session,
    agent_id: int,
    q: ListQuery,
    descending: bool,
    keyset: tuple | None,
    offset: int,
    limit: int,
) -> list[Contact]:
    """Page rows in walk order. Column filters, sorts and keysets are served by the
    (filter column, created) and sort indexes, which the planners choose. A search, or a
    custom-field filter with many matches, first walks the sort index within WALK_ROWS
    contacts; if those hold too few matches (they are rare, or sit further down the order),
    the matches are fetched through the filters' indexes and sorted."""
    bound, test = keyset if keyset is not None else ([], None)
    extra = bound if test is None else [*bound, test]
    order = _order(q.sort, descending)
    if not (q.search.strip() or q.custom):
        where = build_filter(session, agent_id, q)
        return list(
            session.exec(
                select(Contact).where(where, *extra).order_by(*order).offset(offset).limit(limit)
            )
        )
    if q.sort in WALK_INDEX and q.search.strip():
        # A rare term (a full email or number, a surname few have) is settled by its first
        # FEW_MATCHES matches alone; only a frequent one pays for a walk.
        few = _few_matches(session, agent_id, q, extra)
        if few is not None:
            return _rows(session, few, order, offset, limit)
    if q.sort in WALK_INDEX and (q.search.strip() or _many_values(session, agent_id, q)):
        ids = _walk(session, agent_id, q, descending, bound, extra, offset, limit)
        if ids is not None:
            return _rows(session, ids, order)
    return _sorted_matches(session, agent_id, q, extra, order, offset, limit)


def _walk(
    session: Session,
    agent_id: int,
    q: ListQuery,
    descending: bool,
    bound: list,
    extra: list,
    offset: int,
    limit: int,
) -> list[str] | None:
    """The page's ids from a walk of the sort column's WALK_INDEX, or None when the
    WALK_ROWS contacts walked hold fewer than `limit` matches (and more contacts follow)."""
    column = SORTABLE[q.sort]
    # The sort value about WALK_ROWS contacts further on (read from the index alone): the
    # walk stops there at the latest.
    base = [Contact.agent_id == agent_id, Contact.archived == q.archived, *bound]
    end = session.exec(
        select(column)
        .where(*base)
        .order_by(column.desc() if descending else column.asc())
        .offset(offset + WALK_ROWS)
        .limit(1)
    ).first()
    window = [] if end is None else [column >= end if descending else column <= end]
    statement = (
        select(Contact.id)
        .where(build_filter(session, agent_id, q, walk=True), *extra, *window)
        .order_by(*_order(q.sort, descending))
        .offset(offset)
        .limit(limit)
        .with_hint(Contact, f"INDEXED BY {WALK_INDEX[q.sort]}", "sqlite")
    )
    serial_plans(session)  # PostgreSQL: a short walk gains nothing from parallel workers
    ids = list(session.exec(statement))
    return ids if len(ids) == limit or end is None else None


def _rows(
    session: Session, ids: list[str], order: list, offset: int = 0, limit: int | None = None
) -> list[Contact]:
    """The contacts of `ids` in the page's order (from `offset`, at most `limit` of them)."""
    if not ids:
        return []
    statement = select(Contact).where(Contact.id.in_(ids)).order_by(*order).offset(offset)
    return list(session.exec(statement if limit is None else statement.limit(limit)))


def _sorted_matches(
    session: Session, agent_id: int, q: ListQuery, extra: list, order: list, offset: int, limit: int
) -> list[Contact]:
    """Fetch every match through the filters' indexes and sort them. The sort keys are
    written as coalesce(c, c) — the same order — so no planner walks a sort index instead,
    which it might, misjudging how many contacts match or where they sit. The ids are
    chosen first (from ix_contact_id_agent_archived_created, without reading the rows for a
    created sort), then only the page's rows are read."""
    keys = [coalesce(k.element, k.element) for k in order]
    keys = [k.desc() if o.modifier is operators.desc_op else k.asc() for k, o in zip(keys, order)]
    ids = (
        select(Contact.id)
        .where(build_filter(session, agent_id, q), *extra)
        .order_by(*keys)
        .offset(offset)
        .limit(limit)
    )
    return _rows(session, list(session.exec(ids)), order)


def _few_matches(session: Session, agent_id: int, q: ListQuery, extra: list) -> list[str] | None:
    """Every match of a search when there are at most FEW_MATCHES, else None. Each of the
    term's alternatives (name, later word, email; the phone's forms) is read through its own
    index and stops after FEW_MATCHES + 1 ids, so a frequent term is recognised cheaply (one
    OR of them made PostgreSQL collect all 30,000 entries of "emm" in a bitmap first)."""
    rest = build_filter(session, agent_id, replace(q, search=""))
    parts = [
        select(Contact.id, literal(i).label("branch"))
        .where(rest, branch, *extra)
        .limit(FEW_MATCHES + 1)
        .subquery()
        for i, branch in enumerate(_search_branches(session, agent_id, _term(q), False))
    ]
    rows = session.exec(union_all(*(select(p.c.id, p.c.branch) for p in parts))).all()
    per_branch = Counter(branch for _id, branch in rows)
    found = {contact_id for contact_id, _branch in rows}
    if max(per_branch.values(), default=0) > FEW_MATCHES or len(found) > FEW_MATCHES:
        return None
    return list(found)


def _many_values(session: Session, agent_id: int, q: ListQuery) -> bool:
    """Whether a custom-field filter's value has DENSE_VALUES index entries or more
    (archived contacts included): counting them from the value index alone costs less than
    joining each to its contact."""
    key, value = next(iter(q.custom.items()))
    entries = (
        select(literal(1))
        .select_from(ContactValue)
        .where(
            ContactValue.field_id == _custom_field_id(session, agent_id, key),
            ContactValue.value_text == value,
        )
    )
    found = session.exec(
        select(func.count()).select_from(entries.limit(DENSE_VALUES).subquery())
    ).one()
    return found >= DENSE_VALUES


def _display(session: Session, agent_id: int, rows: list[Contact]) -> list[dict]:
    stages = {s.id: s.name for s in session.exec(select(Stage).where(Stage.agent_id == agent_id))}
    owner_ids = {r.primary_owner_id for r in rows if r.primary_owner_id}
    owners = (
        {u.id: u.display_name for u in session.exec(select(User).where(User.id.in_(owner_ids)))}
        if owner_ids
        else {}
    )
    values: dict[str, dict[int, str]] = {}
    if rows:
        for v in session.exec(
            select(ContactValue).where(ContactValue.contact_id.in_([r.id for r in rows]))
        ):
            values.setdefault(v.contact_id, {})[v.field_id] = v.value_text
    return [
        {
            "id": r.id,
            "name": r.name,
            "email": r.email or "",
            "phone": r.phone or "",
            "phone_display": format_phone(r.phone),
            "gender": r.gender or "",
            "status": r.status,
            "stage": stages.get(r.stage_id, ""),
            "owner": owners.get(r.primary_owner_id, ""),
            "source": f"via {r.source}",
            "created": r.created_at.isoformat(),
            "values": {str(k): v for k, v in values.get(r.id, {}).items()},
        }
        for r in rows
    ]


# ---------------------------------------------------------------- keyset cursors


def _encode_cursor(sort: str, contact: Contact) -> str:
    value = getattr(contact, SORTABLE[sort].key)
    if isinstance(value, datetime):
        value = value.isoformat()
    return json.dumps([value, contact.created_at.isoformat(), contact.id])


def _decode_cursor(sort: str, cursor: str) -> tuple | None:
    """(sort value, created_at, id) of a cursor made by _encode_cursor for the same sort."""
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


def _beyond(session: Session, sort: str, cursor: tuple, descending: bool):
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


# ---------------------------------------------------------------- counts


def _capped_count(session: Session, agent_id: int, q: ListQuery, cap: int) -> int:
    """Matches, counted up to cap + 1. With a custom-field filter the count starts from
    that value's index entries and joins their contacts, so it stops after the cap instead
    of first collecting every matching value."""
    # Selecting a constant, not the id, lets an index that holds the filtered columns answer
    # alone (SQLite's indexes carry the rowid, not the id).
    if _term(q) and not q.custom:
        # One alternative of the search (the name prefix, say) holding more than the cap
        # settles it, counted through its own index: an OR of them is counted from the rows.
        rest = build_filter(session, agent_id, replace(q, search=""))
        counts = [
            select(func.count())
            .select_from(
                select(literal(1))
                .select_from(Contact)
                .where(rest, branch)
                .limit(cap + 1)
                .subquery()
            )
            .scalar_subquery()
            for branch in _search_branches(session, agent_id, _term(q), False)
        ]
        if max(session.exec(select(*counts)).one()) > cap:
            return cap + 1
    if not q.custom:
        ids = select(literal(1)).select_from(Contact).where(build_filter(session, agent_id, q))
    else:
        key, value = next(iter(q.custom.items()))
        rest = replace(q, custom={k: v for k, v in q.custom.items() if k != key})
        field_id = _custom_field_id(session, agent_id, key)
        ids = (
            select(literal(1))
            .select_from(ContactValue)
            .join(Contact, Contact.id == ContactValue.contact_id)
            .where(
                ContactValue.field_id == field_id,
                ContactValue.value_text == value,
                build_filter(session, agent_id, rest),
            )
        )
    return session.exec(select(func.count()).select_from(ids.limit(cap + 1).subquery())).one()


def _custom_field_id(session: Session, agent_id: int, key: str) -> int:
    f = session.exec(
        select(ContactField).where(ContactField.agent_id == agent_id, ContactField.key == key)
    ).first()
    if f is None or f.is_default:
        raise ValidationError(f"Unknown field '{key}'.", field=key)
    return f.id


# ---------------------------------------------------------------- search


LATER_WORDS = name_after_first_word(Contact.name_sort)
PHONE_SUFFIX = 4
PHONE_LAST = phone_last_digits(Contact.phone, PHONE_SUFFIX)
_PHONE_LIKE = re.compile(r"^[\d\s()+.\-/]+$")


def _search(session: Session, agent_id: int, term: str, walk: bool = False):
    """Search by its shape, each branch an index range at a million contacts:
    - with an @: email prefix;
    - only digits and phone punctuation (3+ digits): see _phone_search;
    - otherwise: name prefix, second-word prefix ("lopez" finds "Maria Lopez", through an
      expression index on LATER_WORDS), or email prefix.
    """
    return or_(*_search_branches(session, agent_id, term, walk))


def _search_branches(session: Session, agent_id: int, term: str, walk: bool) -> list:
    """The search's alternatives, each served by one index (see _search)."""
    if "@" in term:
        return [_prefix(Contact.email, term, walk)]
    digits = re.sub(r"\D", "", term)
    if _PHONE_LIKE.match(term) and len(digits) >= 3:
        return _phone_search(session, agent_id, term, digits, walk)
    later = _prefix(LATER_WORDS, " " + term, walk)
    if walk:
        # A walk tests every contact it passes: first the cheap necessary condition (the
        # name holds " term"), as ltrim over the word characters costs microseconds a row.
        find = func.strpos if session.get_bind().dialect.name == "postgresql" else func.instr
        later = and_(find(Contact.name_sort, " " + term) > 0, later)
    return [_prefix(Contact.name_sort, term, walk), later, _prefix(Contact.email, term, walk)]


def _phone_search(session: Session, agent_id: int, term: str, digits: str, walk: bool):
    """Phones are stored in E.164. The term matches a phone that starts with it — typed
    with "+" as international digits, otherwise as a national number of the agent's region
    ("(312) 555-01" → "+1312555 01…", a leading national prefix like UK "0" dropped) or as
    international digits without the "+" — or, from 4 digits on, a phone that ends with it
    ("555-0123", "0123": the local number or last digits). Both through indexes: the phone
    column's and one on its last PHONE_SUFFIX digits."""
    starts = {"+" + digits}
    if not term.lstrip().startswith("+"):
        region = session.get(Agent, agent_id).phone_region
        code = phonenumbers.country_code_for_region(region)
        metadata = phonenumbers.PhoneMetadata.metadata_for_region(region)
        national = digits
        prefix = metadata.national_prefix if metadata else None
        if prefix and national.startswith(prefix):
            national = national[len(prefix) :]
        if code and national:
            starts.add(f"+{code}{national}")
    conditions = [_prefix(Contact.phone, start, walk) for start in sorted(starts)]
    if len(digits) >= PHONE_SUFFIX:
        last = PHONE_LAST.op("||")("") if walk else PHONE_LAST
        phone = Contact.phone.op("||")("") if walk else Contact.phone
        conditions.append(and_(last == digits[-PHONE_SUFFIX:], phone.like("%" + digits)))
    return conditions


def _prefix(column, term: str, walk: bool = False):
    """column starts with term: LIKE for the meaning, a >=/< range so B-tree indexes are
    used on SQLite (whose LIKE skips binary-collated indexes) and PostgreSQL alike. With
    `walk`, on `column || ''`: the same test, no index (see build_filter)."""
    if walk:
        column = column.op("||")("")
    condition = [column.like(_escape(term) + "%", escape="\\"), column >= term]
    if ord(term[-1]) < 0x10FFFF:
        condition.append(column < term[:-1] + chr(ord(term[-1]) + 1))
    return and_(*condition)


def _escape(term: str) -> str:
    return term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


# PostgreSQL: an agent's count rows are folded into one once there are this many.
FOLD_COUNT_ROWS = 200


def count_contacts(session: Session, actor: Actor, agent_id: int) -> int:
    """All of the agent's non-archived contacts (the list's "You have N contacts"), from
    the trigger-kept ContactCount rows."""
    agent = require_agent(session, actor, agent_id)
    rows, total = session.exec(
        select(func.count(), func.coalesce(func.sum(ContactCount.n), 0)).where(
            ContactCount.agent_id == agent.id
        )
    ).one()
    if rows > FOLD_COUNT_ROWS and session.get_bind().dialect.name == "postgresql":
        # The rows this statement deletes are summed into one; rows other writers add meanwhile
        # are kept, and a concurrent fold takes a disjoint set: the sum never changes.
        session.connection().exec_driver_sql(
            "WITH gone AS (DELETE FROM contactcount WHERE agent_id = %(a)s RETURNING n) "
            "INSERT INTO contactcount (agent_id, n) SELECT %(a)s, coalesce(sum(n), 0) FROM gone",
            {"a": agent.id},
        )
    return int(total)
