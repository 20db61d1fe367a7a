"""Stripe's webhook: `POST /api/payments/stripe/{org_id}/webhook` (api/payments.py).

`handle(org_id, payload, signature)`:

1. Verify: the `Stripe-Signature` header under the organization's webhook signing secret
   (`stripe.Webhook.construct_event`, 300 seconds of tolerance). A missing header, a wrong
   secret, a tampered body or a stale timestamp raise `WebhookRefused` (the route answers
   400 and logs a warning); nothing is written.
2. One transaction per event: a `PaymentEvent` row by Stripe's event id — an id already
   stored is a duplicate and changes nothing (200) —, then by type:
   - `checkout.session.completed` (and `checkout.session.async_payment_succeeded`) with
     `payment_status` "paid": the buyer becomes or updates a contact of the agent (through
     `save_contact(source="Payment")`, so the automations run as for any new contact), an
     `AccessPass` (what the metadata says was bought: days, credits; amount, currency,
     payment intent), a `GuestSession(via="payment")` for the buyer's visitor key (their
     browser chats at once), an audit entry and the outbox event `payment.completed`.
   - `charge.refunded`: the pass of that payment intent is revoked (`refunded_amount`),
     outbox `payment.refunded`. A refund that arrives before its completion is kept; the
     completion then makes a pass that is born revoked.
   - anything else is recorded and ignored.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import timedelta

import stripe
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from crm_app import db
from crm_app.models import AccessPass, Agent, GuestSession, OrgPaymentSettings, PaymentEvent, utcnow
from crm_app.services import audit, events, secret_box
from crm_app.services.chat.visitors import is_visitor_key
from crm_app.services.contacts import save_contact
from crm_app.services.errors import ServiceError
from crm_app.services.merge import Origin
from crm_app.services.payments.offer import format_amount
from crm_app.services.principal import system
from crm_app.services.values import normalize_email

log = logging.getLogger("crm.payments")

TOLERANCE = 300  # seconds: older signatures are refused (replays)
GUEST_DAYS = 30
COMPLETED = ("checkout.session.completed", "checkout.session.async_payment_succeeded")
REFUNDED = "charge.refunded"
PAYLOAD_KEEP = 20_000  # characters of the event kept on the PaymentEvent row


class WebhookRefused(Exception):
    """Not a genuine, fresh event of this organization's Stripe account: answer 400."""


@dataclass(frozen=True)
class Outcome:
    status: str  # processed | duplicate | ignored
    event_id: str
    type: str


# ---------------------------------------------------------------- verification


def _secret(org_id: int) -> str:
    with db.session_scope(read_only=True) as session:
        row = session.get(OrgPaymentSettings, org_id)
        stored = row.stripe_webhook_secret if row is not None else ""
    secret = secret_box.unseal(stored) if stored else ""
    if not secret:
        raise WebhookRefused("no readable webhook signing secret for this organization")
    return secret


def verify(org_id: int, payload: bytes, signature: str | None) -> dict:
    """The event as a plain dict, or WebhookRefused."""
    if not isinstance(org_id, int) or not 0 < org_id < 2**31:
        raise WebhookRefused("unknown organization")
    if not signature:
        raise WebhookRefused("missing Stripe-Signature header")
    secret = _secret(org_id)
    try:
        text = payload.decode("utf-8")
        stripe.Webhook.construct_event(text, signature, secret, tolerance=TOLERANCE)
        event = json.loads(text)
    except stripe.SignatureVerificationError as error:
        raise WebhookRefused(f"bad signature: {error}") from None
    except (ValueError, UnicodeDecodeError) as error:
        raise WebhookRefused(f"unreadable body: {type(error).__name__}") from None
    if not isinstance(event, dict) or not str(event.get("id") or "").startswith("evt_"):
        raise WebhookRefused("not a Stripe event")
    return event


def handle(org_id: int, payload: bytes, signature: str | None) -> Outcome:
    """Verify and apply one webhook delivery (see the module docstring)."""
    try:
        event = verify(org_id, payload, signature)
    except WebhookRefused as refused:
        log.warning("Stripe webhook refused for organization %s: %s", org_id, refused)
        raise
    event_id, kind = str(event["id"])[:100], str(event.get("type") or "")[:60]
    try:
        with db.session_scope() as session:
            if _seen(session, event_id):
                return Outcome("duplicate", event_id, kind)
            status = apply(session, org_id, event)
    except IntegrityError:
        # The same event delivered twice at once: the other delivery stored it first.
        with db.session_scope(read_only=True) as session:
            if _seen(session, event_id):
                return Outcome("duplicate", event_id, kind)
        raise
    return Outcome(status, event_id, kind)


def _seen(session: Session, event_id: str) -> bool:
    return (
        session.exec(
            select(PaymentEvent.id).where(PaymentEvent.stripe_event_id == event_id)
        ).first()
        is not None
    )


# ---------------------------------------------------------------- applying


def apply(session: Session, org_id: int, event: dict) -> str:
    """Record the event and do what it says, in the caller's transaction."""
    kind = str(event.get("type") or "")[:60]
    obj = ((event.get("data") or {}).get("object")) or {}
    row = PaymentEvent(
        stripe_event_id=str(event["id"])[:100],
        type=kind,
        payload=_kept(event, org_id),
    )
    session.add(row)
    session.flush()  # the unique event id: a concurrent duplicate fails here
    if kind in COMPLETED and isinstance(obj, dict):
        agent = _completed(session, org_id, obj, row)
    elif kind == REFUNDED and isinstance(obj, dict):
        agent = _refunded(session, org_id, obj, row)
    else:
        return "ignored"
    return "processed" if agent else "ignored"


def _kept(event: dict, org_id: int) -> dict:
    """What the PaymentEvent row keeps: the event's main fields and our organization."""
    obj = ((event.get("data") or {}).get("object")) or {}
    kept = {
        "org_id": org_id,
        "created": event.get("created"),
        "livemode": bool(event.get("livemode")),
        "object_id": str(obj.get("id") or "")[:200] if isinstance(obj, dict) else "",
    }
    if isinstance(obj, dict):
        for key in ("payment_intent", "payment_status", "amount_total", "amount_refunded"):
            if key in obj:
                kept[key] = obj[key]
        kept["currency"] = str(obj.get("currency") or "")[:3]
    text = json.dumps(kept, default=str)
    return kept if len(text) <= PAYLOAD_KEEP else {"org_id": org_id}


def _org_agent(session: Session, org_id: int, raw) -> Agent | None:
    text = str(raw or "")
    agent = session.get(Agent, int(text)) if text.isdigit() and len(text) < 10 else None
    return agent if agent is not None and agent.org_id == org_id else None


def _positive(raw) -> int | None:
    text = str(raw if raw is not None else "").strip()
    return int(text) if text.isdigit() and 0 < int(text) <= 1_000_000 else None


def _completed(session: Session, org_id: int, obj: dict, row: PaymentEvent) -> Agent | None:
    if obj.get("payment_status") != "paid":
        return None  # an asynchronous payment: its async_payment_succeeded event follows
    meta = obj.get("metadata") or {}
    agent = _org_agent(session, org_id, meta.get("agent_id"))
    if agent is None:
        log.warning("Stripe checkout %s names no agent of organization %s", obj.get("id"), org_id)
        return None
    row.agent_id = agent.id
    cs_id = str(obj.get("id") or "")[:200]
    if (
        cs_id
        and session.exec(
            select(AccessPass.id).where(AccessPass.checkout_session_id == cs_id)
        ).first()
    ):
        return None  # completed and async_payment_succeeded of one session: one pass
    details = obj.get("customer_details") or {}
    try:
        email = normalize_email(
            meta.get("email") or details.get("email") or obj.get("customer_email")
        )
    except ServiceError:
        email = None
    if not email:
        log.warning("Stripe checkout %s has no usable email; no pass made", cs_id)
        return None
    data = {"email": email}
    name = " ".join(str(details.get("name") or "").split())[:100]
    if name:
        data["name"] = name
    try:
        with session.begin_nested():
            result = save_contact(
                session,
                agent,
                data,
                source="Payment",
                origin=Origin("payment", "Stripe payment"),
            )
    except ServiceError:
        with session.begin_nested():
            result = save_contact(
                session,
                agent,
                {"email": email},
                source="Payment",
                origin=Origin("payment", "Stripe payment"),
            )
    contact = result.contact
    now = utcnow()
    days = _positive(meta.get("days")) or 30
    credits = _positive(meta.get("credits"))
    pi = str(obj.get("payment_intent") or "")[:200]
    amount = obj.get("amount_total") if isinstance(obj.get("amount_total"), int) else 0
    currency = str(obj.get("currency") or "usd")[:3].lower()
    refund = _early_refund(session, org_id, pi)
    access = AccessPass(
        agent_id=agent.id,
        contact_id=contact.id,
        email=email,
        checkout_session_id=cs_id,
        payment_intent_id=pi,
        amount=amount,
        currency=currency,
        credits_total=credits,
        credits_left=credits,
        starts_at=now,
        expires_at=now + timedelta(days=days),
        refunded_amount=refund or 0,
        revoked_at=now if refund is not None else None,
    )
    session.add(access)
    visitor_key = str(meta.get("visitor_key") or "")
    if is_visitor_key(visitor_key):
        session.add(
            GuestSession(
                agent_id=agent.id,
                visitor_id=visitor_key,
                contact_id=contact.id,
                email=email,
                via="payment",
                created_at=now,
                expires_at=now + timedelta(days=GUEST_DAYS),
            )
        )
    session.add(row)
    session.flush()
    actor = system(org_id, "Stripe payment")
    audit.record(
        session,
        actor,
        "Create",
        "Payment",
        f"Payment of {format_amount(amount, currency)} for the agent {agent.name}: access "
        f"pass for contact {contact.id}"
        + (" (born revoked: refunded before completion)" if refund is not None else ""),
    )
    events.emit(
        session,
        agent.id,
        "payment.completed",
        {
            "contact_id": contact.id,
            "pass_id": access.id,
            "amount": amount,
            "currency": currency,
            "days": days,
            "credits": credits,
            "checkout_session_id": cs_id,
        },
    )
    return agent


def _early_refund(session: Session, org_id: int, payment_intent: str) -> int | None:
    """The amount of a refund of `payment_intent` that arrived before any pass existed
    (kept as an unmatched charge.refunded event of this organization), or None."""
    if not payment_intent:
        return None
    orphans = session.exec(
        select(PaymentEvent)
        .where(PaymentEvent.type == REFUNDED, PaymentEvent.agent_id.is_(None))
        .order_by(PaymentEvent.id.desc())
        .limit(1000)
    )
    for event in orphans:
        payload = event.payload or {}
        if payload.get("org_id") == org_id and payload.get("payment_intent") == payment_intent:
            refunded = payload.get("amount_refunded")
            return refunded if isinstance(refunded, int) else 0
    return None


def _refunded(session: Session, org_id: int, obj: dict, row: PaymentEvent) -> Agent | None:
    pi = str(obj.get("payment_intent") or "")[:200]
    if not pi:
        return None
    passes = session.exec(
        select(AccessPass)
        .join(Agent, Agent.id == AccessPass.agent_id)
        .where(AccessPass.payment_intent_id == pi, Agent.org_id == org_id)
    ).all()
    if not passes:
        return None  # kept unmatched: the completion, when it comes, is born revoked
    refunded = obj.get("amount_refunded") if isinstance(obj.get("amount_refunded"), int) else 0
    now = utcnow()
    agent = None
    for access in passes:
        agent = session.get(Agent, access.agent_id)
        row.agent_id = access.agent_id
        first = access.revoked_at is None
        access.refunded_amount = max(access.refunded_amount or 0, refunded)
        access.revoked_at = access.revoked_at or now
        session.add(access)
        session.flush()
        if first:
            audit.record(
                session,
                system(org_id, "Stripe refund"),
                "Update",
                "Payment",
                f"Refund of {format_amount(refunded, access.currency)} for the agent "
                f"{agent.name}: access pass of contact {access.contact_id} revoked",
            )
            events.emit(
                session,
                access.agent_id,
                "payment.refunded",
                {
                    "contact_id": access.contact_id,
                    "pass_id": access.id,
                    "refunded_amount": access.refunded_amount,
                    "currency": access.currency,
                },
            )
    session.add(row)
    return agent
