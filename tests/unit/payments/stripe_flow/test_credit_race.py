"""Each visitor message of a Pay for Access agent uses one credit atomically: 50 messages
sent at once with 10 credits left are answered exactly 10 times, the others refused with
the paywall's message and not stored (SQLite, and PostgreSQL when configured)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from sqlmodel import func, select

from crm_app import db
from crm_app.agent.base import TextDelta
from crm_app.models import AccessPass, Message
from crm_app.services.chat import conversations as chats
from crm_app.services.chat import turn as chat
from crm_app.services.chat import visitors
from crm_app.services.errors import PermissionDenied
from crm_app.services.payments import webhooks
from tests.support.fake_stripe import checkout_completed, signed
from tests.unit.payments.stripe_flow.conftest import WEBHOOK_SECRET

MESSAGES = 50
CREDITS = 10
BROWSERS = 5  # the buyer's devices: 10 messages each (within the per-visitor rate limit)


class Echo:
    name = "echo"

    def reply(self, turn):
        yield TextDelta("Noted.")


def _buyer_with_credits(world, credits: int) -> list[str]:
    """A buyer signed in on BROWSERS browsers, their pass with `credits` left."""
    keys = [visitors.visitor_key(visitors.new_visitor_token()) for _ in range(BROWSERS)]
    for key in keys:
        evt = checkout_completed(agent_id=world.agent_id, visitor_key=key, email="pat@b.co")
        webhooks.handle(world.org_id, *signed(evt, WEBHOOK_SECRET))
    with db.session_scope() as s:
        passes = s.exec(select(AccessPass)).all()
        for i, p in enumerate(passes):  # one live pass with the credits, the others ended
            if i == 0:
                p.credits_left = credits
            else:
                p.expires_at = p.starts_at - timedelta(seconds=1)
            s.add(p)
    return keys


def test_fifty_messages_with_ten_credits_left_get_exactly_ten_answers(world):
    keys = _buyer_with_credits(world, CREDITS)
    with db.session_scope() as s:
        convs = {key: chats.start_conversation(s, world.agent_id, key).id for key in keys}

    def one(i: int) -> str:
        key = keys[i % BROWSERS]
        try:
            events = list(chat.chat_turn(world.agent_id, key, convs[key], f"m{i}", engine=Echo()))
        except PermissionDenied:
            return "refused"
        return "answered" if events[-1].reply.status == "ok" else "failed"

    with ThreadPoolExecutor(max_workers=MESSAGES) as pool:
        results = list(pool.map(one, range(MESSAGES)))
    assert results.count("answered") == CREDITS
    assert results.count("refused") == MESSAGES - CREDITS
    with db.session_scope(read_only=True) as s:
        stored = s.exec(
            select(func.count()).select_from(Message).where(Message.role == "visitor")
        ).one()
        assert stored == CREDITS
        live = s.exec(select(AccessPass).where(AccessPass.credits_left.is_not(None))).all()
        assert sorted(p.credits_left for p in live) == [0] + [100] * (BROWSERS - 1)


def test_the_last_credit_then_the_paywall(world):
    (key, *_) = _buyer_with_credits(world, 1)
    with db.session_scope() as s:
        conv = chats.start_conversation(s, world.agent_id, key).id
    events = list(chat.chat_turn(world.agent_id, key, conv, "hello", engine=Echo()))
    assert events[-1].reply.status == "ok"
    try:
        list(chat.chat_turn(world.agent_id, key, conv, "again", engine=Echo()))
    except PermissionDenied as refused:
        assert "Renew" in refused.message
    else:
        raise AssertionError("a message without credits was answered")
