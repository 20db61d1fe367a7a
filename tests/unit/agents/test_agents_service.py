"""Agents service: what an Owner/Admin/User sees when creating, editing, listing and deleting."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func
from sqlmodel import SQLModel, select

from crm_app.db import session_scope
from crm_app.models import (
    AccessPass,
    Activity,
    Agent,
    ApiKey,
    AssignmentRule,
    AuditLog,
    Contact,
    ContactField,
    ContactFile,
    ContactValue,
    Conversation,
    Form,
    FormSubmission,
    FormVersion,
    ImportJob,
    Invitation,
    Membership,
    Message,
    Note,
    PaymentEvent,
    RevisedAnswer,
    Stage,
    StageRule,
    Webhook,
    WebhookDelivery,
    utcnow,
)
from crm_app.services import agents, files
from crm_app.services.errors import Conflict, NotFound, PermissionDenied, ValidationError
from crm_app.services.imports import common as imports_common


def _create(actor, **kwargs):
    with session_scope() as session:
        agent = agents.create_agent(session, actor, **kwargs)
        return agent.id, agent.slug


# ---------------------------------------------------------------- create


def test_create_agent_installs_default_fields_and_stages_and_audits(world):
    agent_id, slug = _create(
        world.admin, name="  Front   Desk Bot ", region="gb", welcome_message="Hello there"
    )
    with session_scope() as session:
        agent = session.get(Agent, agent_id)
        assert (agent.name, agent.slug, agent.phone_region, agent.welcome_message) == (
            "Front Desk Bot",
            "front-desk-bot",
            "GB",
            "Hello there",
        )
        assert agent.org_id == world.admin.org_id
        labels = [
            f.label
            for f in session.exec(
                select(ContactField)
                .where(ContactField.agent_id == agent_id)
                .order_by(ContactField.position)
            )
        ]
        assert labels == ["Name", "Email", "Mobile Number", "Gender"]
        stages = [
            s.name
            for s in session.exec(
                select(Stage).where(Stage.agent_id == agent_id).order_by(Stage.position)
            )
        ]
        assert stages == ["Lead", "Prospect", "Customer", "Old Customer"]
        entry = session.exec(select(AuditLog).where(AuditLog.resource == "Agent")).one()
        assert (entry.action, entry.user_id) == ("Create", world.admin.user_id)
        assert "Front Desk Bot" in entry.description


def test_blank_welcome_message_gets_the_default(world):
    agent_id, _ = _create(world.owner, name="Bot", welcome_message="   ")
    with session_scope() as session:
        assert session.get(Agent, agent_id).welcome_message == agents.DEFAULT_WELCOME


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": "   "}, "name"),
        ({"name": "x" * 81}, "name"),
        ({"name": "Bot", "slug": "ab"}, "slug"),
        ({"name": "Bot", "slug": "Has Space"}, "slug"),
        ({"name": "Bot", "slug": "-leading"}, "slug"),
        ({"name": "Bot", "slug": "double--dash"}, "slug"),
        ({"name": "Bot", "slug": "x" * 61}, "slug"),
        ({"name": "Bot", "region": "XX"}, "region"),
        ({"name": "Bot", "region": ""}, "region"),
        ({"name": "Bot", "welcome_message": "w" * 501}, "welcome_message"),
    ],
)
def test_invalid_input_is_refused_at_the_field(world, kwargs, field):
    with pytest.raises(ValidationError) as error, session_scope() as session:
        agents.create_agent(session, world.owner, **kwargs)
    assert error.value.field == field
    with session_scope() as session:
        assert session.exec(select(func.count()).select_from(Agent)).one() == 0


def test_slug_is_unique_across_organizations(world):
    _create(world.owner, name="Reception", slug="reception")
    with pytest.raises(Conflict) as error, session_scope() as session:
        agents.create_agent(session, world.other_owner, name="Our reception", slug="reception")
    assert (error.value.message, error.value.field) == ("This URL slug is taken.", "slug")
    # Without an explicit slug a free one is derived from the name.
    _, slug = _create(world.other_owner, name="Reception")
    assert slug == "reception-2"
    _, short = _create(world.other_owner, name="AI")
    assert short == "ai-agent"


def test_users_cannot_create_agents(world):
    with pytest.raises(PermissionDenied), session_scope() as session:
        agents.create_agent(session, world.user, name="Sneaky")


# ---------------------------------------------------------------- update


def test_admin_renames_and_updates_an_agent(world):
    agent_id, _ = _create(world.owner, name="Reception", slug="reception")
    with session_scope() as session:
        agents.rename_agent(session, world.admin, agent_id, "Front desk")
        agents.update_agent(
            session, world.admin, agent_id, region="de", welcome_message="Guten Tag!"
        )
    with session_scope() as session:
        agent = session.get(Agent, agent_id)
        assert (agent.name, agent.slug, agent.phone_region, agent.welcome_message) == (
            "Front desk",
            "reception",
            "DE",
            "Guten Tag!",
        )
        updates = session.exec(select(AuditLog).where(AuditLog.action == "Update")).all()
        assert any("renamed Reception to Front desk" in u.description for u in updates)


def test_update_refuses_a_taken_slug_and_bad_name(world):
    first, _ = _create(world.owner, name="One", slug="one-bot")
    _create(world.other_owner, name="Two", slug="two-bot")
    with pytest.raises(Conflict), session_scope() as session:
        agents.update_agent(session, world.owner, first, slug="two-bot")
    with pytest.raises(ValidationError) as error, session_scope() as session:
        agents.rename_agent(session, world.owner, first, "")
    assert error.value.field == "name"


def test_user_and_other_organization_cannot_edit(world):
    agent_id, _ = _create(world.owner, name="Reception")
    with session_scope() as session:
        membership = session.exec(
            select(Membership).where(Membership.user_id == world.user.user_id)
        ).one()
        membership.agent_ids = [agent_id]
        session.add(membership)
    with session_scope() as session:
        user = world.refresh(session, world.user)
    with pytest.raises(PermissionDenied), session_scope() as session:
        agents.rename_agent(session, user, agent_id, "Mine now")
    with pytest.raises(NotFound), session_scope() as session:
        agents.rename_agent(session, world.other_owner, agent_id, "Mine now")
    with pytest.raises(NotFound), session_scope() as session:
        agents.delete_agent(session, world.other_owner, agent_id, "Reception")
    with session_scope() as session:
        assert session.get(Agent, agent_id).name == "Reception"


# ---------------------------------------------------------------- list


def test_list_shows_visible_agents_with_contact_counts(world):
    a, _ = _create(world.owner, name="Alpha")
    b, _ = _create(world.owner, name="Beta")
    _create(world.other_owner, name="Foreign")
    with session_scope() as session:
        session.add_all(
            [Contact(agent_id=a, email=f"p{i}@x.example", source="Manual") for i in range(3)]
        )
        session.add(Contact(agent_id=a, email="gone@x.example", source="Manual", archived=True))
        session.add(Contact(agent_id=b, phone="+13125550100", source="Chat"))
        session.exec(
            select(Membership).where(Membership.user_id == world.user.user_id)
        ).one().agent_ids = [b]
    with session_scope() as session:
        listed = agents.list_agents(session, world.admin)
        assert [(x["name"], x["contacts"]) for x in listed] == [("Alpha", 3), ("Beta", 1)]
        user = world.refresh(session, world.user)
        assert [x["name"] for x in agents.list_agents(session, user)] == ["Beta"]
        assert [x["name"] for x in agents.list_agents(session, world.other_owner)] == ["Foreign"]


# ---------------------------------------------------------------- delete


def _stored_files(tag: str) -> dict[str, Path]:
    """Where the app keeps the agent's private files: a contact's file, a form upload, an
    imported CSV and its error report (keys made from the tag)."""
    key = hashlib.md5(tag.encode()).hexdigest()
    upload = hashlib.md5(f"upload-{tag}".encode()).hexdigest()
    return {
        "contact_file": files.storage_path(key),
        "form_upload": files.storage_path(upload),
        "import": imports_common.file_path(f"{key}.csv"),
        "import_errors": imports_common.file_path(f"{key}-errors.csv"),
    }


def _fill_agent(session, agent_id: int, owner_id: int, tag: str) -> None:
    """One row in every table an agent owns (directly or through its contacts/forms), and
    its stored files."""
    contact = Contact(agent_id=agent_id, email=f"{tag}@x.example", source="Form")
    session.add(contact)
    session.flush()
    field = session.exec(select(ContactField).where(ContactField.agent_id == agent_id)).first()
    stage = session.exec(select(Stage).where(Stage.agent_id == agent_id)).first()
    contact.stage_id = stage.id
    stored = _stored_files(tag)
    for path in stored.values():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"secret")
    form = Form(agent_id=agent_id, name="Intake", slug=f"intake-{tag}")
    conversation = Conversation(agent_id=agent_id, contact_id=contact.id)
    webhook = Webhook(agent_id=agent_id, url="https://hooks.example/x", secret="s")
    session.add_all([form, conversation, webhook])
    session.flush()
    version = FormVersion(form_id=form.id, version=1)
    session.add(version)
    session.flush()
    session.add_all(
        [
            ContactValue(contact_id=contact.id, field_id=field.id, value_text="x"),
            Note(contact_id=contact.id, author_id=owner_id, html="<p>hi</p>"),
            ContactFile(
                contact_id=contact.id,
                filename="a.pdf",
                content_type="application/pdf",
                size=6,
                storage_key=stored["contact_file"].name,
            ),
            Activity(
                contact_id=contact.id, kind="created", actor_type="form", message="Created via Form"
            ),
            FormSubmission(
                form_id=form.id,
                form_version_id=version.id,
                contact_id=contact.id,
                answers={
                    "scan": {
                        "label": "Scan",
                        "type": "file",
                        "value": "scan.pdf",
                        "file": {"key": stored["form_upload"].name, "name": "scan.pdf"},
                    }
                },
            ),
            ImportJob(
                agent_id=agent_id,
                user_id=owner_id,
                filename="contacts.csv",
                storage_key=stored["import"].name,
                error_key=stored["import_errors"].name,
                status="done",
            ),
            Message(conversation_id=conversation.id, role="visitor", content="hello"),
            AssignmentRule(
                agent_id=agent_id, method="manual", slot="primary", strategy="org_owner"
            ),
            StageRule(agent_id=agent_id, method="Form", stage_id=stage.id),
            RevisedAnswer(agent_id=agent_id, question="q", answer="a"),
            AccessPass(
                agent_id=agent_id, contact_id=contact.id, expires_at=utcnow() + timedelta(days=30)
            ),
            ApiKey(agent_id=agent_id, name="k", key=f"key-{tag}", secret_hash="h"),
            WebhookDelivery(webhook_id=webhook.id, event="contact.created"),
            PaymentEvent(
                stripe_event_id=f"evt_{tag}", type="checkout.session.completed", agent_id=agent_id
            ),
        ]
    )
    session.flush()


_FILLED = {
    "contact",
    "contactvalue",
    "note",
    "contactfile",
    "activity",
    "form",
    "formversion",
    "formsubmission",
    "conversation",
    "message",
    "assignmentrule",
    "stagerule",
    "revisedanswer",
    "accesspass",
    "apikey",
    "webhook",
    "webhookdelivery",
    "contactfield",
    "stage",
}


def _owned_counts(session, agent_id: int) -> dict[str, int]:
    """Rows per table that carry this agent's id or hang off its contacts."""
    contact_ids = select(Contact.id).where(Contact.agent_id == agent_id)
    counts = {}
    for table in SQLModel.metadata.sorted_tables:
        if "agent_id" in table.c and table.name != "paymentevent":
            counts[table.name] = session.exec(
                select(func.count()).select_from(table).where(table.c.agent_id == agent_id)
            ).one()
        elif "contact_id" in table.c:
            counts[table.name] = session.exec(
                select(func.count()).select_from(table).where(table.c.contact_id.in_(contact_ids))
            ).one()
    counts["formversion"] = session.exec(
        select(func.count()).select_from(FormVersion).join(Form).where(Form.agent_id == agent_id)
    ).one()
    counts["webhookdelivery"] = session.exec(
        select(func.count())
        .select_from(WebhookDelivery)
        .join(Webhook)
        .where(Webhook.agent_id == agent_id)
    ).one()
    counts["message"] = session.exec(
        select(func.count())
        .select_from(Message)
        .join(Conversation)
        .where(Conversation.agent_id == agent_id)
    ).one()
    return counts


def test_delete_removes_everything_the_agent_owns_and_nothing_else(world):
    doomed, _ = _create(world.owner, name="Doomed Bot")
    kept, _ = _create(world.owner, name="Kept Bot")
    with session_scope() as session:
        _fill_agent(session, doomed, world.owner.user_id, "doomed")
        _fill_agent(session, kept, world.owner.user_id, "kept")
        session.exec(
            select(Membership).where(Membership.user_id == world.user.user_id)
        ).one().agent_ids = [doomed, kept]
        session.add(
            Invitation(
                org_id=world.owner.org_id,
                email="new@clinic.example",
                role="User",
                agent_ids=[doomed],
                token_hash="t" * 64,
            )
        )
    with session_scope() as session:
        before_kept = _owned_counts(session, kept)
        filled = {name: n for name, n in _owned_counts(session, doomed).items() if name in _FILLED}
        assert len(filled) == len(_FILLED) and all(filled.values()), (
            filled
        )  # the fixture really fills them

    with session_scope() as session:
        agents.delete_agent(session, world.admin, doomed, "Doomed Bot")

    with session_scope() as session:
        assert session.get(Agent, doomed) is None
        assert not any(_owned_counts(session, doomed).values()), _owned_counts(session, doomed)
        assert _owned_counts(session, kept) == before_kept
        # Payment records stay for bookkeeping and Stripe idempotency, detached from the agent.
        event = session.exec(
            select(PaymentEvent).where(PaymentEvent.stripe_event_id == "evt_doomed")
        ).one()
        assert event.agent_id is None
        # Members and invitations no longer point at the deleted agent.
        assert session.exec(
            select(Membership).where(Membership.user_id == world.user.user_id)
        ).one().agent_ids == [kept]
        assert session.exec(select(Invitation)).one().agent_ids == []
        entry = session.exec(select(AuditLog).where(AuditLog.action == "Delete")).one()
        assert "Doomed Bot" in entry.description and "1 contacts" in entry.description
        assert [a["name"] for a in agents.list_agents(session, world.owner)] == ["Kept Bot"]
    assert not [kind for kind, path in _stored_files("doomed").items() if path.exists()]
    assert all(path.exists() for path in _stored_files("kept").values())


def test_delete_needs_the_exact_name(world):
    agent_id, _ = _create(world.owner, name="Reception")
    for typed in ("", "reception", "Reception!", "Other"):
        with pytest.raises(ValidationError) as error, session_scope() as session:
            agents.delete_agent(session, world.owner, agent_id, typed)
        assert error.value.field == "confirm_name"
    with session_scope() as session:
        assert session.get(Agent, agent_id) is not None


def test_a_failed_delete_leaves_files_on_disk(world, monkeypatch):
    agent_id, _ = _create(world.owner, name="Reception")
    with session_scope() as session:
        _fill_agent(session, agent_id, world.owner.user_id, "rollback")

    def boom(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(agents.audit, "record", boom)
    with pytest.raises(RuntimeError), session_scope() as session:
        agents.delete_agent(session, world.owner, agent_id, "Reception")
    with session_scope() as session:
        assert session.get(Agent, agent_id) is not None
        assert _owned_counts(session, agent_id)["contact"] == 1
    assert all(path.exists() for path in _stored_files("rollback").values())


def test_users_cannot_delete_even_their_own_agent(world, add_member):
    agent_id, _ = _create(world.owner, name="Reception")
    with session_scope() as session:
        user = add_member(session, world.owner.org_id, "helper@clinic.example", "User", [agent_id])
    with pytest.raises(PermissionDenied), session_scope() as session:
        agents.delete_agent(session, user, agent_id, "Reception")
    with session_scope() as session:
        assert session.get(Agent, agent_id) is not None


# ---------------------------------------------------------------- bootstrap


def test_create_owner_refuses_an_existing_email(world):
    with pytest.raises(Conflict) as error, session_scope() as session:
        agents.create_owner(session, " OWNER@clinic.example ", "Again")
    assert error.value.field == "email"
    with pytest.raises(ValidationError), session_scope() as session:
        agents.create_owner(session, "not-an-email", "Org")


def test_owner_actor_finds_only_owners(world):
    with session_scope() as session:
        assert agents.owner_actor(session, "Owner@Clinic.example").user_id == world.owner.user_id
    with pytest.raises(NotFound), session_scope() as session:
        agents.owner_actor(session, "admin@clinic.example")
