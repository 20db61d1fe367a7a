"""Contact details: the DTO, in-place Owner/Stage/Status/Archive with activity and audit,
the Activity tab, form submissions and chat transcripts, and who may see them."""

from __future__ import annotations

import pytest
from sqlmodel import select

from crm_app import db
from crm_app.models import AuditLog, Conversation, Form, FormSubmission, FormVersion, Message, Stage
from crm_app.services import timeline
from crm_app.services.errors import NotFound, ValidationError


def _stage_id(s, agent_id, name):
    return s.exec(select(Stage).where(Stage.agent_id == agent_id, Stage.name == name)).one().id


def test_detail_shows_default_fields_with_labels(world):
    with db.session_scope() as s:
        detail = timeline.contact_detail(s, world.user, world.agent_id, world.contact_id)
    assert (
        detail["title"] == "Maria Lopez"
        and detail["source"] == "Manual"
        and detail["status"] == "Active"
    )
    labels = {f["label"]: f["value"] for f in detail["fields"]}
    assert (
        labels["Primary Email"] == "maria@example.com"
        and labels["Mobile Number"] == "+1 415-555-0101"
    )
    assert detail["phone"] == "+14155550101" and detail["initials"] == "ML"


def test_header_changes_write_activity_and_audit(world):
    with db.session_scope() as s:
        lead, customer = (
            _stage_id(s, world.agent_id, "Lead"),
            _stage_id(s, world.agent_id, "Customer"),
        )
        timeline.change_stage(s, world.owner, world.agent_id, world.contact_id, str(lead))
    with db.session_scope() as s:
        timeline.change_stage(s, world.owner, world.agent_id, world.contact_id, str(customer))
        timeline.change_owner(
            s, world.owner, world.agent_id, world.contact_id, str(world.user.user_id)
        )
        timeline.change_status(s, world.user, world.agent_id, world.contact_id, "Blocked")
        timeline.set_archived(s, world.user, world.agent_id, world.contact_id, True)
    with db.session_scope() as s:
        detail = timeline.contact_detail(s, world.owner, world.agent_id, world.contact_id)
        activity = timeline.list_activity(s, world.owner, world.agent_id, world.contact_id)
        audits = [a.description for a in s.exec(select(AuditLog))]
    assert detail["stage"] == "Customer" and detail["owner"] == "Sam Staff"
    assert detail["status"] == "Blocked" and detail["archived"] is True
    messages = [a["message"] for a in activity]
    assert "Stage changed from Lead to Customer by Dana Whitfield" in messages
    assert "Owner changed from Dana Whitfield to Sam Staff by Dana Whitfield" in messages or any(
        m.startswith("Owner changed from") and "to Sam Staff" in m for m in messages
    )
    assert "Status changed from Active to Blocked by Sam Staff" in messages
    assert messages[0] == "Archived by Sam Staff"  # newest first
    assert activity[0]["who"] == "Sam Staff" and activity[0]["actor_type"] == "Team member"
    assert any("Changed stage of contact" in d for d in audits)


def test_header_values_are_validated(world):
    with db.session_scope() as s:
        foreign_stage = _stage_id(s, world.outsider_agent_id, "Lead")
        with pytest.raises(ValidationError):
            timeline.change_stage(
                s, world.owner, world.agent_id, world.contact_id, str(foreign_stage)
            )
        with pytest.raises(ValidationError):
            timeline.change_status(s, world.owner, world.agent_id, world.contact_id, "Deleted")
        # A member without the agent, or of another organization, cannot become the owner.
        for user_id in (world.stranger.user_id, world.outsider.user_id):
            with pytest.raises(ValidationError):
                timeline.change_owner(
                    s, world.owner, world.agent_id, world.contact_id, str(user_id)
                )
    with db.session_scope() as s:
        owners = {o["name"] for o in timeline.owner_choices(s, world.owner.org_id, world.agent_id)}
    assert owners == {"Dana Whitfield", "Alex Admin", "Sam Staff"}


def test_submissions_and_transcript_in_order(world):
    with db.session_scope() as s:
        form = Form(agent_id=world.agent_id, name="Intake form", slug="intake")
        s.add(form)
        s.flush()
        version = FormVersion(form_id=form.id, version=1)
        s.add(version)
        s.flush()
        s.add(
            FormSubmission(
                form_id=form.id,
                form_version_id=version.id,
                contact_id=world.contact_id,
                answers={
                    "reason": {"label": "Reason for visit", "value": "Back pain"},
                    "days": ["Mon", "Tue"],
                },
            )
        )
        conv = Conversation(agent_id=world.agent_id, contact_id=world.contact_id, title="")
        s.add(conv)
        s.flush()
        for role, text in (
            ("visitor", "Hello"),
            ("agent", "Hi! How can I help?"),
            ("visitor", "Book me"),
        ):
            s.add(Message(conversation_id=conv.id, role=role, content=text))
            s.flush()
        conv_id = conv.id
    with db.session_scope() as s:
        subs = timeline.list_submissions(s, world.user, world.agent_id, world.contact_id)
        convs = timeline.list_conversations(s, world.user, world.agent_id, world.contact_id)
        transcript = timeline.read_transcript(
            s, world.user, world.agent_id, world.contact_id, str(conv_id)
        )
        with pytest.raises(NotFound):
            timeline.read_transcript(
                s, world.outsider, world.agent_id, world.contact_id, str(conv_id)
            )
    assert subs[0]["form"] == "Intake form"
    assert {"label": "Reason for visit", "value": "Back pain"} in subs[0]["answers"]
    assert {"label": "days", "value": "Mon, Tue"} in subs[0]["answers"]
    assert convs == [
        {
            "id": str(conv_id),
            "title": "Untitled Conversation",
            "messages": 3,
            "time": convs[0]["time"],
        }
    ]
    assert [m["content"] for m in transcript] == ["Hello", "Hi! How can I help?", "Book me"]
    assert transcript[0]["who"] == "Maria Lopez" and transcript[1]["who"] == "Reception"


@pytest.mark.parametrize("who", ["outsider", "stranger"])
def test_other_members_see_contact_not_found(world, who):
    actor = getattr(world, who)
    with db.session_scope() as s:
        for call in (
            lambda: timeline.contact_detail(s, actor, world.agent_id, world.contact_id),
            lambda: timeline.list_activity(s, actor, world.agent_id, world.contact_id),
            lambda: timeline.change_status(s, actor, world.agent_id, world.contact_id, "Blocked"),
            lambda: timeline.set_archived(s, actor, world.agent_id, world.contact_id, True),
            lambda: timeline.list_submissions(s, actor, world.agent_id, world.contact_id),
        ):
            with pytest.raises(NotFound, match="Contact not found"):
                call()


def test_contact_of_another_agent_is_not_found_through_this_agent(world):
    with db.session_scope() as s, pytest.raises(NotFound, match="Contact not found"):
        timeline.contact_detail(s, world.owner, world.other_agent_id, world.contact_id)
