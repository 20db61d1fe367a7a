"""Erase contact (GDPR): everything about the contact goes, files too; the audit entry has no
personal data; Admin+ only; other organizations cannot reach it."""

from __future__ import annotations

import io

import pytest
from sqlmodel import select

from crm_app import db
from crm_app.models import (
    AccessPass,
    Activity,
    AuditLog,
    Contact,
    ContactFile,
    ContactValue,
    Conversation,
    Form,
    FormSubmission,
    FormVersion,
    Message,
    Note,
)
from crm_app.services import erase, fields, files, notes
from crm_app.services.contacts import Origin, save_contact
from crm_app.services.errors import NotFound, PermissionDenied
from crm_app.settings import get_settings


def _fill(world) -> None:
    with db.session_scope() as s:
        fields.create_custom_field(s, world.owner, world.agent_id, label="Allergies", type="Text")
    with db.session_scope() as s:
        from crm_app.models import Agent

        agent = s.get(Agent, world.agent_id)
        save_contact(
            s,
            agent,
            {"email": "maria@example.com", "allergies": "Penicillin"},
            source="Manual",
            origin=Origin.member(world.owner),
            policy="overwrite",
        )
        notes.add_note(s, world.owner, world.agent_id, world.contact_id, "<p>Maria called</p>")
        files.add_file(
            s,
            world.owner,
            world.agent_id,
            world.contact_id,
            "scan.pdf",
            io.BytesIO(b"%PDF-1.4 maria"),
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
                contact_id=world.contact_id,
                answers={"email": "maria@example.com"},
            )
        )
        conv = Conversation(agent_id=world.agent_id, contact_id=world.contact_id, title="Booking")
        s.add(conv)
        s.flush()
        s.add(Message(conversation_id=conv.id, role="visitor", content="Hi, I'm Maria"))
        s.add(AccessPass(agent_id=world.agent_id, contact_id=world.contact_id))


def _count(s, model, **where) -> int:
    query = select(model)
    for key, value in where.items():
        query = query.where(getattr(model, key) == value)
    return len(s.exec(query).all())


def test_erase_removes_everything_including_files_on_disk(world):
    _fill(world)
    root = get_settings().files_dir
    assert [p for p in root.rglob("*") if p.is_file()]
    with db.session_scope() as s:
        for model in (
            ContactValue,
            Note,
            ContactFile,
            FormSubmission,
            Conversation,
            Activity,
            AccessPass,
        ):
            assert _count(s, model, contact_id=world.contact_id) >= 1, model
        # A second contact must survive untouched.
        from crm_app.models import Agent

        other = save_contact(
            s,
            s.get(Agent, world.agent_id),
            {"email": "john@example.com"},
            source="Manual",
            origin=Origin.member(world.owner),
        ).contact.id
    with db.session_scope() as s:
        other_activity = _count(s, Activity, contact_id=other)
        assert (
            erase.erase_contact(s, world.admin, world.agent_id, world.contact_id)
            == world.contact_id
        )
    with db.session_scope() as s:
        assert s.get(Contact, world.contact_id) is None
        for model in (
            ContactValue,
            Note,
            ContactFile,
            FormSubmission,
            Conversation,
            Activity,
            AccessPass,
        ):
            assert _count(s, model, contact_id=world.contact_id) == 0, model
        assert s.exec(select(Message)).all() == []
        assert (
            s.get(Contact, other) is not None
            and _count(s, Activity, contact_id=other) == other_activity >= 1
        )
        entry = s.exec(select(AuditLog).where(AuditLog.description.like("Erased%"))).one()
        everything = " ".join(f"{r.description} {r.user_label}" for r in s.exec(select(AuditLog)))
    assert [p for p in root.rglob("*") if p.is_file()] == []
    assert entry.description == "Erased a contact" and entry.action == "Delete"
    for personal in ("maria", "Maria", "Lopez", "415", "Penicillin"):
        assert personal not in entry.description
    assert "maria@example.com" not in everything


def test_failed_erase_keeps_the_files(world):
    _fill(world)
    root = get_settings().files_dir
    with pytest.raises(RuntimeError):
        with db.session_scope() as s:
            erase.erase_contact(s, world.owner, world.agent_id, world.contact_id)
            raise RuntimeError("crash before commit")
    assert [p for p in root.rglob("*") if p.is_file()]
    with db.session_scope() as s:
        assert s.get(Contact, world.contact_id) is not None


def test_user_role_cannot_erase(world):
    with db.session_scope() as s, pytest.raises(PermissionDenied):
        erase.erase_contact(s, world.user, world.agent_id, world.contact_id)
    with db.session_scope() as s:
        assert s.get(Contact, world.contact_id) is not None


def test_other_organization_gets_contact_not_found(world):
    for agent_id in (world.agent_id, world.outsider_agent_id):
        with db.session_scope() as s, pytest.raises(NotFound, match="Contact not found"):
            erase.erase_contact(s, world.outsider, agent_id, world.contact_id)
    with db.session_scope() as s:
        assert s.get(Contact, world.contact_id) is not None
