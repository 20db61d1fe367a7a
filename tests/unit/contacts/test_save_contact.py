"""The single contact-creation path: validation, matching, policies, races."""

from __future__ import annotations

import threading

import pytest
from sqlmodel import func, select

from crm_app import db
from crm_app.models import Activity, Agent, AuditLog, Contact, ContactValue, Stage
from crm_app.services import contacts
from crm_app.services.contacts import Origin
from crm_app.services.errors import Conflict, NotFound, ValidationError

FORM = Origin("form", "Form “Book a visit”")


def _agent(s, world, tag="clinic"):
    return s.get(Agent, world[tag]["agent_id"])


def test_manual_add_normalizes_and_assigns_owner_and_first_stage(world):
    with db.session_scope() as s:
        c = contacts.add_contact_manually(
            s,
            world["clinic"]["actor"],
            world["clinic"]["agent_id"],
            {
                "name": "  Maria   Lopez ",
                "email": " Maria.Lopez@Example.COM ",
                "phone": "(415) 555-2671",
                "gender": "female",
                "insurance": "aetna",
                "visits": "3",
            },
        )
        cid = c.id
    with db.session_scope() as s:
        c = s.get(Contact, cid)
        assert len(cid) == 24
        assert (c.name, c.email, c.phone, c.gender, c.source) == (
            "Maria Lopez",
            "maria.lopez@example.com",
            "+14155552671",
            "Female",
            "Manual",
        )
        assert c.primary_owner_id == world["clinic"]["owner_id"]
        assert s.get(Stage, c.stage_id).name == "Lead"
        values = {
            v.value_text for v in s.exec(select(ContactValue).where(ContactValue.contact_id == cid))
        }
        assert values == {"Aetna", "3"}
        kinds = [a.message for a in s.exec(select(Activity).where(Activity.contact_id == cid))]
        assert any(m.startswith("Created via Manual by Dana Clinic") for m in kinds)
        assert (
            s.exec(select(AuditLog).where(AuditLog.resource == "Contact")).first().user_label
            == "Dana Clinic"
        )


@pytest.mark.parametrize(
    "data, field",
    [
        ({"name": "No contact info"}, "email"),
        ({"email": "not-an-email"}, "email"),
        ({"phone": "12"}, "phone"),
        ({"email": "a@b.example", "insurance": "Blue Shield"}, "insurance"),
        ({"email": "a@b.example", "visits": "many"}, "visits"),
        ({"email": "a@b.example", "nope": "x"}, "nope"),
    ],
)
def test_bad_input_is_refused_with_the_field_and_nothing_written(world, data, field):
    with pytest.raises(ValidationError) as err:
        with db.session_scope() as s:
            contacts.add_contact_manually(
                s, world["clinic"]["actor"], world["clinic"]["agent_id"], data
            )
    assert err.value.field == field
    with db.session_scope() as s:
        assert s.exec(select(func.count()).select_from(Contact)).one() == 0
        assert s.exec(select(func.count()).select_from(Activity)).one() == 0


def test_manual_add_of_an_existing_person_is_a_conflict(world):
    actor, agent_id = world["clinic"]["actor"], world["clinic"]["agent_id"]
    with db.session_scope() as s:
        contacts.add_contact_manually(s, actor, agent_id, {"email": "ann@example.com"})
    with pytest.raises(Conflict, match="similar details"):
        with db.session_scope() as s:
            contacts.add_contact_manually(
                s, actor, agent_id, {"email": "ANN@example.com", "name": "Ann"}
            )
    with db.session_scope() as s:
        assert (
            contacts.find_similar(s, actor, agent_id, email="Ann@Example.com")["name"]
            == "ann@example.com"
        )
        assert contacts.find_similar(s, actor, agent_id, email="someone@else.com") is None


def test_automatic_paths_match_then_fill_but_never_overwrite_member_values(world):
    actor, agent_id = world["clinic"]["actor"], world["clinic"]["agent_id"]
    with db.session_scope() as s:
        cid = contacts.add_contact_manually(
            s, actor, agent_id, {"name": "Ann Lee", "phone": "415 555 2671"}
        ).id
    with db.session_scope() as s:
        r = contacts.save_contact(
            s,
            _agent(s, world),
            {
                "name": "Annie",
                "phone": "+1 415-555-2671",
                "email": "ann@example.com",
                "insurance": "Cigna",
            },
            source="Form",
            origin=FORM,
        )
        assert not r.created and r.contact.id == cid
        assert r.conflicts == ["name"]
    with db.session_scope() as s:
        c = s.get(Contact, cid)
        assert (c.name, c.email, c.source) == ("Ann Lee", "ann@example.com", "Manual")
        messages = [a.message for a in s.exec(select(Activity).where(Activity.contact_id == cid))]
        assert any("'Annie'" in m and "kept 'Ann Lee'" in m for m in messages)
        # matched by email now, on the form path again: still one contact
        contacts.save_contact(
            s,
            _agent(s, world),
            {"email": "Ann@Example.com"},
            source="Chat",
            origin=Origin("agent", "Reception"),
        )
        assert s.exec(select(func.count()).select_from(Contact)).one() == 1


def test_match_order_external_ref_then_email_then_phone(world):
    with db.session_scope() as s:
        agent = _agent(s, world)
        a = contacts.save_contact(
            s,
            agent,
            {"email": "a@example.com", "external_ref": "crm-1"},
            source="API",
            origin=Origin("api", "API key"),
        ).contact
        b = contacts.save_contact(
            s, agent, {"phone": "+14155552671"}, source="API", origin=Origin("api", "k")
        ).contact
        hit = contacts.save_contact(
            s,
            agent,
            {"external_ref": "crm-1", "phone": "+14155552671"},
            source="API",
            origin=Origin("api", "k"),
        )
        assert hit.contact.id == a.id
        hit = contacts.save_contact(
            s,
            agent,
            {"email": "zzz@example.com", "phone": "4155552671"},
            source="API",
            origin=Origin("api", "k"),
        )
        assert hit.contact.id == b.id


def test_contacts_never_cross_agents_or_organizations(world):
    with db.session_scope() as s:
        cid = contacts.add_contact_manually(
            s, world["clinic"]["actor"], world["clinic"]["agent_id"], {"email": "ann@example.com"}
        ).id
    with db.session_scope() as s:
        # same email in the other org's agent is a different contact
        other = contacts.save_contact(
            s, _agent(s, world, "shop"), {"email": "ann@example.com"}, source="Form", origin=FORM
        )
        assert other.created and other.contact.id != cid
    with pytest.raises(NotFound):
        with db.session_scope() as s:
            contacts.edit_contact(
                s, world["shop"]["actor"], world["clinic"]["agent_id"], cid, {"name": "Hacked"}
            )
    with pytest.raises(NotFound):
        with db.session_scope() as s:
            contacts.edit_contact(
                s, world["shop"]["actor"], world["shop"]["agent_id"], cid, {"name": "Hacked"}
            )
    with db.session_scope() as s:
        assert s.get(Contact, cid).name == ""


def test_member_edit_overwrites_and_is_protected_afterwards(world):
    actor, agent_id = world["clinic"]["actor"], world["clinic"]["agent_id"]
    with db.session_scope() as s:
        cid = contacts.save_contact(
            s,
            _agent(s, world),
            {"email": "ann@example.com", "name": "Ann"},
            source="Chat",
            origin=Origin("agent", "Reception"),
        ).contact.id
    with db.session_scope() as s:
        r = contacts.edit_contact(
            s, actor, agent_id, cid, {"name": "Ann Marie", "insurance": "Aetna"}
        )
        assert set(r.changed) >= {"name"}
    with db.session_scope() as s:
        r = contacts.save_contact(
            s,
            _agent(s, world),
            {"email": "ann@example.com", "insurance": "Cigna"},
            source="Form",
            origin=FORM,
            policy="overwrite",
        )
        assert (
            r.conflicts
        )  # member-typed insurance is kept even under overwrite from an automatic path
    with db.session_scope() as s:
        assert s.get(Contact, cid).name == "Ann Marie"


def test_concurrent_creations_of_one_person_make_exactly_one_contact(world):
    errors: list[Exception] = []
    barrier = threading.Barrier(12)

    def worker(i):
        try:
            barrier.wait()
            with db.session_scope() as s:
                agent = s.get(Agent, world["clinic"]["agent_id"])
                contacts.save_contact(
                    s,
                    agent,
                    {"email": "Same.Person@example.com", "name": f"Visitor {i}"},
                    source="Form",
                    origin=FORM,
                )
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with db.session_scope() as s:
        rows = s.exec(select(Contact)).all()
        assert len(rows) == 1 and rows[0].email == "same.person@example.com"
