"""capture(): only Allow-for-AI fields, validated; one contact per person however the
values arrive; member-typed values locked (suggestions instead); provenance recorded."""

from __future__ import annotations

import threading

import pytest
from sqlmodel import select

from crm_app import db
from crm_app.models import Activity, Agent, Contact, ContactField, ContactValue, Conversation
from crm_app.services import contacts, forms, provenance, timeline
from crm_app.services.chat import capture as cap
from tests.unit.capture.conftest import new_conversation


def _capture(world, values, conversation_id=None, visitor="v1"):
    """capture() in its own transaction, on a new conversation unless one is named."""
    with db.session_scope() as s:
        agent = s.get(Agent, world.agent_id)
        if conversation_id is None:
            conv, message_id = new_conversation(s, agent.id, visitor)
        else:
            conv = s.get(Conversation, conversation_id)
            _, message_id = None, 7
        result = cap.capture(s, agent, conv, message_id, values)
        return result, conv.id, message_id


def _values(s, contact_id) -> dict:
    fields = {f.id: f.key for f in s.exec(select(ContactField))}
    rows = s.exec(select(ContactValue).where(ContactValue.contact_id == contact_id))
    return {fields[v.field_id]: v.value_text for v in rows}


def _fid(s, world, key) -> str:
    """A custom field's key in member_set and field_sources: its id."""
    query = select(ContactField.id).where(
        ContactField.agent_id == world.agent_id, ContactField.key == key
    )
    return str(s.exec(query).one())


def _lines(s, contact_id, kind=None) -> list[Activity]:
    query = select(Activity).where(Activity.contact_id == contact_id).order_by(Activity.id)
    if kind:
        query = query.where(Activity.kind == kind)
    return list(s.exec(query))


def test_only_allow_for_ai_fields_are_written_and_bad_values_are_rejected(world):
    result, conv_id, message_id = _capture(
        world,
        {
            "name": "  Maria   Lopez ",
            "email": "Maria@Example.com",
            "insurance": "aetna",
            "interests": ["whitening", "Cleaning"],
            "gender": "Female",  # Allow for AI off (a default field)
            "internal_notes": "VIP, give discount",  # Allow for AI off
            "newsletter": True,  # Allow for AI off
            "owner": "Dana",  # not a field at all
            "visits": "three",  # not a number
            "phone": {"number": "+14155552671"},  # not a phone
        },
    )
    assert result.created and result.contact_id
    assert sorted(result.filled) == ["email", "insurance", "interests", "name"]
    assert dict(result.rejected) == {
        "gender": cap.NOT_ALLOWED,
        "internal_notes": cap.NOT_ALLOWED,
        "newsletter": cap.NOT_ALLOWED,
        "owner": cap.UNKNOWN,
        "visits": cap.INVALID,
        "phone": cap.INVALID,
    }
    with db.session_scope() as s:
        c = s.get(Contact, result.contact_id)
        assert (c.name, c.email, c.phone, c.gender, c.source) == (
            "Maria Lopez",
            "maria@example.com",
            None,
            None,
            "Chat",
        )
        assert _values(s, c.id) == {"insurance": "Aetna", "interests": "Whitening, Cleaning"}
        assert c.member_set == []
        assert c.primary_owner_id == world.owner.user_id  # the automations ran
        assert s.get(Conversation, conv_id).contact_id == c.id
        messages = [a.message for a in _lines(s, c.id)]
        assert messages[0] == f"Created via Chat by Reception (conversation {conv_id})"
        captured = _lines(s, c.id, cap.CAPTURE_KIND)
        assert len(captured) == 1
        assert captured[0].message.startswith("Captured via chat: ")
        assert {"Name", "Email", "Insurance provider", "Interests"} <= set(
            captured[0].message.split(": ", 1)[1].split(", ")
        )
        assert captured[0].data["conversation_id"] == conv_id
        assert captured[0].data["message_id"] == message_id
        source = c.field_sources["email"]
        assert source["kind"] == "agent" and source["conversation_id"] == conv_id
        assert source["message_id"] == message_id
        assert "gender" not in c.field_sources


def test_a_field_switched_off_after_capture_is_not_applied_later(world):
    first, conv_id, _ = _capture(world, {"name": "Ann", "visits": 3})
    assert first.contact_id is None and first.filled == []
    with db.session_scope() as s:
        field = s.exec(
            select(ContactField).where(
                ContactField.agent_id == world.agent_id, ContactField.key == "visits"
            )
        ).one()
        field.allow_ai = False
        s.get(Agent, world.agent_id).settings_rev += 1  # as fields.update_field does
        s.add(field)
    result, _, _ = _capture(world, {"email": "ann@example.com", "visits": 4}, conv_id)
    assert ("visits", cap.NOT_ALLOWED) in result.rejected
    with db.session_scope() as s:
        c = s.get(Contact, result.contact_id)
        assert c.name == "Ann" and _values(s, c.id) == {}


def test_a_name_captured_before_the_email_is_applied_once_the_email_arrives(world):
    with db.session_scope() as s:
        agent = s.get(Agent, world.agent_id)
        conv, message_id = new_conversation(s, agent.id)
        early = cap.capture(s, agent, conv, message_id, {"name": "Ann Lee", "insurance": "Cigna"})
        assert early.contact_id is None and early.created is False and early.filled == []
        assert cap.captured_values(conv) == {"name": "Ann Lee", "insurance": "Cigna"}
        assert s.exec(select(Contact)).all() == []
        later = cap.capture(s, agent, conv, message_id + 1, {"phone": "(415) 555-2671"})
        assert later.created and sorted(later.filled) == ["insurance", "name", "phone"]
        c = s.get(Contact, later.contact_id)
        assert (c.name, c.phone) == ("Ann Lee", "+14155552671")
        assert _values(s, c.id) == {"insurance": "Cigna"}
        assert conv.contact_id == c.id


def test_values_captured_in_earlier_turns_survive_the_transaction(world):
    early, conv_id, _ = _capture(world, {"name": "Ann Lee"})
    assert early.contact_id is None
    later, _, _ = _capture(world, {"email": "ann@example.com"}, conv_id)
    with db.session_scope() as s:
        assert s.get(Contact, later.contact_id).name == "Ann Lee"


def test_the_same_email_twice_makes_one_contact(world):
    first, conv_id, _ = _capture(world, {"email": "joe@example.com", "name": "Joe"})
    again, _, _ = _capture(world, {"email": "JOE@example.com"}, conv_id)
    other_chat, other_id, _ = _capture(world, {"email": "joe@example.com"}, visitor="v2")
    assert first.created and not again.created and not other_chat.created
    assert first.contact_id == again.contact_id == other_chat.contact_id
    assert again.filled == [] and other_chat.filled == []
    with db.session_scope() as s:
        assert len(s.exec(select(Contact)).all()) == 1
        assert s.get(Conversation, other_id).contact_id == first.contact_id
        assert len(_lines(s, first.contact_id, cap.CAPTURE_KIND)) == 1


def test_a_member_typed_value_is_never_overwritten_and_becomes_one_suggestion(world):
    with db.session_scope() as s:
        made = contacts.add_contact_manually(
            s,
            world.owner,
            world.agent_id,
            {"name": "Maria Lopez", "email": "maria@example.com", "phone": "415 555 2671"},
        )
        cid = made.id
    values = {
        "email": "maria@example.com",
        "name": "Mary",
        "phone": "+1 415 555 0100",
        "insurance": "Aetna",  # empty on the contact: filled
    }
    result, conv_id, message_id = _capture(world, values)
    assert result.contact_id == cid and not result.created
    assert result.filled == ["insurance"]
    assert sorted(result.suggested) == ["name", "phone"]
    _capture(world, values, conv_id)  # the agent repeating itself
    with db.session_scope() as s:
        c = s.get(Contact, cid)
        assert (c.name, c.phone) == ("Maria Lopez", "+14155552671")
        assert _values(s, cid) == {"insurance": "Aetna"}
        suggestions = _lines(s, cid, provenance.SUGGESTION)
        assert [a.message for a in suggestions] == [
            "Agent suggests Name: Mary",
            "Agent suggests Mobile Number: +1 415-555-0100",
        ]
        phone = suggestions[1].data
        assert (phone["key"], phone["value"], phone["status"]) == ("phone", "+14155550100", "open")
        assert (phone["conversation_id"], phone["message_id"]) == (conv_id, message_id)
        assert c.field_sources["phone"]["kind"] == "member"
        assert c.field_sources[_fid(s, world, "insurance")]["kind"] == "agent"


def _submit_form(world, answers: dict) -> None:
    """A published form mapping name, email, phone and visits, submitted by a visitor."""
    draft = {
        "elements": [
            {"id": "name", "type": "short_text", "label": "Your name", "maps_to": "name"},
            {"id": "email", "type": "email", "label": "Email", "maps_to": "email"},
            {"id": "phone", "type": "phone", "label": "Mobile", "maps_to": "phone"},
            {"id": "visits", "type": "number", "label": "Visits", "maps_to": "visits"},
        ],
        "settings": {"title": "Book a visit", "submit_label": "Send", "success_message": "Ok"},
    }
    with db.session_scope() as s:
        form = forms.create_form(s, world.owner, world.agent_id, "Book a visit")
        forms.save_draft(s, world.owner, world.agent_id, form.id, draft)
        forms.publish(s, world.owner, world.agent_id, form.id)
        slug = form.slug
    with db.session_scope() as s:
        forms.submit_form(s, slug, answers, ip="203.0.113.7", elapsed=10.0)


def test_provenance_of_member_edit_chat_capture_and_form(world):
    result, conv_id, message_id = _capture(world, {"email": "lee@example.com", "name": "Lee"})
    cid = result.contact_id
    with db.session_scope() as s:
        contacts.edit_contact(s, world.user, world.agent_id, cid, {"name": "Lee Chen"})
    _submit_form(
        world,
        {"name": "Lee", "email": "lee@example.com", "phone": "415 555 2671", "visits": "2"},
    )
    with db.session_scope() as s:
        c = s.get(Contact, cid)
        visits_id = _fid(s, world, "visits")
        sources = c.field_sources
        assert sources["name"]["kind"] == "member" and sources["name"]["label"] == "Sam Staff"
        assert sources["email"]["kind"] == "agent"
        assert (sources["email"]["conversation_id"], sources["email"]["message_id"]) == (
            conv_id,
            message_id,
        )
        assert sources["phone"] == sources["phone"] | {
            "kind": "form",
            "label": "Form “Book a visit”",
        }
        assert sources[visits_id]["kind"] == "form"
        assert provenance.source_of(sources, "name", "Lee Chen")["kind"] == "member"
        # A value changed by a path that records nothing (an import's bulk update) no
        # longer matches its entry: its source reads as unknown, never as the old writer.
        assert provenance.source_of(sources, "email", "other@example.com") is None
        detail = timeline.contact_detail(s, world.owner, world.agent_id, cid)
        by_key = {f["key"]: f for f in detail["fields"]}
        assert by_key["email"]["ai"] is True
        assert by_key["email"]["conversation_id"] == str(conv_id)
        assert by_key["email"]["source"].startswith("Captured by the agent from a chat on ")
        assert by_key["name"]["ai"] is False
        assert by_key["name"]["source"].startswith("Set by Sam Staff on ")
        assert by_key["phone"]["source"].startswith("Set by Form “Book a visit” on ")
        assert by_key["gender"] == by_key["gender"] | {"ai": False, "source": ""}


def test_playground_conversations_write_no_contact(world):
    with db.session_scope() as s:
        agent = s.get(Agent, world.agent_id)
        conv, message_id = new_conversation(s, agent.id, "member:1")
        conv.test = True
        result = cap.capture(s, agent, conv, message_id, {"email": "x@example.com", "name": "X"})
        assert sorted(result.filled) == ["email", "name"] and result.contact_id is None
        assert s.exec(select(Contact)).all() == []


def test_a_conversation_of_another_agent_is_refused(world):
    with db.session_scope() as s:
        conv, message_id = new_conversation(s, world.shop_agent_id)
        agent = s.get(Agent, world.agent_id)
        with pytest.raises(cap.NotFound):
            cap.capture(s, agent, conv, message_id, {"email": "a@example.com"})


@pytest.mark.parametrize("threads", [50])
def test_fifty_concurrent_chats_giving_the_same_email_make_one_contact(world, threads):
    with db.session_scope() as s:
        ids = [new_conversation(s, world.agent_id, f"v{i}") for i in range(threads)]
    barrier = threading.Barrier(threads)
    errors: list[BaseException] = []
    results: list[cap.CaptureResult] = []

    def chat(i: int) -> None:
        conv_id, message_id = ids[i][0].id, ids[i][1]
        try:
            barrier.wait()
            with db.session_scope() as s:
                agent = s.get(Agent, world.agent_id)
                conv = s.get(Conversation, conv_id)
                results.append(
                    cap.capture(
                        s, agent, conv, message_id, {"email": "Same@Example.com", "name": f"V{i}"}
                    )
                )
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)

    workers = [threading.Thread(target=chat, args=(i,)) for i in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    assert errors == []
    assert sum(r.created for r in results) == 1
    with db.session_scope() as s:
        people = s.exec(select(Contact)).all()
        assert len(people) == 1 and people[0].email == "same@example.com"
        linked = s.exec(select(Conversation.contact_id)).all()
        assert linked == [people[0].id] * threads
        created = [a for a in _lines(s, people[0].id) if a.kind == "created"]
        assert len(created) == 1


def test_the_visitors_earlier_anonymous_chats_join_the_contact(world):
    early, early_id, _ = _capture(world, {"name": "Ann Lee"}, visitor="v9")
    stranger, stranger_id, _ = _capture(world, {"name": "Bo"}, visitor="v8")
    later, later_id, _ = _capture(world, {"email": "ann@example.com"}, visitor="v9")
    with db.session_scope() as s:
        assert s.get(Conversation, later_id).contact_id == later.contact_id
        assert s.get(Conversation, early_id).contact_id == later.contact_id
        assert s.get(Conversation, stranger_id).contact_id is None
