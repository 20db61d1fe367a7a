"""Restrict sign-in: only an allowed contact of the agent gets a code and a session; anyone
else gets the same answer and nothing; codes lock, expire and are rate limited; access is
re-checked on every message and sign-out ends it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import func, select

from crm_app import db
from crm_app.models import (
    AccessPass,
    Agent,
    Contact,
    Conversation,
    GuestSession,
    LoginCode,
    SentEmail,
    utcnow,
)
from crm_app.services import auth
from crm_app.services.chat import conversations as chats
from crm_app.services.chat.history import users as history_users
from crm_app.services.errors import NotFound, PermissionDenied, RateLimited, ValidationError
from crm_app.services.gate import access, signin
from tests.mailbox import code_in, inbox
from tests.unit.gate.conftest import add_contact, set_agent

ANN = "ann@patients.example"


def _agent(s, agent_id: int) -> Agent:
    return s.get(Agent, agent_id)


def send(agent_id: int, email: str, ip: str = "203.0.113.7") -> str:
    with db.session_scope() as s:
        return signin.send_code(s, _agent(s, agent_id), email, ip)


def verify(agent_id: int, visitor: str, email: str, code: str, ip: str = "203.0.113.7"):
    with db.session_scope() as s:
        guest = signin.verify(s, _agent(s, agent_id), visitor, email, code, ip)
        return guest.id, guest.contact_id, guest.expires_at - guest.created_at


def state(agent_id: int, visitor: str) -> access.Access:
    with db.session_scope() as s:
        return access.visitor_access(s, _agent(s, agent_id), visitor)


def mails_to(email: str) -> int:
    with db.session_scope() as s:
        return s.exec(
            select(func.count()).select_from(SentEmail).where(SentEmail.to == email)
        ).one()


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


def test_a_contact_signs_in_with_the_emailed_code_and_chats_as_themself(
    gated, new_visitor, engine_reply, run_turn
):
    with db.session_scope() as s:
        contact_id = add_contact(s, gated.agent_id, ANN, "Ann Lopez")
    me = new_visitor()
    assert state(gated.agent_id, me).state == "sign_in"
    with db.session_scope() as s, pytest.raises(PermissionDenied, match="Please sign in"):
        chats.start_conversation(s, gated.agent_id, me)
    assert send(gated.agent_id, "  Ann@Patients.Example ") == ANN
    mail = inbox(ANN)
    assert "Reception-Clinic" in mail["subject"] and "Reception-Clinic" in mail["body"]
    _id, who, lasts = verify(gated.agent_id, me, ANN, code_in(mail))
    assert who == contact_id and lasts == timedelta(days=30)
    now = state(gated.agent_id, me)
    assert (now.state, now.contact_id, now.name, now.email) == (
        "open",
        contact_id,
        "Ann Lopez",
        ANN,
    )
    # Their conversations belong to their contact, and History names them.
    with db.session_scope() as s:
        conv = chats.start_conversation(s, gated.agent_id, me)
    run_turn(gated.agent_id, me, conv.id, "Hello there")
    with db.session_scope() as s:
        assert s.get(Conversation, conv.id).contact_id == contact_id
        listed = history_users.history_users(s, gated.world.owner, gated.agent_id)
    assert [u.name for u in listed.users] == ["Ann Lopez"]
    # The code works once.
    with pytest.raises(ValidationError, match="already been used"):
        verify(gated.agent_id, new_visitor(), ANN, code_in(mail))


def test_a_stranger_gets_the_same_answer_and_no_email_and_no_way_in(gated, new_visitor):
    with db.session_scope() as s:
        add_contact(s, gated.agent_id, ANN, "Ann Lopez")
        # The same address is a contact of the other organization's agent: no way in here.
        add_contact(s, gated.other_agent_id, "zoe@patients.example", "Zoe")
    answers = [send(gated.agent_id, e) for e in (ANN, "zoe@patients.example", "bob@x.example")]
    assert answers == [ANN, "zoe@patients.example", "bob@x.example"]
    assert mails_to(ANN) == 1
    assert mails_to("zoe@patients.example") == 0 and mails_to("bob@x.example") == 0
    with db.session_scope() as s:
        rows = {r.email: r for r in s.exec(select(LoginCode))}
    assert rows[ANN].code_hash and rows["bob@x.example"].code_hash is None
    assert rows["bob@x.example"].purpose == rows[ANN].purpose == f"agent:{gated.agent_id}"
    # Every guess is "not correct", exactly as a contact's wrong guess, and five lock.
    me = new_visitor()
    for attempt in range(1, 6):
        with pytest.raises(ValidationError) as wrong_guess:
            verify(gated.agent_id, me, "bob@x.example", f"{attempt:06d}")
    assert wrong_guess.value.message == auth.MSG_TOO_MANY
    assert state(gated.agent_id, me).state == "sign_in"


def test_a_code_for_one_agent_or_the_dashboard_does_not_open_another(gated, new_visitor):
    with db.session_scope() as s:
        add_contact(s, gated.agent_id, ANN, "Ann Lopez")
        add_contact(s, gated.other_agent_id, ANN, "Ann at the shop")
    set_agent(gated.other_agent_id, access_mode="Restrict")
    send(gated.other_agent_id, ANN)
    shop_code = code_in(inbox(ANN))
    with pytest.raises(ValidationError, match="Request a code first"):
        verify(gated.agent_id, new_visitor(), ANN, shop_code)
    with db.session_scope() as s:
        auth.request_code(s, ANN)  # a dashboard code
    with pytest.raises(ValidationError, match="Request a code first"):
        verify(gated.agent_id, new_visitor(), ANN, code_in(inbox(ANN)))
    me = new_visitor()
    _id, shop_contact, _ = verify(gated.other_agent_id, me, ANN, shop_code)
    assert state(gated.other_agent_id, me).contact_id == shop_contact
    assert state(gated.agent_id, me).state == "sign_in"  # a session is for one agent only


@pytest.mark.parametrize(
    "rule, contact, allowed",
    [
        ({}, {"status": "Active"}, True),
        ({}, {"status": "Inactive"}, False),
        ({}, {"status": "Blocked"}, False),
        ({"statuses": ["Active", "Inactive"]}, {"status": "Inactive"}, True),
        ({"statuses": ["Active", "Blocked"]}, {"status": "Blocked"}, False),  # never Blocked
        ({}, {"status": "Active", "archived": True}, False),
        ({"stage_ids": ["customer"]}, {"stage": "customer"}, True),
        ({"stage_ids": ["customer"]}, {"stage": "lead"}, False),
        ({"stage_ids": ["customer"]}, {}, False),
        ({"stage_ids": ["customer", "lead"]}, {"stage": "lead"}, True),
    ],
)
def test_the_rule_decides_who_gets_a_code(gated, rule, contact, allowed):
    stage_ids = {"customer": gated.customer_id, "lead": gated.lead_id}
    if "stage_ids" in rule:
        rule = {**rule, "stage_ids": [stage_ids[x] for x in rule["stage_ids"]]}
    set_agent(gated.agent_id, gate_rule=rule)
    extra = {k: v for k, v in contact.items() if k in ("status", "archived")}
    if "stage" in contact:
        extra["stage_id"] = stage_ids[contact["stage"]]
    with db.session_scope() as s:
        add_contact(s, gated.agent_id, ANN, "Ann Lopez", **extra)
    assert send(gated.agent_id, ANN) == ANN
    assert mails_to(ANN) == (1 if allowed else 0)


def test_moved_out_of_the_rule_loses_access_on_the_next_message(
    gated, new_visitor, engine_reply, run_turn
):
    set_agent(gated.agent_id, gate_rule={"stage_ids": [gated.customer_id]})
    with db.session_scope() as s:
        contact_id = add_contact(s, gated.agent_id, ANN, "Ann Lopez", stage_id=gated.customer_id)
    me = new_visitor()
    send(gated.agent_id, ANN)
    verify(gated.agent_id, me, ANN, code_in(inbox(ANN)))
    with db.session_scope() as s:
        conv = chats.start_conversation(s, gated.agent_id, me)
    run_turn(gated.agent_id, me, conv.id, "First question")
    for change in ({"stage_id": gated.lead_id}, {"archived": True}, {"status": "Blocked"}):
        with db.session_scope() as s:
            contact = s.get(Contact, contact_id)
            before = {k: getattr(contact, k) for k in change}
            for key, value in change.items():
                setattr(contact, key, value)
            s.add(contact)
        with pytest.raises(PermissionDenied) as refused:
            run_turn(gated.agent_id, me, conv.id, "Still there?")
        assert refused.value.message == access.MSG_LOST
        lost = state(gated.agent_id, me)
        assert lost.state == "sign_in" and lost.lost
        with db.session_scope() as s:  # nothing was stored
            stored = s.exec(
                select(func.count()).where(Conversation.id == conv.id).select_from(Conversation)
            ).one()
            assert stored == 1
            contact = s.get(Contact, contact_id)
            for key, value in before.items():
                setattr(contact, key, value)
            s.add(contact)
        run_turn(gated.agent_id, me, conv.id, "Back again")
    # Switching the agent to Private shuts everyone out; Use for Free lets everyone in.
    set_agent(gated.agent_id, visibility="Private")
    with pytest.raises(PermissionDenied, match="private"):
        run_turn(gated.agent_id, me, conv.id, "Hello?")
    set_agent(gated.agent_id, visibility="Public", access_mode="Use for Free")
    assert state(gated.agent_id, new_visitor()).state == "open"


def test_five_wrong_codes_lock_until_a_new_code_is_requested(gated, new_visitor):
    with db.session_scope() as s:
        add_contact(s, gated.agent_id, ANN, "Ann Lopez")
    me = new_visitor()
    send(gated.agent_id, ANN)
    code = code_in(inbox(ANN))
    messages = []
    for _ in range(5):
        with pytest.raises(ValidationError) as error:
            verify(gated.agent_id, me, ANN, wrong(code))
        messages.append(error.value.message)
    assert messages == [auth.MSG_BAD_CODE] * 4 + ["Too many attempts. Please request a new code."]
    with pytest.raises(ValidationError, match="Too many attempts"):
        verify(gated.agent_id, me, ANN, code)  # even the right one, now
    assert state(gated.agent_id, me).state == "sign_in"
    send(gated.agent_id, ANN)
    verify(gated.agent_id, me, ANN, code_in(inbox(ANN)))
    assert state(gated.agent_id, me).state == "open"


def test_an_expired_code_or_session_lets_nobody_in(gated, new_visitor):
    with db.session_scope() as s:
        add_contact(s, gated.agent_id, ANN, "Ann Lopez")
    me = new_visitor()
    send(gated.agent_id, ANN)
    with db.session_scope() as s:
        row = s.exec(select(LoginCode).where(LoginCode.email == ANN)).one()
        row.expires_at = utcnow() - timedelta(seconds=1)
        s.add(row)
    with pytest.raises(ValidationError, match="expired"):
        verify(gated.agent_id, me, ANN, code_in(inbox(ANN)))
    send(gated.agent_id, ANN)
    guest_id, _, _ = verify(gated.agent_id, me, ANN, code_in(inbox(ANN)))
    with db.session_scope() as s:
        guest = s.get(GuestSession, guest_id)
        guest.expires_at = utcnow() - timedelta(seconds=1)
        s.add(guest)
    assert state(gated.agent_id, me).state == "sign_in"


def test_sign_out_ends_the_session(gated, new_visitor):
    with db.session_scope() as s:
        add_contact(s, gated.agent_id, ANN, "Ann Lopez")
    me, other_browser = new_visitor(), new_visitor()
    for visitor in (me, other_browser):
        send(gated.agent_id, ANN)
        verify(gated.agent_id, visitor, ANN, code_in(inbox(ANN)))
    with db.session_scope() as s:
        assert signin.sign_out(s, _agent(s, gated.agent_id), me) == 1
        assert signin.sign_out(s, _agent(s, gated.agent_id), me) == 0
        assert signin.sign_out(s, _agent(s, gated.agent_id), "not a key") == 0
    assert state(gated.agent_id, me).state == "sign_in"
    assert not state(gated.agent_id, me).lost
    assert state(gated.agent_id, other_browser).state == "open"  # only this browser


def test_codes_are_limited_per_email_and_per_network(gated, new_visitor, monkeypatch):
    with db.session_scope() as s:
        add_contact(s, gated.agent_id, ANN, "Ann Lopez")
    for _ in range(auth.CODES_PER_EMAIL):
        send(gated.agent_id, ANN, ip="198.51.100.1")
    with pytest.raises(RateLimited, match="this email"):
        send(gated.agent_id, ANN, ip="198.51.100.2")
    for _ in range(auth.CODES_PER_EMAIL):  # a stranger's address: the very same limit
        send(gated.agent_id, "bob@x.example", ip="198.51.100.3")
    with pytest.raises(RateLimited, match="this email"):
        send(gated.agent_id, "bob@x.example", ip="198.51.100.4")
    monkeypatch.setattr(auth, "codes_per_ip", lambda: 3)
    for n in range(3):
        send(gated.agent_id, f"p{n}@x.example", ip="198.51.100.9")
    with pytest.raises(RateLimited, match="your network"):
        send(gated.agent_id, "p9@x.example", ip="198.51.100.9")


def test_wrong_codes_are_limited_per_network(gated, new_visitor):
    me = new_visitor()
    for n in range(auth.FAILED_VERIFIES_PER_IP // auth.MAX_ATTEMPTS):
        email = f"guess{n}@x.example"
        send(gated.agent_id, email, ip=f"198.51.100.{n}")
        for guess in range(auth.MAX_ATTEMPTS):
            with pytest.raises(ValidationError):
                verify(gated.agent_id, me, email, f"{guess:06d}", ip="192.0.2.1")
    with db.session_scope() as s:
        add_contact(s, gated.agent_id, ANN, "Ann Lopez")
    send(gated.agent_id, ANN, ip="198.51.100.200")
    with pytest.raises(RateLimited, match="Too many wrong codes"):
        verify(gated.agent_id, me, ANN, code_in(inbox(ANN)), ip="192.0.2.1")
    verify(gated.agent_id, me, ANN, code_in(inbox(ANN)), ip="192.0.2.2")


def test_sign_in_is_only_for_public_gated_agents_and_real_visitors(gated, new_visitor):
    with db.session_scope() as s:
        add_contact(s, gated.agent_id, ANN, "Ann Lopez")
    send(gated.agent_id, ANN)
    with pytest.raises(NotFound):
        verify(gated.agent_id, "member:1", ANN, code_in(inbox(ANN)))
    set_agent(gated.agent_id, access_mode="Use for Free")
    with pytest.raises(PermissionDenied, match="open to everyone"):
        send(gated.agent_id, ANN)
    set_agent(gated.agent_id, access_mode="Restrict", visibility="Private")
    with pytest.raises(PermissionDenied, match="private"):
        send(gated.agent_id, ANN)
    with pytest.raises(ValidationError, match="valid email"):
        set_agent(gated.agent_id, visibility="Public") or send(gated.agent_id, "not-an-email")


def test_pay_for_access_codes_go_to_buyers_only(gated, new_visitor):
    set_agent(gated.agent_id, access_mode="Pay for Access")
    with db.session_scope() as s:
        buyer = add_contact(s, gated.agent_id, ANN, "Ann Lopez")
        add_contact(s, gated.agent_id, "never@paid.example", "Nora")
        s.add(
            AccessPass(
                agent_id=gated.agent_id,
                contact_id=buyer,
                email=ANN,
                credits_total=1,
                credits_left=1,
                expires_at=utcnow() + timedelta(days=3),
            )
        )
    send(gated.agent_id, ANN)
    send(gated.agent_id, "never@paid.example")
    assert mails_to(ANN) == 1 and mails_to("never@paid.example") == 0
    me = new_visitor()
    verify(gated.agent_id, me, ANN, code_in(inbox(ANN)))
    now = state(gated.agent_id, me)
    assert (now.state, now.credits_left) == ("open", 1)
    with db.session_scope() as s:
        conv = chats.start_conversation(s, gated.agent_id, me)
    from crm_app.services.chat.turn import _accept

    _accept(gated.agent_id, me, conv.id, "one", None)
    with pytest.raises(PermissionDenied):
        _accept(gated.agent_id, me, conv.id, "two", None)
    after = state(gated.agent_id, me)
    assert (after.state, after.pass_ended) == ("paywall", "used_up")


def test_resend_waits_a_minute_for_everyone(gated, monkeypatch):
    monkeypatch.setattr(signin, "RESEND_SECONDS", 60)
    with db.session_scope() as s:
        add_contact(s, gated.agent_id, ANN, "Ann Lopez")
    for email in (ANN, "bob@x.example"):
        send(gated.agent_id, email)
        with pytest.raises(RateLimited) as early:
            send(gated.agent_id, email)
        assert early.value.message == signin.MSG_WAIT
        with db.session_scope() as s:
            for row in s.exec(select(LoginCode).where(LoginCode.email == email)):
                row.created_at -= timedelta(seconds=61)
                s.add(row)
        send(gated.agent_id, email)
    assert mails_to(ANN) == 2 and mails_to("bob@x.example") == 0


def test_the_request_does_the_same_work_for_anyone_and_the_worker_decides(gated, monkeypatch):
    """Same rows, same queued job in the request (so the same time, see
    bench/bench_gate_signin.py); only the job emails, and only an allowed contact."""
    with db.session_scope() as s:
        add_contact(s, gated.agent_id, ANN, "Ann Lopez")
    queued = []
    monkeypatch.setattr(signin, "after_commit", lambda session, *args: queued.append(args))
    for email in (ANN, "bob@x.example"):
        send(gated.agent_id, email)
    with db.session_scope() as s:
        rows = {r.email: r for r in s.exec(select(LoginCode))}
        assert [r.code_hash for r in rows.values()] == [None, None]
        assert s.exec(select(func.count()).select_from(SentEmail)).one() == 0
    assert [q[0] for q in queued] == [signin.DELIVER_TASK] * 2
    with db.session_scope() as s:
        emailed = [signin.deliver_code(s, code_id, agent_id) for _, code_id, agent_id in queued]
    assert emailed == [True, False]
    assert mails_to(ANN) == 1 and mails_to("bob@x.example") == 0
    with db.session_scope() as s:  # a job run twice sends once
        assert not signin.deliver_code(s, queued[0][1], queued[0][2])
    assert mails_to(ANN) == 1


def test_erasing_a_signed_in_contact_ends_their_sessions(gated, new_visitor):
    from crm_app.services.erase import erase_contact

    with db.session_scope() as s:
        contact_id = add_contact(s, gated.agent_id, ANN, "Ann Lopez")
    me = new_visitor()
    send(gated.agent_id, ANN)
    verify(gated.agent_id, me, ANN, code_in(inbox(ANN)))
    with db.session_scope() as s:
        chats.start_conversation(s, gated.agent_id, me)
    with db.session_scope() as s:
        erase_contact(s, gated.world.owner, gated.agent_id, contact_id)
    with db.session_scope() as s:
        assert s.exec(select(GuestSession)).all() == []
        assert s.get(Contact, contact_id) is None
    assert state(gated.agent_id, me).state == "sign_in"
