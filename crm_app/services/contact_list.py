"""The contacts list query (§3.3): search, filters, sort and server-side pagination,
all pushed into SQL so pages stay fast at a million contacts per agent."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta, timezone

from sqlalchemy import and_, exists, func, or_
from sqlmodel import Session, select

from crm_app.db import serial_plans
from crm_app.models import Contact, ContactField, ContactValue, Stage, User, name_after_first_word
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


# Totals are counted exactly up to this many matches; beyond it the list shows "10,000+"
# (an exact count over a million index entries costs more than the page itself).
COUNT_CAP = 10_000
# Page rows come from the sort column's index when at least this many contacts match.
DENSE_MATCHES = 5_000
ORDERED_INDEX = {"created": "ix_contact_agent_archived_created", "name": "ix_contact_agent_archived_name"}


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


def build_filter(session: Session, agent_id: int, q: ListQuery, *, walk: bool = False):
    """SQL conditions for a query (also used by bulk actions on "all N matching" and export).

    By default each condition can start from its own index (custom fields: `id IN (matching
    values)` from the covering value index; search: prefix ranges). With `walk` the page
    walks the sort column's index instead, so the conditions become per-row checks: custom
    fields a correlated EXISTS probing the (contact_id, field_id) key, search prefixes on
    `column || ''`, which no index serves — otherwise PostgreSQL's planner, misjudging how
    many contacts a prefix matches, may fetch and sort all of them.
    """
    conds = [Contact.agent_id == agent_id, Contact.archived == q.archived]
    term = q.search.strip().lower()[:200]
    if term:
        conds.append(_search(term, walk))
    if q.stage_ids:
        conds.append(Contact.stage_id.in_(q.stage_ids))
    if q.statuses:
        conds.append(Contact.status.in_(q.statuses))
    if q.owner_ids:
        conds.append(Contact.primary_owner_id.in_(q.owner_ids))
    if q.sources:
        conds.append(Contact.source.in_(q.sources))
    if q.created_from:
        conds.append(Contact.created_at >= datetime.combine(q.created_from, time.min, timezone.utc))
    if q.created_to:
        conds.append(Contact.created_at < datetime.combine(q.created_to + timedelta(days=1), time.min, timezone.utc))
    if q.custom:
        for key, value in q.custom.items():
            field_id = _custom_field_id(session, agent_id, key)
            if walk:
                conds.append(exists().where(ContactValue.contact_id == Contact.id, ContactValue.field_id == field_id,
                                            ContactValue.value_text == value))
            else:
                conds.append(Contact.id.in_(select(ContactValue.contact_id).where(
                    ContactValue.field_id == field_id, ContactValue.value_text == value)))
    return and_(*conds)


def list_contacts(session: Session, actor: Actor, agent_id: int, q: ListQuery) -> tuple[list[dict], int]:
    """One page of contacts as display rows, plus how many match — exact up to COUNT_CAP,
    COUNT_CAP + 1 meaning "more than COUNT_CAP"."""
    agent = require_agent(session, actor, agent_id)
    if q.page_size not in PAGE_SIZES:
        raise ValidationError(f"Page size must be one of {PAGE_SIZES}.", field="page_size")
    if q.sort not in SORTABLE:
        raise ValidationError(f"Cannot sort by '{q.sort}'.", field="sort")
    total = _capped_count(session, agent.id, q)
    dense = total >= DENSE_MATCHES and q.sort in ORDERED_INDEX
    where = build_filter(session, agent.id, q, walk=dense)
    column = SORTABLE[q.sort]
    order = (column.desc(), Contact.id.desc()) if q.descending else (column.asc(), Contact.id.asc())
    page = max(1, q.page)
    statement = select(Contact).where(where).order_by(*order).offset((page - 1) * q.page_size).limit(q.page_size)
    if dense:
        # Many matches: walking the sort column's index and stopping after one page beats
        # fetching every match through the filter's index and sorting them (SQLite would
        # pick the latter; PostgreSQL's planner weighs this itself).
        statement = statement.with_hint(Contact, f"INDEXED BY {ORDERED_INDEX[q.sort]}", "sqlite")
        serial_plans(session)  # PostgreSQL: a 25-row walk gains nothing from parallel workers
    rows = list(session.exec(statement))
    stages = {s.id: s.name for s in session.exec(select(Stage).where(Stage.agent_id == agent.id))}
    owner_ids = {r.primary_owner_id for r in rows if r.primary_owner_id}
    owners = {u.id: (f"{u.first_name} {u.last_name}".strip() or u.email)
              for u in session.exec(select(User).where(User.id.in_(owner_ids)))} if owner_ids else {}
    values: dict[str, dict[int, str]] = {}
    if rows:
        for v in session.exec(select(ContactValue).where(ContactValue.contact_id.in_([r.id for r in rows]))):
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
    ], total


def _capped_count(session: Session, agent_id: int, q: ListQuery) -> int:
    """Matches, counted up to COUNT_CAP + 1. With a custom-field filter the count starts from
    that value's index entries and joins their contacts, so it stops after the cap instead
    of first collecting every matching value."""
    if not q.custom:
        ids = select(Contact.id).where(build_filter(session, agent_id, q))
    else:
        key, value = next(iter(q.custom.items()))
        rest = replace(q, custom={k: v for k, v in q.custom.items() if k != key})
        field_id = _custom_field_id(session, agent_id, key)
        ids = (select(Contact.id).select_from(ContactValue).join(Contact, Contact.id == ContactValue.contact_id)
               .where(ContactValue.field_id == field_id, ContactValue.value_text == value,
                      build_filter(session, agent_id, rest)))
    return session.exec(select(func.count()).select_from(ids.limit(COUNT_CAP + 1).subquery())).one()


def _custom_field_id(session: Session, agent_id: int, key: str) -> int:
    f = session.exec(select(ContactField).where(ContactField.agent_id == agent_id, ContactField.key == key)).first()
    if f is None or f.is_default:
        raise ValidationError(f"Unknown field '{key}'.", field=key)
    return f.id


LATER_WORDS = name_after_first_word(Contact.name_sort)
_PHONE_LIKE = re.compile(r"^[\d\s()+.\-/]+$")


def _search(term: str, walk: bool = False):
    """Search by its shape, each branch an index range at a million contacts:
    - with an @: email prefix;
    - only digits and phone punctuation: the digits anywhere in the E.164 phone (a scan
      of the agent's contacts, since people type local parts; fine for typed lookups);
    - otherwise: name prefix, second-word prefix ("lopez" finds "Maria Lopez", through an
      expression index on LATER_WORDS), or email prefix.
    """
    if "@" in term:
        return _prefix(Contact.email, term, walk)
    digits = re.sub(r"\D", "", term)
    if _PHONE_LIKE.match(term) and len(digits) >= 3:
        return Contact.phone.like("%" + digits + "%")
    return or_(_prefix(Contact.name_sort, term, walk), _prefix(LATER_WORDS, " " + term, walk),
               _prefix(Contact.email, term, walk))


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


def count_contacts(session: Session, actor: Actor, agent_id: int) -> int:
    """All of the agent's non-archived contacts (the list's "You have N contacts")."""
    agent = require_agent(session, actor, agent_id)
    return session.exec(select(func.count()).select_from(Contact)
                        .where(Contact.agent_id == agent.id, Contact.archived == False)).one()  # noqa: E712
