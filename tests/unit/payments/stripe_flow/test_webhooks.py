"""Stripe's webhook: signed events make contacts, passes and guest sessions; forged,
tampered, stale or unsigned ones change nothing; duplicates and out-of-order events are
safe; refunds revoke. Through the service and through the HTTP route."""

from __future__ import annotations

import logging
import time

import pytest
from sqlmodel import func, select

from crm_app import db
from crm_app.models import (
    AccessPass,
    AuditLog,
    Contact,
    GuestSession,
    OutboxEvent,
    PaymentEvent,
)
from crm_app.services.gate import access as gate
from crm_app.services.payments import webhooks
from tests.support.fake_stripe import checkout_completed, refund_event, signed
from tests.unit.payments.stripe_flow.conftest import OTHER_WEBHOOK_SECRET, WEBHOOK_SECRET, agent_of


def _count(model) -> int:
    with db.session_scope(read_only=True) as s:
        return s.exec(select(func.count()).select_from(model)).one()


def _nothing_written():
    return all(_count(m) == 0 for m in (PaymentEvent, AccessPass, GuestSession, Contact))


def _send(world, evt, secret=WEBHOOK_SECRET, org_id=None, **kw):
    body, header = signed(evt, secret, **kw)
    return webhooks.handle(org_id or world.org_id, body, header)


def test_a_paid_checkout_makes_contact_pass_and_guest_session(world, visitor):
    evt = checkout_completed(
        agent_id=world.agent_id, visitor_key=visitor, email="Pat@Example.com", credits=100
    )
    outcome = _send(world, evt)
    assert outcome.status == "processed"
    with db.session_scope(read_only=True) as s:
        contact = s.exec(select(Contact)).one()
        assert (contact.email, contact.source, contact.agent_id) == (
            "pat@example.com",
            "Payment",
            world.agent_id,
        )
        access_pass = s.exec(select(AccessPass)).one()
        assert access_pass.contact_id == contact.id and access_pass.agent_id == world.agent_id
        assert (access_pass.amount, access_pass.currency) == (900, "usd")
        assert (access_pass.credits_total, access_pass.credits_left) == (100, 100)
        assert access_pass.payment_intent_id == evt["data"]["object"]["payment_intent"]
        days = (access_pass.expires_at - access_pass.starts_at).days
        assert days == 30 and access_pass.revoked_at is None
        guest = s.exec(select(GuestSession)).one()
        assert (guest.visitor_id, guest.via, guest.contact_id) == (visitor, "payment", contact.id)
        assert 29 <= (guest.expires_at - guest.created_at).days <= 30
        kinds = {e.event_type for e in s.exec(select(OutboxEvent))}
        assert {"contact.created", "payment.completed"} <= kinds
        entry = s.exec(select(AuditLog).where(AuditLog.resource == "Payment")).one()
        assert "$9.00" in entry.description and entry.org_id == world.org_id
        stored = s.exec(select(PaymentEvent)).one()
        assert stored.stripe_event_id == evt["id"] and stored.agent_id == world.agent_id
        # The buyer's browser chats at once, with the credits shown.
        seen = gate.visitor_access(
            s, s.get(type(agent_of(world.agent_id)), world.agent_id), visitor
        )
        assert seen.state == "open" and seen.credits_left == 100


def test_an_existing_contact_is_matched_not_duplicated(world, visitor):
    for _ in range(2):
        _send(
            world, checkout_completed(agent_id=world.agent_id, visitor_key=visitor, email="a@b.co")
        )
    assert _count(Contact) == 1 and _count(AccessPass) == 2


def test_a_duplicate_event_changes_nothing(world, visitor):
    evt = checkout_completed(agent_id=world.agent_id, visitor_key=visitor, email="a@b.co")
    assert _send(world, evt).status == "processed"
    assert _send(world, evt).status == "duplicate"
    assert (_count(AccessPass), _count(PaymentEvent), _count(GuestSession)) == (1, 1, 1)


def test_an_unpaid_completion_grants_nothing(world, visitor):
    evt = checkout_completed(agent_id=world.agent_id, visitor_key=visitor, email="a@b.co")
    evt["data"]["object"]["payment_status"] = "unpaid"
    assert _send(world, evt).status == "ignored"
    assert _count(AccessPass) == 0 and _count(PaymentEvent) == 1


def test_a_refund_revokes_the_pass(world, visitor):
    evt = checkout_completed(agent_id=world.agent_id, visitor_key=visitor, email="a@b.co")
    _send(world, evt)
    pi = evt["data"]["object"]["payment_intent"]
    assert _send(world, refund_event(pi, 900)).status == "processed"
    with db.session_scope(read_only=True) as s:
        access_pass = s.exec(select(AccessPass)).one()
        assert access_pass.revoked_at is not None and access_pass.refunded_amount == 900
        assert "payment.refunded" in {e.event_type for e in s.exec(select(OutboxEvent))}
        seen = gate.visitor_access(s, agent_of(world.agent_id), visitor)
        assert (seen.state, seen.pass_ended) == ("paywall", "refunded")


def test_a_refund_before_its_completion_makes_a_pass_born_revoked(world, visitor):
    evt = checkout_completed(agent_id=world.agent_id, visitor_key=visitor, email="a@b.co")
    pi = evt["data"]["object"]["payment_intent"]
    assert _send(world, refund_event(pi, 900)).status == "ignored"  # kept, nothing to revoke
    assert _send(world, evt).status == "processed"
    with db.session_scope(read_only=True) as s:
        access_pass = s.exec(select(AccessPass)).one()
        assert access_pass.revoked_at is not None and access_pass.refunded_amount == 900
        assert gate.visitor_access(s, agent_of(world.agent_id), visitor).state == "paywall"


def test_another_organizations_early_refund_does_not_revoke(world, visitor):
    evt = checkout_completed(agent_id=world.agent_id, visitor_key=visitor, email="a@b.co")
    pi = evt["data"]["object"]["payment_intent"]
    _send(world, refund_event(pi, 900), secret=OTHER_WEBHOOK_SECRET, org_id=world.other_org_id)
    _send(world, evt)
    with db.session_scope(read_only=True) as s:
        assert s.exec(select(AccessPass)).one().revoked_at is None


def test_an_event_naming_another_organizations_agent_grants_nothing(world, visitor):
    evt = checkout_completed(agent_id=world.other_agent_id, visitor_key=visitor, email="a@b.co")
    assert _send(world, evt).status == "ignored"
    assert _count(AccessPass) == 0 and _count(Contact) == 0


def test_a_pass_without_credits_limits_by_days_only(world, visitor):
    evt = checkout_completed(
        agent_id=world.agent_id, visitor_key=visitor, email="a@b.co", credits=None, days=7
    )
    _send(world, evt)
    with db.session_scope(read_only=True) as s:
        access_pass = s.exec(select(AccessPass)).one()
        assert access_pass.credits_left is None
        assert (access_pass.expires_at - access_pass.starts_at).days == 7


# ---------------------------------------------------------------- refused deliveries


def _refused(world, body: bytes, header, org_id=None, caplog=None):
    with pytest.raises(webhooks.WebhookRefused):
        webhooks.handle(org_id or world.org_id, body, header)
    assert _nothing_written()


def test_tampered_stale_unsigned_and_wrongly_signed_events_are_refused_and_logged(
    world, visitor, caplog
):
    evt = checkout_completed(agent_id=world.agent_id, visitor_key=visitor, email="a@b.co")
    body, header = signed(evt, WEBHOOK_SECRET)
    caplog.set_level(logging.WARNING, logger="crm.payments")
    tampered = body.replace(b'"amount_total": 900', b'"amount_total": 1')
    assert tampered != body
    _refused(world, tampered, header)
    _refused(world, body, None)  # missing header
    _refused(world, body, "")
    _refused(world, *signed(evt, OTHER_WEBHOOK_SECRET))  # wrong secret
    _refused(world, *signed(evt, WEBHOOK_SECRET, timestamp=int(time.time()) - 301))  # stale
    _refused(world, body, header, org_id=world.other_org_id)  # another org's endpoint
    _refused(world, body, header, org_id=987654)  # no such organization
    _refused(world, b"not json", stripe_header := signed(evt, WEBHOOK_SECRET)[1])
    assert stripe_header
    refusals = [r for r in caplog.records if "webhook refused" in r.getMessage()]
    assert len(refusals) == 8 and all(r.levelno == logging.WARNING for r in refusals)


def test_a_signature_within_the_tolerance_is_accepted(world, visitor):
    evt = checkout_completed(agent_id=world.agent_id, visitor_key=visitor, email="a@b.co")
    assert _send(world, evt, timestamp=int(time.time()) - 250).status == "processed"


def test_the_automations_run_for_a_buyer_as_for_any_captured_contact(world, visitor):
    from crm_app.services import automations

    with db.session_scope() as s:
        automations.save_assignment(
            s,
            world.owner,
            world.agent_id,
            "captured",
            {"strategy": "selected", "member_ids": [str(world.admin.user_id)]},
            None,
        )
    _send(world, checkout_completed(agent_id=world.agent_id, visitor_key=visitor, email="n@b.co"))
    with db.session_scope(read_only=True) as s:
        contact = s.exec(select(Contact)).one()
        assert contact.primary_owner_id == world.admin.user_id and contact.stage_id is not None
