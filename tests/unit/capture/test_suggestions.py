"""accept_suggestion: one click writes the agent's value as member-approved, once; stale
suggestions and other members' reach are refused."""

from __future__ import annotations

import pytest
from sqlmodel import select

from crm_app import db
from crm_app.models import Activity, Agent, AuditLog, Contact
from crm_app.services import contacts, provenance, timeline
from crm_app.services.chat import capture as cap
from crm_app.services.errors import Conflict, NotFound
from crm_app.services.suggestions import accept_suggestion
from tests.unit.capture.conftest import new_conversation


@pytest.fixture()
def suggested(world):
    """A member-typed contact, and the agent suggesting another phone and name for it."""
    with db.session_scope() as s:
        cid = contacts.add_contact_manually(
            s,
            world.owner,
            world.agent_id,
            {"name": "Maria Lopez", "email": "maria@example.com", "phone": "415 555 2671"},
        ).id
        agent = s.get(Agent, world.agent_id)
        conv, message_id = new_conversation(s, agent.id)
        cap.capture(
            s,
            agent,
            conv,
            message_id,
            {"email": "maria@example.com", "phone": "415 555 0100", "name": "Mary"},
        )
        lines = {
            a.data["key"]: a.id
            for a in s.exec(
                select(Activity).where(
                    Activity.contact_id == cid, Activity.kind == provenance.SUGGESTION
                )
            )
        }
        return cid, lines, conv.id, message_id


def test_accept_writes_the_value_once_as_member_approved(world, suggested):
    cid, lines, conv_id, message_id = suggested
    with db.session_scope() as s:
        label = accept_suggestion(s, world.user, world.agent_id, cid, str(lines["phone"]))
        assert label == "Mobile Number"
    with db.session_scope() as s:
        c = s.get(Contact, cid)
        assert c.phone == "+14155550100"
        assert "phone" in c.member_set  # the agent cannot change it back
        source = c.field_sources["phone"]
        assert source["kind"] == "agent" and source["accepted_by"] == "Sam Staff"
        assert (source["conversation_id"], source["message_id"]) == (conv_id, message_id)
        line = s.get(Activity, lines["phone"])
        assert line.data["status"] == "accepted" and line.data["accepted_by"] == "Sam Staff"
        assert s.exec(
            select(AuditLog).where(AuditLog.description.like("Accepted the agent's suggestion%"))
        ).first()
        items = {a["id"]: a for a in timeline.list_activity(s, world.owner, world.agent_id, cid)}
        assert items[lines["phone"]]["suggestion"] == "accepted"
        assert items[lines["name"]]["suggestion"] == "open"
        assert items[lines["name"]]["conversation_id"] == str(conv_id)
        detail = timeline.contact_detail(s, world.owner, world.agent_id, cid)
        phone = next(f for f in detail["fields"] if f["key"] == "phone")
        assert phone["ai"] and "accepted by Sam Staff" in phone["source"]
    with pytest.raises(Conflict, match="already accepted"):
        with db.session_scope() as s:
            accept_suggestion(s, world.owner, world.agent_id, cid, lines["phone"])
    # The agent offering the old value again now meets a member-approved value: a new
    # suggestion, never an overwrite.
    with db.session_scope() as s:
        agent = s.get(Agent, world.agent_id)
        conv, message_id = new_conversation(s, agent.id, "v9")
        result = cap.capture(
            s, agent, conv, message_id, {"email": "maria@example.com", "phone": "415 555 2671"}
        )
        assert result.suggested == ["phone"] and result.filled == []
        assert s.get(Contact, cid).phone == "+14155550100"


def test_a_suggestion_made_stale_by_a_later_edit_is_refused(world, suggested):
    cid, lines, _, _ = suggested
    with db.session_scope() as s:
        contacts.edit_contact(s, world.owner, world.agent_id, cid, {"name": "Maria L. Lopez"})
    with pytest.raises(Conflict, match="Name has changed since the agent suggested"):
        with db.session_scope() as s:
            accept_suggestion(s, world.owner, world.agent_id, cid, lines["name"])
    with db.session_scope() as s:
        assert s.get(Contact, cid).name == "Maria L. Lopez"


@pytest.mark.parametrize("who", ["outsider", "stranger"])
def test_members_who_cannot_reach_the_contact_cannot_accept(world, suggested, who):
    cid, lines, _, _ = suggested
    with pytest.raises(NotFound, match="Contact not found"):
        with db.session_scope() as s:
            accept_suggestion(s, getattr(world, who), world.agent_id, cid, lines["phone"])
    with pytest.raises(NotFound):  # nor through their own agent's id
        with db.session_scope() as s:
            agent_id = world.shop_agent_id if who == "outsider" else world.other_agent_id
            accept_suggestion(s, getattr(world, who), agent_id, cid, lines["phone"])
    with db.session_scope() as s:
        assert s.get(Contact, cid).phone == "+14155552671"


def test_only_this_contacts_suggestion_lines_can_be_accepted(world, suggested):
    cid, lines, _, _ = suggested
    with db.session_scope() as s:
        other = contacts.add_contact_manually(
            s, world.owner, world.agent_id, {"email": "other@example.com"}
        ).id
        created = s.exec(
            select(Activity.id).where(Activity.contact_id == cid, Activity.kind == "created")
        ).first()
    for contact_id, activity_id in [
        (other, lines["phone"]),  # another contact's suggestion
        (cid, created),  # not a suggestion
        (cid, "99999"),
        (cid, "<script>"),
    ]:
        with pytest.raises(NotFound, match="Suggestion not found"):
            with db.session_scope() as s:
                accept_suggestion(s, world.owner, world.agent_id, contact_id, activity_id)
