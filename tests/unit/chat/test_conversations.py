"""Visitors, conversations and their ownership: a visitor reaches only their own
conversations with that agent; a member's Playground only theirs, on agents they work in."""

from __future__ import annotations

import hashlib

import pytest
from sqlmodel import func, select

from crm_app import db
from crm_app.models import Agent, Conversation, Message
from crm_app.services.chat import conversations as chats
from crm_app.services.chat import visitors
from crm_app.services.errors import NotFound, PermissionDenied, ValidationError


def test_tokens_are_opaque_and_only_their_hash_is_kept():
    token = visitors.new_visitor_token()
    assert visitors.valid_token(token) and len(token) >= 43
    assert visitors.new_visitor_token() != token
    key = visitors.visitor_key(token)
    assert key == hashlib.sha256(token.encode()).hexdigest() and token not in key
    for bad in ("", "short", "x" * 200, "a b" * 20, None, 42, "<script>" * 8):
        assert not visitors.valid_token(bad)
        with pytest.raises(ValidationError):
            visitors.visitor_key(bad)


def test_public_agent_says_whether_visitors_may_chat(world):
    with db.session_scope() as s:
        agent = visitors.public_agent(s, "reception-clinic")
        assert agent.available and agent.reason == "" and agent.id == world.agent_id
        assert agent.welcome_message == "Welcome to reception-clinic!"
        assert visitors.public_agent(s, " Reception-Clinic ").id == world.agent_id
        private = visitors.public_agent(s, "back-office")
        assert not private.available and private.reason == "private"
        # Gated agents talk to visitors; who may chat is decided per visitor (services/gate).
        for mode in ("Restrict", "Pay for Access"):
            s.get(Agent, world.other_agent_id).access_mode = mode
            s.flush()
            shop = visitors.public_agent(s, "reception-shop")
            assert (shop.available, shop.reason, shop.gate) == (True, "", mode)
        for slug in ("nope", "", "../reception-clinic"):
            with pytest.raises(NotFound):
                visitors.public_agent(s, slug)


def test_start_stores_the_welcome_and_lists_the_visitors_own_chats(world, visitor):
    with db.session_scope() as s:
        assert chats.list_conversations(s, world.agent_id, visitor) == []
        first = chats.start_conversation(s, world.agent_id, visitor)
        second = chats.start_conversation(s, world.agent_id, visitor)
        assert first.title == "" and first.preview == "Welcome to reception-clinic!"
    with db.session_scope() as s:
        listed = chats.list_conversations(s, world.agent_id, visitor)
        assert {c.id for c in listed} == {first.id, second.id}
        shown = chats.messages(s, world.agent_id, visitor, first.id)
        assert [(m.role, m.content, m.status) for m in shown] == [
            ("agent", "Welcome to reception-clinic!", "ok")
        ]
        conv = s.get(Conversation, first.id)
        assert conv.visitor_id == visitor and not conv.test and conv.captured == {}
        # A string id from an event or a URL works too.
        assert chats.messages(s, world.agent_id, visitor, str(first.id)) == shown


def test_another_visitor_agent_or_organization_reaches_nothing(world, visitor):
    other_visitor = visitors.visitor_key(visitors.new_visitor_token())
    with db.session_scope() as s:
        conv = chats.start_conversation(s, world.agent_id, visitor)
        shop = chats.start_conversation(s, world.other_agent_id, visitor)
        welcome = chats.messages(s, world.agent_id, visitor, conv.id)[0]
    with db.session_scope() as s:
        assert chats.list_conversations(s, world.agent_id, other_visitor) == []
        # The same visitor with the other organization's agent sees only that chat.
        assert [c.id for c in chats.list_conversations(s, world.other_agent_id, visitor)] == [
            shop.id
        ]
        attempts = [
            (world.agent_id, other_visitor, conv.id),  # another visitor
            (world.other_agent_id, visitor, conv.id),  # another organization's agent
            (world.agent_id, visitor, shop.id),  # the shop's chat through the clinic
            (world.agent_id, "member:1", conv.id),  # a member key without the member
            (world.agent_id, visitor.upper(), conv.id),
            (world.agent_id, visitor, 10**12),
            (world.agent_id, visitor, "1 or 1=1"),
        ]
        for agent_id, key, conv_id in attempts:
            with pytest.raises(NotFound):
                chats.messages(s, agent_id, key, conv_id)
        with pytest.raises(NotFound):
            chats.set_feedback(s, world.agent_id, other_visitor, welcome.id, "like")
        with pytest.raises(NotFound):
            chats.set_feedback(s, world.other_agent_id, visitor, welcome.id, "like")
        with pytest.raises(NotFound):
            chats.set_feedback(s, world.agent_id, visitor, welcome.id, "like", member=world.owner)
        # A private agent takes no visitors; an unknown one is not found.
        with pytest.raises(PermissionDenied, match="private"):
            chats.start_conversation(s, world.private_agent_id, visitor)
        with pytest.raises(NotFound):
            chats.start_conversation(s, 10**6, visitor)


def test_feedback_on_agent_messages_only(world, visitor):
    with db.session_scope() as s:
        conv = chats.start_conversation(s, world.agent_id, visitor)
        welcome = chats.messages(s, world.agent_id, visitor, conv.id)[0]
        assert chats.set_feedback(s, world.agent_id, visitor, welcome.id, "like").feedback == "like"
        assert chats.set_feedback(s, world.agent_id, visitor, welcome.id, "dislike").feedback == (
            "dislike"
        )
        assert chats.set_feedback(s, world.agent_id, visitor, welcome.id, "").feedback == ""
        with pytest.raises(ValidationError):
            chats.set_feedback(s, world.agent_id, visitor, welcome.id, "love")
        s.add(Message(conversation_id=conv.id, role="visitor", content="hi"))
        s.flush()
        mine = s.exec(select(Message).where(Message.role == "visitor")).one()
        with pytest.raises(NotFound):
            chats.set_feedback(s, world.agent_id, visitor, mine.id, "like")


def test_playground_is_the_members_own_test_chats(world, visitor):
    key = visitors.member_key(world.owner.user_id)
    with db.session_scope() as s:
        test = chats.start_conversation(s, world.private_agent_id, key, member=world.owner)
        conv = s.get(Conversation, test.id)
        assert conv.test and conv.member_id == world.owner.user_id
        assert [
            c.id
            for c in chats.list_conversations(s, world.private_agent_id, key, member=world.owner)
        ] == [test.id]
        # Not visible as a visitor's chat, nor to a member under another key.
        with pytest.raises(NotFound):
            chats.list_conversations(s, world.private_agent_id, key)
        with pytest.raises(NotFound):
            chats.messages(s, world.agent_id, key, test.id)
        with pytest.raises(NotFound):
            chats.messages(
                s, world.private_agent_id, visitors.member_key(999), test.id, member=world.owner
            )
        # A visitor's conversation is not a member's, even with the visitor's key.
        public = chats.start_conversation(s, world.agent_id, visitor)
        with pytest.raises(NotFound):
            chats.messages(s, world.agent_id, visitor, public.id, member=world.owner)
        # A member without access to the agent, and another organization's owner: not found.
        user_key = visitors.member_key(world.user.user_id)
        with pytest.raises(NotFound):
            chats.start_conversation(s, world.agent_id, user_key, member=world.user)
        other_key = visitors.member_key(world.other_owner.user_id)
        with pytest.raises(NotFound):
            chats.start_conversation(s, world.agent_id, other_key, member=world.other_owner)
        with pytest.raises(NotFound):
            chats.messages(s, world.private_agent_id, other_key, test.id, member=world.other_owner)


def test_starting_conversations_is_rate_limited(world, visitor):
    with db.session_scope() as s:
        for _ in range(chats.STARTS_PER_VISITOR.amount):
            chats.start_conversation(s, world.agent_id, visitor)
    with db.session_scope() as s:
        before = s.exec(select(func.count()).select_from(Conversation)).one()
        with pytest.raises(Exception, match="too quickly"):
            chats.start_conversation(s, world.agent_id, visitor)
        assert s.exec(select(func.count()).select_from(Conversation)).one() == before
