"""Contacts list pages (issue #10): every access path — planner-chosen indexes, the bounded
walk of the sort index for dense searches and custom filters, its fallback, keyset pages
both ways, OFFSET pages — returns exactly what a simple reference query returns, with ties
on the sort key and on created, and NULLs (each database's own NULL order)."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest
from sqlalchemy import event
from sqlmodel import select

from crm_app import db
from crm_app.models import Contact, ContactField, ContactValue, Stage, utcnow
from crm_app.services import contact_list
from crm_app.services.contact_list import (
    SORTABLE,
    ListQuery,
    build_filter,
    count_matching,
    list_page,
)
from crm_app.services.errors import ValidationError

COUNT = 70
STATUSES = ["Active", "Active", "Inactive", "Blocked"]
SOURCES = ["Chat", "Form", "Manual", "Import", "API"]
NAMES = ["Ann Lee", "Ann Lee", "Mark Chen", "Maria Lopez", "Zoe Park", "Omar Diaz"]


@pytest.fixture()
def many(world):
    """COUNT contacts of the clinic: created in groups of 3 sharing one timestamp, NULL
    emails/phones/genders/stages/owners, repeated names, a few archived ones, insurance on
    some; plus a shop contact that must never appear."""
    rng = random.Random(5)
    clinic = world["clinic"]
    now = utcnow().replace(microsecond=0)
    with db.session_scope() as s:
        stages = list(s.exec(select(Stage.id).where(Stage.agent_id == clinic["agent_id"])))
        insurance = s.exec(
            select(ContactField).where(
                ContactField.agent_id == clinic["agent_id"], ContactField.key == "insurance"
            )
        ).one()
        for i in range(COUNT):
            name = rng.choice(NAMES)
            created = now - timedelta(hours=i // 3)
            c = Contact(
                agent_id=clinic["agent_id"],
                name=name,
                name_sort=name.lower(),
                email=None if i % 5 == 0 else f"p{i:02d}@example.com",
                phone=None if i % 4 == 0 else f"+1415555{i:04d}",
                gender=rng.choice(["Female", "Male", None]),
                source=rng.choice(SOURCES),
                stage_id=rng.choice(stages + [None]),
                status=rng.choice(STATUSES),
                primary_owner_id=rng.choice([clinic["owner_id"], None]),
                archived=i % 17 == 0,
                created_at=created,
                updated_at=created + timedelta(minutes=rng.randint(0, 2)),
            )
            s.add(c)
            s.flush()
            if i % 3:
                s.add(
                    ContactValue(
                        contact_id=c.id,
                        field_id=insurance.id,
                        value_text=rng.choice(["Aetna", "Cigna"]),
                    )
                )
        shop = world["shop"]
        s.add(
            Contact(
                agent_id=shop["agent_id"],
                name="Ann Shop",
                name_sort="ann shop",
                email="ann@shop.example",
                phone="+14155550001",
                source="Chat",
                created_at=now,
            )
        )
    return world


def _reference(s, agent_id, q):
    """What the list must show: every match ordered by (sort column, created, id)."""
    column = SORTABLE[q.sort]
    cols = [column, Contact.created_at, Contact.id]
    order = [c.desc() if q.descending else c.asc() for c in cols]
    return list(s.exec(select(Contact.id).where(build_filter(s, agent_id, q)).order_by(*order)))


def _walk_forward(s, actor, agent_id, q):
    ids, page, after = [], None, ""
    while page is None or page.has_next:
        page = list_page(s, actor, agent_id, q, after=after)
        assert page.rows or not ids
        ids += [r["id"] for r in page.rows]
        after = page.last
    return ids, page


def _check(world, **kw):
    clinic = world["clinic"]
    actor, agent_id = clinic["actor"], clinic["agent_id"]
    q = ListQuery(page_size=25, **kw)
    with db.session_scope(read_only=True) as s:
        expected = _reference(s, agent_id, q)
        ids, last = _walk_forward(s, actor, agent_id, q)
        assert ids == expected, kw
        # Back from the last page to the first by `before`.
        back, page = [r["id"] for r in last.rows], last
        while page.has_previous:
            page = list_page(s, actor, agent_id, q, before=page.first)
            back = [r["id"] for r in page.rows] + back
        assert back == expected, kw
        # OFFSET pages agree with keyset pages.
        by_number = []
        for number in range(1, len(expected) // 25 + 2):
            by_number += [
                r["id"]
                for r in list_page(
                    s, actor, agent_id, ListQuery(page=number, page_size=25, **kw)
                ).rows
            ]
        assert by_number == expected, kw
        assert count_matching(s, actor, agent_id, q) == len(expected)
    return expected


@pytest.mark.parametrize("sort", sorted(SORTABLE))
@pytest.mark.parametrize("descending", [True, False])
def test_every_sort_pages_like_the_reference(many, sort, descending):
    assert len(_check(many, sort=sort, descending=descending)) > 50


@pytest.mark.parametrize(
    "kw",
    [
        {"statuses": ["Blocked"]},
        {"sources": ["API", "Chat"]},
        {"owner_ids": [0]},
        {"stage_ids": [0]},
        {"custom": {"insurance": "Aetna"}},
        {"search": "ann"},
        {"search": "p1"},
        {"search": "415"},
        {"search": "0012"},
        {"archived": True},
        {"custom": {"insurance": "Cigna"}, "sort": "name", "descending": False},
        {"search": "an", "sort": "name"},
    ],
)
def test_filters_page_like_the_reference(many, kw):
    kw = dict(kw)
    if kw.get("owner_ids") == [0]:
        kw["owner_ids"] = [many["clinic"]["owner_id"]]
    if kw.get("stage_ids") == [0]:
        with db.session_scope() as s:
            kw["stage_ids"] = [
                s.exec(select(Stage.id).where(Stage.agent_id == many["clinic"]["agent_id"])).first()
            ]
    _check(many, **kw)


@pytest.mark.parametrize("walk_rows", [3, 10, 1000])
def test_dense_walk_and_its_fallback_return_the_reference(many, monkeypatch, walk_rows):
    """A dense search or custom filter walks the sort index for at most WALK_ROWS contacts,
    then falls back to the filter's index: small limits force every branch (with the default
    FEW_MATCHES every search of these tests sorts its few matches: the other tests)."""
    monkeypatch.setattr(contact_list, "DENSE_VALUES", 2)
    monkeypatch.setattr(contact_list, "FEW_MATCHES", 2)
    monkeypatch.setattr(contact_list, "WALK_ROWS", walk_rows)
    for kw in (
        {"custom": {"insurance": "Aetna"}},
        {"custom": {"insurance": "Cigna"}, "descending": False},
        {"search": "ann"},
        {"search": "ma", "sort": "name", "descending": False},
        {"search": "415", "sort": "name", "descending": True},
    ):
        _check(many, **kw)


@pytest.mark.parametrize("sort", ["created", "name"])
def test_a_walk_tests_contacts_from_its_index_alone(many, engine, monkeypatch, sort):
    """The walk of a dense search or custom filter selects ids through an index holding every
    column it tests (SQLite's plan says COVERING INDEX); full rows are read for the page only."""
    monkeypatch.setattr(contact_list, "DENSE_VALUES", 1)
    monkeypatch.setattr(contact_list, "FEW_MATCHES", 1)
    walks = []

    def seen(conn, cursor, statement, params, *args):
        if "INDEXED BY" in statement or "|| " in statement or "_id = contact.id" in statement:
            walks.append((statement, params))

    event.listen(engine, "before_cursor_execute", seen)
    try:
        for kw in ({"search": "ann"}, {"custom": {"insurance": "Aetna"}}):
            _check(many, sort=sort, **kw)
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    assert walks
    for statement, params in walks:
        assert " ".join(statement.split()).startswith("SELECT contact.id FROM contact "), statement
        if engine.dialect.name == "sqlite":
            with engine.connect() as conn:
                plan = " ".join(
                    row[-1]
                    for row in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, params)
                )
            assert f"COVERING INDEX {contact_list.WALK_INDEX[sort]}" in plan, plan


def test_count_is_capped(many, monkeypatch):
    monkeypatch.setattr(contact_list, "COUNT_CAP", 5)
    with db.session_scope(read_only=True) as s:
        assert (
            count_matching(s, many["clinic"]["actor"], many["clinic"]["agent_id"], ListQuery()) == 6
        )
        # A search: settled by one of its alternatives (the name prefix) past the cap.
        for term, expected in (("ann", 6), ("zoe", 6), ("p0", 6)):
            q = ListQuery(search=term)
            assert count_matching(s, many["clinic"]["actor"], many["clinic"]["agent_id"], q) == min(
                expected, len(_reference(s, many["clinic"]["agent_id"], q))
            ), term


def test_a_foreign_or_broken_cursor_is_refused(many):
    clinic = many["clinic"]
    with db.session_scope(read_only=True) as s:
        page = list_page(s, clinic["actor"], clinic["agent_id"], ListQuery(sort="name"))
        for cursor in ("nonsense", '["a", "b"]', page.last):
            with pytest.raises(ValidationError):
                list_page(
                    s, clinic["actor"], clinic["agent_id"], ListQuery(sort="created"), after=cursor
                )


PHONES = {"Pat Area": "+13125550123", "Quinn Other": "+14155551234", "Remy Uk": "+447700900123"}


@pytest.fixture()
def phones(world):
    with db.session_scope() as s:
        for name, phone in PHONES.items():
            s.add(
                Contact(
                    agent_id=world["clinic"]["agent_id"],
                    name=name,
                    name_sort=name.lower(),
                    phone=phone,
                    source="Chat",
                )
            )
    return world


@pytest.mark.parametrize(
    "term,names",
    [
        ("(312) 555-0123", ["Pat Area"]),  # full national number, agent region US
        ("312-555-0123", ["Pat Area"]),
        ("+1 312 555 0123", ["Pat Area"]),  # international
        ("13125550123", ["Pat Area"]),  # international digits without "+"
        ("312", ["Pat Area"]),  # area code prefix
        ("(312) 55", ["Pat Area"]),  # national prefix while typing
        ("555-0123", ["Pat Area"]),  # local number = last digits
        ("0123", ["Pat Area", "Remy Uk"]),  # last digits
        ("+44 7700 900123", ["Remy Uk"]),
        ("900123", ["Remy Uk"]),
        ("555-1234", ["Quinn Other"]),
        ("5550", []),  # a middle segment alone finds nothing
    ],
)
def test_phone_search_by_number_start_or_end(phones, term, names):
    clinic = phones["clinic"]
    with db.session_scope(read_only=True) as s:
        rows = list_page(
            s,
            clinic["actor"],
            clinic["agent_id"],
            ListQuery(search=term, sort="name", descending=False),
        ).rows
    assert [r["name"] for r in rows] == sorted(names), term
