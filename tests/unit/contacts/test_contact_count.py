"""The agent's exact total (issue #10): kept by triggers in the writing transaction, read
without counting the contacts, equal to a real count after every kind of write."""

from __future__ import annotations

from sqlalchemy import delete, event, func, insert, null, update
from sqlmodel import select

from crm_app import db
from crm_app.models import Agent, Contact, ContactCount, utcnow
from crm_app.services import contact_count, contacts
from crm_app.services.contact_count import count_contacts

ROW = {"member_set": [], "created_at": utcnow(), "updated_at": utcnow()}


def _counts(world, tag="clinic"):
    """(count_contacts, a real count) for one agent."""
    w = world[tag]
    with db.session_scope(read_only=True) as s:
        kept = count_contacts(s, w["actor"], w["agent_id"])
        real = s.exec(
            select(func.count())
            .select_from(Contact)
            .where(Contact.agent_id == w["agent_id"], Contact.archived.is_(False))
        ).one()
    return kept, real


def test_total_follows_every_kind_of_write(world, engine):
    clinic, shop = world["clinic"]["agent_id"], world["shop"]["agent_id"]
    with db.session_scope() as s:
        agent = s.get(Agent, clinic)
        for i in range(5):
            contacts.save_contact(
                s,
                agent,
                {"email": f"p{i}@example.com", "name": f"P {i}"},
                source="Form",
                origin=contacts.Origin("form", "f"),
            )
        contacts.save_contact(
            s,
            agent,
            {"email": "p0@example.com", "name": "P 0 again"},
            source="Form",
            origin=contacts.Origin("form", "f"),
        )  # the same person: no new contact
    assert _counts(world) == (5, 5)
    with db.session_scope() as s:  # bulk SQL: archive two, a Core insert of three (one archived)
        ids = list(
            s.exec(
                select(Contact.id).where(Contact.agent_id == clinic).order_by(Contact.id).limit(2)
            )
        )
        s.exec(update(Contact).where(Contact.id.in_(ids)).values(archived=True))
        s.execute(
            insert(Contact),
            [
                {
                    "id": f"core{i}",
                    "agent_id": clinic,
                    "name": "C",
                    "name_sort": "c",
                    "source": "API",
                    "archived": i == 2,
                    **ROW,
                }
                for i in range(3)
            ],
        )
    assert _counts(world) == (5, 5)
    with db.session_scope() as s:  # an unfinished import's contacts (archived NULL) count once done
        for i in range(4):
            s.execute(
                insert(Contact).values(
                    id=f"imp{i}",
                    agent_id=clinic,
                    name="I",
                    name_sort="i",
                    source="Import",
                    archived=null(),
                    **ROW,
                )
            )
    assert _counts(world) == (5, 5)
    with db.session_scope() as s:
        s.exec(update(Contact).where(Contact.id.like("imp%")).values(archived=False))
        s.exec(
            update(Contact).where(Contact.id == "core0").values(name="Renamed")
        )  # not a count change
        s.exec(
            update(Contact).where(Contact.id.in_(["core0", "core1"])).values(archived=False)
        )  # already so
    assert _counts(world) == (9, 9)
    with db.session_scope() as s:  # unarchive one, delete an archived and two live ones, move one
        s.exec(update(Contact).where(Contact.id == ids[0]).values(archived=False))
        s.exec(delete(Contact).where(Contact.id.in_(["core2", "core0", "imp0"])))
        s.exec(update(Contact).where(Contact.id == "imp1").values(agent_id=shop))
    assert _counts(world) == (7, 7)
    assert _counts(world, "shop") == (1, 1)
    try:
        with db.session_scope() as s:  # a rolled-back write leaves no trace
            s.exec(update(Contact).where(Contact.agent_id == clinic).values(archived=True))
            raise RuntimeError
    except RuntimeError:
        pass
    assert _counts(world) == (7, 7)


def test_total_reads_no_contacts_and_folds_its_rows(world, engine, monkeypatch):
    clinic = world["clinic"]["agent_id"]
    for i in range(6):  # one statement each: on PostgreSQL six delta rows
        with db.session_scope() as s:
            s.execute(
                insert(Contact).values(
                    id=f"c{i}", agent_id=clinic, name="C", name_sort="c", source="API", **ROW
                )
            )
    monkeypatch.setattr(contact_count, "FOLD_COUNT_ROWS", 3)
    statements = []

    def seen(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", seen)
    try:
        with db.session_scope() as s:
            assert count_contacts(s, world["clinic"]["actor"], clinic) == 6
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    assert not [st for st in statements if "FROM contact " in st or "FROM contact\n" in st]
    with db.session_scope() as s:
        rows = s.exec(
            select(func.count()).select_from(ContactCount).where(ContactCount.agent_id == clinic)
        ).one()
    assert rows == 1
    assert _counts(world) == (6, 6)
