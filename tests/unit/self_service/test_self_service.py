"""A signed-in visitor of a gated agent downloads what the CRM holds about them and asks for
erasure; the team lists, erases (one click, audited) or dismisses. Not signed in, signed
in elsewhere, another organization or a User: refused."""

from __future__ import annotations

import io
import json
import threading
from datetime import timedelta

import pytest
from sqlmodel import select

from crm_app import db
from crm_app.models import (
    AccessPass,
    Activity,
    Agent,
    AuditLog,
    Contact,
    Conversation,
    ErasureRequest,
    Form,
    FormSubmission,
    FormVersion,
    GuestSession,
    Message,
    SentEmail,
    utcnow,
)
from crm_app.services import bulk, erase, erasure_requests, fields, files, notes
from crm_app.services.contacts import Origin, save_contact
from crm_app.services.errors import Conflict, NotFound, PermissionDenied
from crm_app.services.gate import self_service
from tests.unit.self_service.conftest import MARIA, NOBODY, PEDRO, sign_in


def _agent(s, agent_id) -> Agent:
    return s.get(Agent, agent_id)


def _fill_maria(world) -> None:
    with db.session_scope() as s:
        fields.create_custom_field(s, world.owner, world.agent_id, label="Allergies", type="Text")
        fields.create_custom_field(
            s, world.owner, world.agent_id, label="Topics", type="Multi-select", options=["A", "B"]
        )
    with db.session_scope() as s:
        save_contact(
            s,
            _agent(s, world.agent_id),
            {"email": "maria@example.com", "allergies": "Penicillin", "topics": ["B", "A"]},
            source="Manual",
            origin=Origin.member(world.owner),
            policy="overwrite",
        )
        notes.add_note(s, world.owner, world.agent_id, world.maria_id, "<p>Secret opinion</p>")
        files.add_file(
            s, world.owner, world.agent_id, world.maria_id, "scan.pdf", io.BytesIO(b"%PDF-1.4 x")
        )
        form = Form(agent_id=world.agent_id, name="Intake", slug="intake")
        s.add(form)
        s.flush()
        version = FormVersion(form_id=form.id, version=1, schema_={})
        s.add(version)
        s.flush()
        s.add(
            FormSubmission(
                form_id=form.id,
                form_version_id=version.id,
                contact_id=world.maria_id,
                answers={"q1": {"label": "Reason", "value": "Cleaning"}},
            )
        )
        chat = Conversation(agent_id=world.agent_id, contact_id=world.maria_id, title="Booking")
        test = Conversation(agent_id=world.agent_id, contact_id=world.maria_id, test=True)
        s.add_all([chat, test])
        s.flush()
        s.add(Message(conversation_id=chat.id, role="visitor", content="Hi, I'm Maria"))
        s.add(Message(conversation_id=chat.id, role="agent", content="Hello Maria"))
        s.add(Message(conversation_id=test.id, role="member", content="a team test"))
        s.add(
            AccessPass(
                agent_id=world.agent_id,
                contact_id=world.maria_id,
                email="maria@example.com",
                amount=1500,
                credits_total=10,
                credits_left=4,
                expires_at=utcnow() + timedelta(days=3),
            )
        )


def test_the_download_holds_what_the_crm_keeps_about_the_visitor(world):
    _fill_maria(world)
    with db.session_scope(read_only=True) as s:
        data = self_service.my_data(s, _agent(s, world.agent_id), MARIA)
    json.dumps(data)  # JSON-serialisable as it is
    contact = data["contact"]
    assert (contact["name"], contact["email"], contact["phone"]) == (
        "Maria Lopez",
        "maria@example.com",
        "+14155550101",
    )
    assert contact["source"] == "via Manual" and contact["status"] == "Active"
    assert contact["stage"]  # the default stage's name
    by_label = {f["label"]: f["value"] for f in contact["fields"]}
    assert by_label["Allergies"] == "Penicillin" and by_label["Topics"] == ["B", "A"]
    assert data["form_submissions"][0]["form"] == "Intake"
    assert data["form_submissions"][0]["answers"] == [{"question": "Reason", "answer": "Cleaning"}]
    assert [c["title"] for c in data["conversations"]] == ["Booking"]  # no Playground test
    assert [(m["from"], m["text"]) for m in data["conversations"][0]["messages"]] == [
        ("you", "Hi, I'm Maria"),
        ("agent", "Hello Maria"),
    ]
    assert [f["name"] for f in data["files"]] == ["scan.pdf"]
    assert data["internal_notes"] == {"count": 1, "included": False}
    assert "Secret opinion" not in json.dumps(data)
    assert data["access_passes"][0]["credits_left"] == 4
    assert data["sign_ins"][0]["email"] == "maria@example.com"
    assert data["agent"] == {"name": "Reception", "slug": "reception"}


def test_only_a_signed_in_visitor_of_that_agent_gets_anything(world):
    with db.session_scope() as s:
        reception, billing = _agent(s, world.agent_id), _agent(s, world.billing_id)
        shop = _agent(s, world.shop_agent_id)
        for agent, visitor in (
            (reception, NOBODY),  # never signed in
            (reception, ""),
            (reception, PEDRO),  # signed in to billing, not reception
            (billing, MARIA),  # Maria's session is reception's
            (shop, MARIA),  # another organization's agent
        ):
            with pytest.raises(PermissionDenied, match="Sign in"):
                self_service.my_data(s, agent, visitor)
            with pytest.raises(PermissionDenied):
                self_service.request_erasure(s, agent, visitor)
        # Pedro reads his own billing contact, never Maria's.
        data = self_service.my_data(s, billing, PEDRO)
        assert data["contact"]["id"] == world.pedro_id and "Maria" not in json.dumps(data)
        assert s.exec(select(ErasureRequest)).all() == []


def test_an_ended_or_expired_session_is_refused(world):
    with db.session_scope() as s:
        guest = s.exec(select(GuestSession).where(GuestSession.visitor_id == MARIA)).one()
        guest.ended_at = utcnow()
        s.add(guest)
        expired = sign_in(
            s,
            world.agent_id,
            world.maria_id,
            NOBODY,
            "maria@example.com",
            expires_at=utcnow() - timedelta(minutes=1),
        )
        assert expired.id
    with db.session_scope() as s:
        for visitor in (MARIA, NOBODY):
            with pytest.raises(PermissionDenied):
                self_service.my_data(s, _agent(s, world.agent_id), visitor)


def test_asking_twice_files_one_request_audited_and_mailed_to_the_admins(world):
    with db.session_scope() as s:
        first = self_service.request_erasure(s, _agent(s, world.agent_id), MARIA, ip="10.0.0.9")
    with db.session_scope() as s:
        again = self_service.request_erasure(s, _agent(s, world.agent_id), MARIA)
    assert first["created"] is True and again["created"] is False and again["id"] == first["id"]
    with db.session_scope(read_only=True) as s:
        rows = s.exec(select(ErasureRequest)).all()
        assert [(r.contact_id, r.status, r.email) for r in rows] == [
            (world.maria_id, "open", "maria@example.com")
        ]
        entries = s.exec(select(AuditLog).where(AuditLog.resource == "Erasure request")).all()
        assert len(entries) == 1
        assert entries[0].user_label == self_service.VISITOR and entries[0].ip == "10.0.0.9"
        assert "Maria" not in entries[0].description and "maria@" not in entries[0].description
        mails = s.exec(select(SentEmail)).all()
        assert sorted(m.to for m in mails) == ["alex@clinic.example", "dana@clinic.example"]
        assert all("maria" not in (m.subject + m.body).lower() for m in mails)
        assert all(f"/agents/{world.agent_id}/crm/data-requests" in m.body for m in mails)
        timeline = s.exec(select(Activity).where(Activity.kind == "erasure")).all()
        assert [a.contact_id for a in timeline] == [world.maria_id]
        assert self_service.my_data(s, _agent(s, world.agent_id), MARIA)["erasure_requests"] == [
            {"status": "open", "requested_at": rows[0].requested_at.isoformat()}
        ]


def test_the_team_erases_with_one_click_and_the_visitor_is_gone(world):
    _fill_maria(world)
    with db.session_scope() as s:
        request_id = self_service.request_erasure(s, _agent(s, world.agent_id), MARIA)["id"]
    with db.session_scope(read_only=True) as s:
        listed = erasure_requests.list_requests(s, world.admin, world.agent_id, "open")
        assert [(r["id"], r["name"], r["email"]) for r in listed] == [
            (str(request_id), "Maria Lopez", "maria@example.com")
        ]
        assert erasure_requests.count_open(s, world.owner, world.agent_id) == 1
        assert erasure_requests.count_open(s, world.user, world.agent_id) == 0
    with db.session_scope() as s:
        assert erasure_requests.erase(s, world.admin, world.agent_id, request_id) == world.maria_id
    with db.session_scope(read_only=True) as s:
        assert s.get(Contact, world.maria_id) is None
        assert s.exec(select(GuestSession).where(GuestSession.visitor_id == MARIA)).all() == []
        row = s.get(ErasureRequest, request_id)
        assert (row.status, row.email, row.handled_by) == ("erased", "", world.admin.user_id)
        handled = erasure_requests.list_requests(s, world.owner, world.agent_id, "handled")
        assert handled[0]["name"] == "Erased contact" and handled[0]["handled_by"] == "Alex Admin"
        descriptions = [a.description for a in s.exec(select(AuditLog))]
        assert "Erased a contact" in descriptions
        assert any(f"request #{request_id}" in d for d in descriptions)
        with pytest.raises(PermissionDenied):  # signed out by the erasure
            self_service.my_data(s, _agent(s, world.agent_id), MARIA)
    with db.session_scope() as s, pytest.raises(Conflict):
        erasure_requests.erase(s, world.owner, world.agent_id, request_id)


def test_dismiss_keeps_the_contact_and_a_new_request_can_follow(world):
    with db.session_scope() as s:
        request_id = self_service.request_erasure(s, _agent(s, world.agent_id), MARIA)["id"]
    with db.session_scope() as s:
        erasure_requests.dismiss(s, world.owner, world.agent_id, request_id)
    with db.session_scope() as s:
        assert s.get(Contact, world.maria_id) is not None
        assert s.get(ErasureRequest, request_id).status == "dismissed"
        again = self_service.request_erasure(s, _agent(s, world.agent_id), MARIA)
        assert again["created"] is True and again["id"] != request_id
        assert any(
            "Dismissed the erasure request" in a.description for a in s.exec(select(AuditLog))
        )


def test_the_team_side_is_for_owners_and_admins_of_that_organization(world):
    with db.session_scope() as s:
        request_id = self_service.request_erasure(s, _agent(s, world.agent_id), MARIA)["id"]
    with db.session_scope() as s:
        with pytest.raises(PermissionDenied):
            erasure_requests.list_requests(s, world.user, world.agent_id)
        with pytest.raises(PermissionDenied):
            erasure_requests.erase(s, world.user, world.agent_id, request_id)
        for call in (erasure_requests.erase, erasure_requests.dismiss):
            with pytest.raises(NotFound):  # another organization: no such agent
                call(s, world.outsider, world.agent_id, request_id)
            with pytest.raises(NotFound):  # the request is reception's, not billing's
                call(s, world.owner, world.billing_id, request_id)
            with pytest.raises(NotFound):
                call(s, world.owner, world.agent_id, "nonsense")
        with pytest.raises(NotFound):
            erasure_requests.list_requests(s, world.outsider, world.agent_id)
        assert erasure_requests.list_requests(s, world.owner, world.billing_id) == []
    with db.session_scope(read_only=True) as s:
        assert s.get(ErasureRequest, request_id).status == "open"
        assert s.get(Contact, world.maria_id) is not None


def test_two_requests_at_once_make_one(world):
    """Two tabs asking in the same instant: the contact row is locked first (PostgreSQL),
    SQLite's writers queue; either way one open request and one set of emails."""
    barrier = threading.Barrier(2)
    results, errors = [], []

    def ask():
        try:
            barrier.wait(timeout=10)
            with db.session_scope() as s:
                results.append(self_service.request_erasure(s, _agent(s, world.agent_id), MARIA))
        except Exception as error:  # reported below
            errors.append(error)

    threads = [threading.Thread(target=ask) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert not errors
    assert sorted(r["created"] for r in results) == [False, True]
    with db.session_scope(read_only=True) as s:
        assert len(s.exec(select(ErasureRequest)).all()) == 1
        assert len(s.exec(select(SentEmail)).all()) == 2  # the Owner and the Admin, once


def test_erasing_from_the_contact_page_closes_the_request_too(world):
    with db.session_scope() as s:
        request_id = self_service.request_erasure(s, _agent(s, world.agent_id), MARIA)["id"]
    with db.session_scope() as s:
        erase.erase_contact(s, world.admin, world.agent_id, world.maria_id)
    with db.session_scope(read_only=True) as s:
        row = s.get(ErasureRequest, request_id)
        assert (row.status, row.email, row.handled_by) == ("erased", "", world.admin.user_id)
        assert erasure_requests.count_open(s, world.owner, world.agent_id) == 0


def test_a_request_whose_contact_was_deleted_meanwhile_is_closed_by_erase(world):
    with db.session_scope() as s:
        request_id = self_service.request_erasure(s, _agent(s, world.agent_id), MARIA)["id"]
    with db.session_scope() as s:
        bulk.bulk_update(s, world.owner, world.agent_id, ids=[world.maria_id], action=bulk.DELETE)
    with db.session_scope(read_only=True) as s:
        listed = erasure_requests.list_requests(s, world.owner, world.agent_id)
        assert [(r["name"], r["status"]) for r in listed] == [("Erased contact", "open")]
    with db.session_scope() as s:
        erasure_requests.erase(s, world.owner, world.agent_id, request_id)
    with db.session_scope(read_only=True) as s:
        row = s.get(ErasureRequest, request_id)
        assert (row.status, row.email) == ("erased", "")


def test_a_paying_browsers_session_does_not_open_the_data(world):
    """Stripe Checkout does not verify the email typed there: a session made by a payment
    chats, but reading or erasing the contact's data needs the emailed code."""
    with db.session_scope() as s:
        sign_in(s, world.agent_id, world.maria_id, NOBODY, "maria@example.com", via="payment")
    with db.session_scope() as s:
        agent = _agent(s, world.agent_id)
        with pytest.raises(PermissionDenied):
            self_service.my_data(s, agent, NOBODY)
        with pytest.raises(PermissionDenied):
            self_service.request_erasure(s, agent, NOBODY)
