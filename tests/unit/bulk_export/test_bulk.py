"""Bulk actions: owner, stage, status, archive, delete on a selection or all matching."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from sqlalchemy import func
from sqlmodel import select

from crm_app import db
from crm_app.models import (
    Activity,
    AuditLog,
    Contact,
    ContactFile,
    ContactValue,
    Conversation,
    Form,
    FormSubmission,
    FormVersion,
    Note,
    Stage,
)
from crm_app.services import bulk
from crm_app.services import files as file_service
from crm_app.services.contact_list import ListQuery
from crm_app.services.errors import NotFound, PermissionDenied, ValidationError


def _run(world, who="actor", tag="clinic", **kw):
    with db.session_scope() as s:
        return bulk.bulk_update(s, world[tag][who], world[tag]["agent_id"], **kw)


def _contacts(world, tag="clinic"):
    with db.session_scope() as s:
        return {
            c.name: c
            for c in s.exec(select(Contact).where(Contact.agent_id == world[tag]["agent_id"]))
        }


def _activities(kind):
    with db.session_scope() as s:
        return s.exec(
            select(Activity).where(Activity.kind == kind, Activity.actor_type == "member")
        ).all()


def _audit(action="Update"):
    with db.session_scope() as s:
        return [a.description for a in s.exec(select(AuditLog).where(AuditLog.action == action))]


def test_change_stage_of_a_selection_and_all_matching(filled):
    ids, stages = filled["ids"], filled["clinic"]["stages"]
    n = _run(
        filled,
        ids=[ids[("clinic", "Ann Lee")], ids[("clinic", "Zoe Park")]],
        action="change_stage",
        value=stages["Customer"],
    )
    assert n == 2
    people = _contacts(filled)
    assert people["Ann Lee"].stage_id == people["Zoe Park"].stage_id == stages["Customer"]
    assert people["Maria Lopez"].stage_id == stages["Lead"]
    entries = _activities("stage")
    assert {a.contact_id for a in entries} == {
        ids[("clinic", "Ann Lee")],
        ids[("clinic", "Zoe Park")],
    }
    assert entries[0].message == "changed stage to Customer by Dana Clinic (bulk action)"
    assert entries[0].actor_type == "member" and entries[0].data == {
        "bulk": True,
        "to": stages["Customer"],
    }
    assert _audit() == ["Changed stage to Customer of 2 contacts"]

    # All matching "stage = Lead" (3 left): the filter no longer matches once they move.
    n = _run(
        filled,
        query=ListQuery(stage_ids=[stages["Lead"]]),
        action="change_stage",
        value=stages["Prospect"],
    )
    assert n == 3
    assert {c.stage_id for c in _contacts(filled).values()} == {
        stages["Customer"],
        stages["Prospect"],
    }
    assert len(_activities("stage")) == 5
    # Contacts already in the stage are not counted or logged again.
    assert _run(filled, query=ListQuery(), action="change_stage", value=stages["Prospect"]) == 2


def test_owner_status_archive_unarchive(filled):
    ids = filled["ids"]
    maria, ann = ids[("clinic", "Maria Lopez")], ids[("clinic", "Ann Lee")]
    # A `User` may run non-destructive bulk actions in an agent they work in.
    assert (
        _run(
            filled,
            who="user",
            ids=[maria, ann],
            action="assign_owner",
            value=filled["clinic"]["user_id"],
        )
        == 2
    )
    people = _contacts(filled)
    assert people["Maria Lopez"].primary_owner_id == filled["clinic"]["user_id"]
    assert _activities("owner")[-1].message == "changed owner to Uma User by Uma User (bulk action)"

    assert _run(filled, query=ListQuery(search="mar"), action="change_status", value="Blocked") == 2
    assert {n for n, c in _contacts(filled).items() if c.status == "Blocked"} == {
        "Maria Lopez",
        "Mark Chen",
    }

    assert _run(filled, query=ListQuery(custom={"insurance": "Aetna"}), action="archive") == 2
    people = _contacts(filled)
    assert (
        people["Maria Lopez"].archived
        and people["Ann Lee"].archived
        and not people["Zoe Park"].archived
    )
    assert _run(filled, query=ListQuery(archived=True), action="unarchive") == 2
    assert not any(c.archived for c in _contacts(filled).values())
    assert "Archived 2 contacts" in _audit() and "Unarchived 2 contacts" in _audit()


def test_invalid_values_write_nothing(filled):
    ids = [filled["ids"][("clinic", "Ann Lee")]]
    before = _contacts(filled)
    with db.session_scope() as s:
        foreign_stage = (
            s.exec(select(Stage).where(Stage.agent_id == filled["shop"]["agent_id"])).first().id
        )
    bad = [
        dict(action="change_stage", value=foreign_stage),  # another agent's stage
        dict(action="change_stage", value="abc"),
        dict(action="assign_owner", value=filled["shop"]["owner_id"]),  # not a member of this org
        dict(action="assign_owner", value=999_999),
        dict(action="change_status", value="Deleted"),
        dict(action="explode", value=None),
    ]
    for kw in bad:
        with pytest.raises(ValidationError):
            _run(filled, ids=ids, **kw)
    with pytest.raises(ValidationError):  # neither or both of ids / query
        _run(filled, action="archive")
    with pytest.raises(ValidationError):
        _run(filled, ids=ids, query=ListQuery(), action="archive")
    after = _contacts(filled)
    assert {
        n: (c.stage_id, c.primary_owner_id, c.status, c.archived) for n, c in after.items()
    } == {n: (c.stage_id, c.primary_owner_id, c.status, c.archived) for n, c in before.items()}
    assert _activities("stage") == _activities("owner") == _activities("status") == []
    assert _audit() == []


def test_other_orgs_contacts_are_untouched(filled):
    shop_ids = [filled["ids"][("shop", "Shop Person")], filled["ids"][("shop", "Maria Lopez")]]
    clinic_maria = filled["ids"][("clinic", "Maria Lopez")]
    assert (
        _run(filled, ids=shop_ids + [clinic_maria], action="change_status", value="Inactive") == 1
    )
    assert all(c.status == "Active" for c in _contacts(filled, "shop").values())
    assert _run(filled, ids=shop_ids, action="delete") == 0
    assert len(_contacts(filled, "shop")) == 2
    with pytest.raises(NotFound):  # the shop's owner cannot act on the clinic's agent
        with db.session_scope() as s:
            bulk.bulk_update(
                s,
                filled["shop"]["actor"],
                filled["clinic"]["agent_id"],
                ids=[clinic_maria],
                action="archive",
            )
    assert not _contacts(filled)["Maria Lopez"].archived


def test_user_cannot_delete(filled):
    with pytest.raises(PermissionDenied):
        _run(filled, who="user", query=ListQuery(), action="delete")
    assert len(_contacts(filled)) == 5


def _stored_file(name: str) -> Path:
    """A contact file where the app stores it (key made from the name)."""
    path = file_service.storage_path(hashlib.md5(name.encode()).hexdigest())
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"%PDF-1.4 " + name.encode())
    return path


def test_delete_removes_dependents_and_files(filled):
    ids = filled["ids"]
    maria, mark = ids[("clinic", "Maria Lopez")], ids[("clinic", "Mark Chen")]
    agent_id = filled["clinic"]["agent_id"]
    stored = {name: _stored_file(name) for name in ("maria", "zoe")}
    with db.session_scope() as s:
        form = Form(agent_id=agent_id, name="Intake", slug="intake-bulk")
        s.add(form)
        s.flush()
        version = FormVersion(form_id=form.id, version=1)
        s.add(version)
        s.flush()
        s.add_all(
            [
                Note(contact_id=maria, author_id=filled["clinic"]["owner_id"], html="<p>hi</p>"),
                ContactFile(
                    contact_id=maria,
                    filename="a.pdf",
                    content_type="application/pdf",
                    size=14,
                    storage_key=stored["maria"].name,
                ),
                ContactFile(
                    contact_id=ids[("clinic", "Zoe Park")],
                    filename="z.pdf",
                    content_type="application/pdf",
                    size=12,
                    storage_key=stored["zoe"].name,
                ),
                FormSubmission(
                    form_id=form.id, form_version_id=version.id, contact_id=maria, answers={"a": 1}
                ),
                Conversation(agent_id=agent_id, contact_id=mark, title="Chat"),
            ]
        )
    n = _run(filled, who="admin", query=ListQuery(search="mar"), action="delete")
    assert n == 2
    assert set(_contacts(filled)) == {"Ann Lee", "Zoe Park", "=1+1 Evil"}
    with db.session_scope() as s:
        for model in (Note, ContactFile, Activity, ContactValue):
            gone = s.exec(
                select(func.count()).select_from(model).where(model.contact_id.in_([maria, mark]))
            ).one()
            assert gone == 0, model
        assert s.exec(select(FormSubmission)).one().contact_id is None  # kept, unlinked
        assert s.exec(select(Conversation)).one().contact_id is None
        assert s.exec(select(ContactFile)).one().storage_key == stored["zoe"].name
    assert not stored["maria"].exists() and stored["zoe"].exists()
    assert _audit("Delete") == ["Deleted 2 contacts of the agent Reception"]
    assert len(_contacts(filled, "shop")) == 2  # the shop's Maria Lopez is someone else


def test_failed_delete_keeps_files(filled, monkeypatch):
    maria = filled["ids"][("clinic", "Maria Lopez")]
    kept = _stored_file("keep")
    with db.session_scope() as s:
        s.add(
            ContactFile(
                contact_id=maria,
                filename="a.pdf",
                content_type="application/pdf",
                size=4,
                storage_key=kept.name,
            )
        )
    with pytest.raises(RuntimeError):
        with db.session_scope() as s:
            bulk.bulk_update(
                s,
                filled["clinic"]["actor"],
                filled["clinic"]["agent_id"],
                ids=[maria],
                action="delete",
            )
            raise RuntimeError("the caller's transaction fails afterwards")
    assert kept.exists() and "Maria Lopez" in _contacts(filled)
