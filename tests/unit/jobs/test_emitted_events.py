"""The contact services emit their events: created, updated (only when something changed:
data fields, stage, owner, status, archived; single and bulk), deleted (erase and bulk
delete); each published once after the commit."""

from __future__ import annotations

import pytest

from crm_app import db
from crm_app.models import Contact
from crm_app.services import agents, bulk, contacts, erase, events, pipeline, stages, timeline
from crm_app.services.errors import Conflict


@pytest.fixture()
def published():
    seen: list[tuple[str, dict]] = []

    def record(session, event):
        seen.append((event.event_type, event.payload))

    events.add_publisher(record)
    yield seen
    events.remove_publisher(record)


@pytest.fixture()
def clinic(engine):
    with db.session_scope() as s:
        owner = agents.create_owner(s, "rosa@clinic.example", "Clinic", "Rosa", "Alvarez")
        return owner, agents.create_agent(s, owner, "Front Desk", "front-desk").id


def _add(owner, agent_id, email: str) -> str:
    with db.session_scope() as s:
        return contacts.add_contact_manually(s, owner, agent_id, {"name": "Ann", "email": email}).id


def test_contact_created_updated_and_erased(clinic, published):
    owner, agent_id = clinic
    cid = _add(owner, agent_id, "ann@example.com")
    assert published == [("contact.created", {"contact_id": cid, "source": "Manual"})]
    with db.session_scope() as s:
        contacts.edit_contact(
            s, owner, agent_id, cid, {"name": "Ann Lee", "email": "ann@example.com"}
        )
    assert published[1] == ("contact.updated", {"contact_id": cid, "changed": ["name"]})
    with db.session_scope() as s:  # nothing changed: no event
        contacts.edit_contact(
            s, owner, agent_id, cid, {"name": "Ann Lee", "email": "ann@example.com"}
        )
    assert len(published) == 2
    with db.session_scope() as s:
        erase.erase_contact(s, owner, agent_id, cid)
    assert published[2] == ("contact.deleted", {"contact_id": cid})


def test_a_refused_save_emits_nothing(clinic, published):
    owner, agent_id = clinic
    _add(owner, agent_id, "ann@example.com")
    with pytest.raises(Conflict), db.session_scope() as s:  # a match is refused when adding
        contacts.add_contact_manually(
            s, owner, agent_id, {"name": "Ann", "email": "ann@example.com"}
        )
    assert [kind for kind, _ in published] == ["contact.created"]


def test_bulk_delete_emits_one_event_per_contact(clinic, published):
    owner, agent_id = clinic
    ids = {_add(owner, agent_id, f"p{n}@example.com") for n in range(3)}
    published.clear()
    with db.session_scope() as s:
        assert bulk.bulk_update(s, owner, agent_id, ids=sorted(ids), action=bulk.DELETE) == 3
    assert sorted(published, key=str) == sorted(
        (("contact.deleted", {"contact_id": cid}) for cid in ids), key=str
    )


def test_header_changes_and_bulk_updates_emit_contact_updated(clinic, published):
    owner, agent_id = clinic
    first, second = _add(owner, agent_id, "a@example.com"), _add(owner, agent_id, "b@example.com")
    with db.session_scope() as s:
        stage_ids = [st["id"] for st in stages.list_stages(s, owner, agent_id)]
        s.get(Contact, first).primary_owner_id = None  # the automation gave it the only member
    published.clear()
    with db.session_scope() as s:
        timeline.change_status(s, owner, agent_id, first, "Blocked")
        timeline.change_status(s, owner, agent_id, first, "Blocked")  # no change: no event
        pipeline.move_to_stage(s, owner, agent_id, first, stage_ids[-1])
        timeline.change_owner(s, owner, agent_id, first, owner.user_id)
        timeline.set_archived(s, owner, agent_id, first, True)
    assert published == [
        ("contact.updated", {"contact_id": first, "changed": [changed]})
        for changed in ("status", "stage", "owner", "archived")
    ]
    published.clear()
    with db.session_scope() as s:  # only the contact whose status really changes
        count = bulk.bulk_update(
            s, owner, agent_id, ids=[first, second], action=bulk.CHANGE_STATUS, value="Blocked"
        )
    assert count == 1
    assert published == [("contact.updated", {"contact_id": second, "changed": ["status"]})]
