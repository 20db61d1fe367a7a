"""seed-demo: the receptionist is Public · Use for Free, and every "via Chat" contact has
the real conversation that captured it, whose `captured` matches what the contact holds."""

from __future__ import annotations

from sqlmodel import select

from crm_app import db
from crm_app.models import Contact, ContactField, ContactValue, Conversation, Message
from crm_app.services import demo, provenance
from crm_app.services.agents import owner_actor
from crm_app.services.chat import visitors
from crm_app.services.timeline import tabs


def test_demo_chat_contacts_have_their_conversations(engine):
    with db.session_scope() as s:
        summary = demo.seed_demo(s)
    assert summary["conversations"] > 0
    with db.session_scope() as s:
        agent = visitors.public_agent(s, "reception")
        assert agent.available
        fields = {
            f.id: f for f in s.exec(select(ContactField).where(ContactField.agent_id == agent.id))
        }
        convs = s.exec(select(Conversation).order_by(Conversation.id)).all()
        assert len(convs) == summary["conversations"]
        by_contact: dict[str, list[Conversation]] = {}
        for conv in convs:
            by_contact.setdefault(conv.contact_id, []).append(conv)
        chat_contacts = s.exec(select(Contact).where(Contact.source == "Chat")).all()
        assert len(chat_contacts) > 50
        assert set(by_contact) == {c.id for c in chat_contacts}  # and none behind others
        for contact in chat_contacts:
            first = by_contact[contact.id][0]
            assert first.agent_id == agent.id and not first.test
            assert visitors.is_visitor_key(first.visitor_id) and first.title
            expected = {
                k: getattr(contact, k) for k in ("name", "email", "phone") if getattr(contact, k)
            }
            for row in s.exec(select(ContactValue).where(ContactValue.contact_id == contact.id)):
                if fields[row.field_id].allow_ai:
                    expected[fields[row.field_id].key] = row.value_text
            assert first.captured == expected
            rows = s.exec(
                select(Message).where(Message.conversation_id == first.id).order_by(Message.id)
            ).all()
            assert len(rows) >= 6 and rows[0].role == "agent"
            assert rows[0].content == demo.WELCOME
            assert [m.role for m in rows[1:3]] == ["visitor", "agent"]
            said = " ".join(m.content for m in rows if m.role == "visitor")
            assert contact.name in said and (contact.email or "") in said
            given = {k for m in rows for k in m.data.get("captured", [])}
            assert given == set(expected)
            times = [m.created_at for m in rows]
            assert times == sorted(times) and first.last_message_at == times[-1]
            # The message that gave an email or phone is when the contact was created.
            reach = next(m for m in rows if {"email", "phone"} & set(m.data.get("captured", [])))
            assert reach.created_at == contact.created_at
            # Every captured value is marked as the agent's, pointing at its message.
            for key in expected:
                field = next((f for f in fields.values() if f.key == key), None)
                store_key = str(field.id) if field and not field.is_default else key
                text = (
                    getattr(contact, key)
                    if store_key == key
                    else next(
                        v.value_text
                        for v in s.exec(
                            select(ContactValue).where(
                                ContactValue.contact_id == contact.id,
                                ContactValue.field_id == field.id,
                            )
                        )
                    )
                )
                source = provenance.source_of(contact.field_sources, store_key, text)
                assert source and source["kind"] == "agent", (contact.id, key)
                assert source["conversation_id"] in {c.id for c in by_contact[contact.id]}
                giver = s.get(Message, source["message_id"])
                assert key in giver.data["captured"]
        # The contact's Chat Conversation tab shows them.
    with db.session_scope() as s:
        actor = owner_actor(s, demo.OWNER_EMAIL)
        contact = chat_contacts[0]
        listed = tabs.list_conversations(s, actor, agent.id, contact.id)
        assert {c["id"] for c in listed} == {str(c.id) for c in by_contact[contact.id]}
        transcript = tabs.read_transcript(s, actor, agent.id, contact.id, listed[-1]["id"])
        assert transcript[0]["content"] == demo.WELCOME
        assert any(contact.name in line["content"] for line in transcript)
