"""History services (services/chat/history/) against SQLite (and PostgreSQL when
CRM_TEST_POSTGRES_URL is set): a clinic whose agent has chats from two contacts, two
anonymous visitors and a member's Playground, a second agent, and another organization."""

from __future__ import annotations

import hashlib
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event
from sqlmodel import select

from crm_app import db
from crm_app.models import (
    Agent,
    AuditLog,
    Conversation,
    Membership,
    Message,
    Organization,
    RevisedAnswer,
    User,
)
from crm_app.services import fields, principal, stages, timeline
from crm_app.services.access import Actor
from crm_app.services.chat import history
from crm_app.services.contacts import Origin, save_contact
from crm_app.services.errors import NotFound, PermissionDenied, ValidationError

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def visitor(name: str) -> str:
    return hashlib.sha256(name.encode()).hexdigest()


@dataclass
class World:
    agent_id: int
    other_agent_id: int
    maria: str
    john: str
    owner: Actor
    user: Actor  # role User with the agent
    stranger: Actor  # role User without it
    outsider: Actor  # Owner of another organization
    convs: dict[str, int]
    messages: dict[str, int]


def add_chat(
    s,
    agent_id,
    *,
    at,
    contact_id=None,
    visitor_id="",
    title="",
    test=False,
    member_id=None,
    lines=(),
):
    conv = Conversation(
        agent_id=agent_id,
        contact_id=contact_id,
        visitor_id=visitor_id,
        title=title,
        test=test,
        member_id=member_id,
        created_at=at,
        updated_at=at,
        last_message_at=at,
    )
    s.add(conv)
    s.flush()
    ids = []
    for i, (role, text, *extra) in enumerate(lines):
        m = Message(
            conversation_id=conv.id,
            role=role,
            content=text,
            created_at=at + timedelta(seconds=i),
            **(extra[0] if extra else {}),
        )
        s.add(m)
        s.flush()
        ids.append(m.id)
    return conv.id, ids


@pytest.fixture()
def world(engine) -> World:
    with db.session_scope() as s:
        clinic, shop = Organization(name="Sunrise Clinic"), Organization(name="Shop")
        people = {
            "owner": User(email="dana@clinic.example", first_name="Dana", last_name="Whitfield"),
            "user": User(email="sam@clinic.example", first_name="Sam", last_name="Staff"),
            "stranger": User(email="kim@clinic.example", first_name="Kim", last_name="Other"),
            "outsider": User(email="owner@shop.example", first_name="Olga", last_name="Shop"),
        }
        s.add_all([clinic, shop, *people.values()])
        s.flush()
        agent = Agent(org_id=clinic.id, name="Reception", slug="reception")
        second = Agent(org_id=clinic.id, name="Billing", slug="billing")
        foreign = Agent(org_id=shop.id, name="Shop bot", slug="shop-bot")
        s.add_all([agent, second, foreign])
        s.flush()
        for a in (agent, second, foreign):
            fields.install_default_fields(s, a.id)
            stages.install_default_stages(s, a.id)
        roles = {
            "owner": ("Owner", clinic, []),
            "user": ("User", clinic, [agent.id]),
            "stranger": ("User", clinic, [second.id]),
            "outsider": ("Owner", shop, []),
        }
        for key, (role, org, agent_ids) in roles.items():
            s.add(Membership(org_id=org.id, user_id=people[key].id, role=role, agent_ids=agent_ids))
        s.flush()
        actors = {k: principal.member(s, people[k].id, roles[k][1].id) for k in people}
        origin = Origin.member(actors["owner"])
        maria = save_contact(
            s,
            agent,
            {"name": "Maria Lopez", "email": "maria@example.com", "phone": "+1 415 555 0101"},
            source="Chat",
            origin=origin,
        ).contact
        john = save_contact(
            s,
            agent,
            {"name": "John Doe", "email": "john@example.com"},
            source="Chat",
            origin=origin,
        ).contact
        convs, msgs = {}, {}
        convs["maria1"], ids = add_chat(
            s,
            agent.id,
            at=T0,
            contact_id=maria.id,
            visitor_id=visitor("maria"),
            lines=[
                ("agent", "Welcome to Sunrise Clinic!"),
                ("visitor", "What are your opening hours?"),
                ("agent", "We open at 9."),
                ("visitor", "Thanks"),
                (
                    "agent",
                    "Sorry, I can't answer right now.",
                    {"status": "error", "data": {"error": "HTTP 502 from provider"}},
                ),
            ],
        )
        msgs["welcome"], msgs["hours_q"], msgs["hours_a"], _, msgs["error"] = ids
        convs["maria2"], _ = add_chat(
            s,
            agent.id,
            at=T0 + timedelta(hours=5),
            contact_id=maria.id,
            visitor_id=visitor("maria"),
            title="Booking a check-up",
            lines=[("visitor", "Book me for Tuesday"), ("agent", "Done!", {"feedback": "like"})],
        )
        convs["john"], _ = add_chat(
            s,
            agent.id,
            at=T0 + timedelta(hours=2),
            contact_id=john.id,
            visitor_id=visitor("john"),
            lines=[("visitor", "hi")],
        )
        convs["anon1"], ids = add_chat(
            s,
            agent.id,
            at=T0 + timedelta(hours=3),
            visitor_id=visitor("anon1"),
            lines=[("visitor", "What are your opening hours?"), ("agent", "Mostly mornings.")],
        )
        msgs["anon_hours_a"] = ids[1]
        convs["anon1b"], _ = add_chat(
            s, agent.id, at=T0 + timedelta(hours=1), visitor_id=visitor("anon1"), lines=[]
        )
        convs["anon2"], _ = add_chat(
            s, agent.id, at=T0 + timedelta(hours=4), visitor_id=visitor("anon2"), lines=[]
        )
        convs["play"], ids = add_chat(
            s,
            agent.id,
            at=T0 + timedelta(hours=1, minutes=30),
            visitor_id=f"member:{people['owner'].id}",
            test=True,
            member_id=people["owner"].id,
            lines=[("member", "Do you take Aetna?"), ("agent", "Let me check.")],
        )
        msgs["play_a"] = ids[1]
        # Another agent's and another organization's chats never show.
        convs["billing"], _ = add_chat(
            s, second.id, at=T0 + timedelta(days=1), visitor_id=visitor("b"), lines=[]
        )
        convs["shop"], ids = add_chat(
            s,
            foreign.id,
            at=T0 + timedelta(days=1),
            visitor_id=visitor("s"),
            lines=[("visitor", "q"), ("agent", "a")],
        )
        msgs["shop_a"] = ids[1]
        return World(
            agent.id,
            second.id,
            maria.id,
            john.id,
            actors["owner"],
            actors["user"],
            actors["stranger"],
            actors["outsider"],
            convs,
            msgs,
        )


def test_users_newest_activity_first_with_anonymous_and_playground(world):
    with db.session_scope() as s:
        page = history.history_users(s, world.user, world.agent_id)
    assert [(u.name, u.chats, u.test) for u in page.users] == [
        ("Maria Lopez", 2, False),
        ("Anonymous User", 1, False),  # anon2, 4h
        ("Anonymous User", 2, False),  # anon1, 3h
        ("John Doe", 1, False),
        ("Dana Whitfield", 1, True),  # the owner's Playground
    ]
    assert page.users[0].key == world.maria and page.users[0].contact_id == world.maria
    assert page.users[1].key == "v:" + visitor("anon2")[:16]
    assert page.users[1].contact_id is None
    assert page.more is False


def test_users_limit_says_there_is_more(world):
    with db.session_scope() as s:
        page = history.history_users(s, world.owner, world.agent_id, limit=2)
    assert [u.name for u in page.users] == ["Maria Lopez", "Anonymous User"] and page.more


@pytest.mark.parametrize(
    "term, names",
    [
        ("maria", ["Maria Lopez"]),
        ("LOPEZ", ["Maria Lopez"]),
        ("john@example", ["John Doe"]),
        ("555-0101", ["Maria Lopez"]),
        ("anonymous", ["Anonymous User", "Anonymous User"]),
        ("dana", ["Dana Whitfield"]),
        ("nobody", []),
    ],
)
def test_search_users(world, term, names):
    with db.session_scope() as s:
        page = history.history_users(s, world.owner, world.agent_id, term)
    assert [u.name for u in page.users] == names


def test_chats_of_a_contact_untitled_and_counts(world):
    with db.session_scope() as s:
        found = history.history_chats(s, world.user, world.agent_id, world.maria)
    assert found.user.name == "Maria Lopez" and found.user.contact_id == world.maria
    assert [(c.title, c.messages, c.test) for c in found.chats] == [
        ("Booking a check-up", 2, False),
        ("Untitled Conversation", 5, False),
    ]


def test_chats_of_an_anonymous_visitor_and_a_playground_member(world):
    with db.session_scope() as s:
        users = history.history_users(s, world.owner, world.agent_id).users
        anon = history.history_chats(s, world.owner, world.agent_id, users[2].key)
        play = history.history_chats(s, world.owner, world.agent_id, users[4].key)
    assert anon.user.name == "Anonymous User" and anon.user.contact_id is None
    assert [c.id for c in anon.chats] == [world.convs["anon1"], world.convs["anon1b"]]
    assert [c.messages for c in anon.chats] == [2, 0]
    assert play.user.name == "Dana Whitfield" and play.user.test
    assert [(c.id, c.test) for c in play.chats] == [(world.convs["play"], True)]


@pytest.mark.parametrize("key", ["", "v:", "v:zz", "v:member:x", "v:" + "a" * 17, "nope"])
def test_chats_of_an_unknown_user(world, key):
    with db.session_scope() as s, pytest.raises(NotFound):
        history.history_chats(s, world.owner, world.agent_id, key)


def test_transcript_in_order_with_feedback_error_and_question(world):
    with db.session_scope() as s:
        t = history.history_transcript(s, world.user, world.agent_id, world.convs["maria1"])
        booked = history.history_transcript(s, world.user, world.agent_id, world.convs["maria2"])
    assert t.title == "Untitled Conversation" and t.contact_id == world.maria
    assert t.user_key == world.maria and t.user_name == "Maria Lopez"
    assert [m.content for m in t.messages][:3] == [
        "Welcome to Sunrise Clinic!",
        "What are your opening hours?",
        "We open at 9.",
    ]
    assert [m.who for m in t.messages[:2]] == ["Reception", "Maria Lopez"]
    assert t.messages[0].question == "" and t.messages[2].question == "What are your opening hours?"
    assert t.messages[4].status == "error" and t.messages[4].error == "HTTP 502 from provider"
    assert t.messages[4].question == "Thanks"
    assert booked.messages[1].feedback == "like" and booked.messages[1].error == ""


def test_playground_transcript_is_marked_and_the_member_asks(world):
    with db.session_scope() as s:
        t = history.history_transcript(s, world.owner, world.agent_id, world.convs["play"])
    assert t.test and t.contact_id is None and t.user_name == "Dana Whitfield"
    assert t.messages[1].question == "Do you take Aetna?"


def test_revise_answer_stores_replaces_and_shows_everywhere_the_question_was_asked(world):
    with db.session_scope() as s:
        first = history.revise_answer(
            s, world.owner, world.agent_id, world.messages["hours_a"], "  Mon-Fri 8am-6pm.  "
        )
    assert first.question == "What are your opening hours?" and first.answer == "Mon-Fri 8am-6pm."
    with db.session_scope() as s:
        second = history.revise_answer(
            s, world.owner, world.agent_id, world.messages["anon_hours_a"], "Mon-Sat 8am-6pm."
        )
        rows = s.exec(select(RevisedAnswer)).all()
        t = history.history_transcript(s, world.owner, world.agent_id, world.convs["maria1"])
        audits = s.exec(select(AuditLog).where(AuditLog.resource == "Revised Answer")).all()
    assert second.id == first.id
    assert [(r.question, r.answer) for r in rows] == [
        ("What are your opening hours?", "Mon-Sat 8am-6pm.")
    ]
    assert t.messages[2].revised == "Mon-Sat 8am-6pm." and t.messages[0].revised == ""
    assert [a.action for a in audits] == ["Create", "Update"]
    assert "opening hours" not in " ".join(a.description for a in audits)


def test_revise_answer_checks_the_answer_and_the_message(world):
    with db.session_scope() as s:
        for answer in ("", "   ", "x" * 4001):
            with pytest.raises(ValidationError) as err:
                history.revise_answer(
                    s, world.owner, world.agent_id, world.messages["hours_a"], answer
                )
            assert err.value.field == "answer"
        history.revise_answer(s, world.owner, world.agent_id, world.messages["hours_a"], "x" * 4000)
        with pytest.raises(ValidationError, match="no visitor question"):
            history.revise_answer(s, world.owner, world.agent_id, world.messages["welcome"], "Hi")
        for bad in (world.messages["hours_q"], world.messages["shop_a"], 10**9, "x", "1" * 30):
            with pytest.raises(NotFound, match="Message not found"):
                history.revise_answer(s, world.owner, world.agent_id, bad, "Hi")


def test_revise_answer_in_the_playground(world):
    with db.session_scope() as s:
        revision = history.revise_answer(
            s, world.owner, world.agent_id, world.messages["play_a"], "Yes, we take Aetna."
        )
    assert revision.question == "Do you take Aetna?"


def test_delete_revision(world):
    with db.session_scope() as s:
        history.revise_answer(s, world.owner, world.agent_id, world.messages["hours_a"], "9-5")
        history.delete_revision(s, world.owner, world.agent_id, world.messages["anon_hours_a"])
        assert s.exec(select(RevisedAnswer)).all() == []
        with pytest.raises(NotFound):
            history.delete_revision(s, world.owner, world.agent_id, world.messages["hours_a"])


def test_revising_needs_the_admin_role(world):
    with db.session_scope() as s, pytest.raises(PermissionDenied):
        history.revise_answer(s, world.user, world.agent_id, world.messages["hours_a"], "9-5")


@pytest.mark.parametrize("who", ["stranger", "outsider"])
def test_members_without_the_agent_are_refused(world, who):
    actor = getattr(world, who)
    with db.session_scope() as s:
        for call in (
            lambda: history.history_users(s, actor, world.agent_id),
            lambda: history.history_chats(s, actor, world.agent_id, world.maria),
            lambda: history.history_transcript(s, actor, world.agent_id, world.convs["maria1"]),
        ):
            with pytest.raises(NotFound, match="Agent not found"):
                call()
        # Revising needs Admin first: the stranger (a User) is refused for the role.
        with pytest.raises((NotFound, PermissionDenied)):
            history.revise_answer(s, actor, world.agent_id, world.messages["hours_a"], "x")


def test_another_agents_ids_are_not_found(world):
    with db.session_scope() as s:
        with pytest.raises(NotFound, match="Conversation not found"):
            history.history_transcript(s, world.owner, world.agent_id, world.convs["billing"])
        with pytest.raises(NotFound, match="Conversation not found"):
            history.history_transcript(s, world.owner, world.agent_id, world.convs["shop"])
        with pytest.raises(NotFound, match="User not found"):
            history.history_chats(s, world.owner, world.other_agent_id, world.maria)
        assert history.history_users(s, world.owner, world.other_agent_id).users[0].chats == 1


def test_api_keys_and_the_system_cannot_open_history(world):
    system = principal.system(world.owner.org_id, "test")
    with db.session_scope() as s, pytest.raises(PermissionDenied):
        history.history_users(s, system, world.agent_id)


# ---------------------------------------------------------------- the contact's Chat Conversation tab


def test_contact_tab_lists_the_contacts_chats_without_playground_tests(world):
    with db.session_scope() as s:
        add_chat(s, world.agent_id, at=T0 + timedelta(days=2), contact_id=world.maria, test=True)
    with db.session_scope() as s:
        convs = timeline.list_conversations(s, world.user, world.agent_id, world.maria)
        shown = timeline.read_transcript(s, world.user, world.agent_id, world.maria, convs[1]["id"])
        with pytest.raises(NotFound):
            timeline.read_transcript(s, world.user, world.agent_id, world.john, convs[1]["id"])
    assert [(c["title"], c["messages"]) for c in convs] == [
        ("Booking a check-up", 2),
        ("Untitled Conversation", 5),
    ]
    assert shown[4]["error"] == "HTTP 502 from provider" and shown[1]["who"] == "Maria Lopez"


@contextmanager
def statements(engine):
    seen = []

    def count(*_):
        seen.append(1)

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", count)


def test_queries_do_not_grow_with_the_rows(world, engine):
    """No query per row: more contacts and chats, the same number of statements."""

    def run():
        with db.session_scope() as s, statements(engine) as seen:
            history.history_users(s, world.owner, world.agent_id)
            history.history_chats(s, world.owner, world.agent_id, world.maria)
            timeline.list_conversations(s, world.owner, world.agent_id, world.maria)
        return len(seen)

    before = run()
    with db.session_scope() as s:
        agent = s.get(Agent, world.agent_id)
        for i in range(5):
            contact = save_contact(
                s,
                agent,
                {"name": f"Extra {i}", "email": f"x{i}@example.com"},
                source="Chat",
                origin=Origin.member(world.owner),
            ).contact
            add_chat(
                s,
                agent.id,
                at=T0 + timedelta(minutes=i),
                contact_id=contact.id,
                lines=[("visitor", "hi"), ("agent", "hello")],
            )
            add_chat(
                s,
                agent.id,
                at=T0 + timedelta(minutes=i),
                contact_id=world.maria,
                lines=[("visitor", "again")],
            )
            add_chat(s, agent.id, at=T0, visitor_id=visitor(f"extra{i}"))
    assert run() == before


@pytest.mark.parametrize("batch", [1, 2, 3])
def test_the_walk_in_small_batches_finds_the_same_users(world, monkeypatch, batch):
    with db.session_scope() as s:
        whole = history.history_users(s, world.owner, world.agent_id)
        monkeypatch.setattr(history.users, "WALK_BATCH", batch)  # the walk reads it there
        walked = history.history_users(s, world.owner, world.agent_id)
        first = history.history_users(s, world.owner, world.agent_id, limit=3)
    assert walked == whole
    assert first.users == whole.users[:3] and first.more
