"""The contacts list query: search, filters, sort and server-side pagination,
all pushed into SQL so pages stay fast at a million contacts per agent (bench/README.md).

A page (`list_page`) and the matching count (`count_matching`) are separate calls: the list
shows its rows first and counts only when the query changes. Pages after the first few are
reached by keyset (`after`/`before` cursors of the neighbouring page), never by a deep OFFSET.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import and_, func, literal, union_all
from sqlalchemy.sql import operators
from sqlalchemy.sql.functions import coalesce
from sqlmodel import Session, select

from crm_app.db import serial_plans
from crm_app.models import (
    Contact,
    ContactField,
    ContactValue,
)
from crm_app.services.access import Actor, require_agent
from crm_app.services.contact_cursor import (
    SORTABLE,
    beyond,
    decode_cursor,
    encode_cursor,
)
from crm_app.services.contact_rows import display_rows
from crm_app.services.contact_search import search, search_branches
from crm_app.services.errors import ValidationError

PAGE_SIZES = (25, 50, 100)


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
        conds.append(search(session, agent_id, term, walk))
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
    cursor = decode_cursor(q.sort, after or before)
    # Rows are read in walk order: the display order, or its reverse for the previous page.
    descending = q.descending != backward
    keyset = beyond(session, q.sort, cursor, descending) if cursor else None
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
        rows=display_rows(session, agent.id, rows),
        has_previous=has_previous,
        has_next=has_next,
        first=encode_cursor(q.sort, rows[0]) if rows else "",
        last=encode_cursor(q.sort, rows[-1]) if rows else "",
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
        for i, branch in enumerate(search_branches(session, agent_id, _term(q), False))
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
            for branch in search_branches(session, agent_id, _term(q), False)
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
