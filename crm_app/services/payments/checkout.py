"""A visitor pays: a Stripe Checkout Session for a Pay for Access agent's offer.

`start_checkout` checks the agent (Public, Pay for Access, a valid offer, the organization's
keys), the visitor key and the email in one short read, closes it, and only then asks Stripe
for the session (mode "payment", one line item from the offer, the buyer's email, metadata
naming the agent, the visitor's key, the email and what was bought). It returns the URL of
Stripe's hosted page; our pages never show a card field.

Coming back to the success URL grants nothing: access comes only from the signed webhook
(services/payments/webhooks.py). `checkout_status` tells the success page whether it has.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import stripe
from sqlmodel import Session, select

from crm_app import db
from crm_app.models import AccessPass, Agent, OrgPaymentSettings
from crm_app.services import rate_limits
from crm_app.services.chat.visitors import is_visitor_key
from crm_app.services.errors import NotFound, PermissionDenied, RateLimited, ValidationError
from crm_app.services.payments import offer as offers
from crm_app.services.payments import stripe_client
from crm_app.services.values import require_email
from crm_app.settings import get_settings

log = logging.getLogger("crm.payments")

PAID = "Pay for Access"
PER_VISITOR = rate_limits.Limit("checkout-visitor", 10, 600)
PER_IP = rate_limits.Limit("checkout-ip", 30, 600)

MSG_NOT_FOR_SALE = "This agent does not sell access."
MSG_NO_OFFER = "The creator has not set a price yet. Please come back later."
MSG_UNAVAILABLE = "Payments are not available right now. Please try again later."
MSG_TOO_MANY = "Too many payment attempts. Please wait a few minutes."
MSG_EMAIL = "Enter your email address, e.g. name@example.com."


@dataclass(frozen=True)
class CheckoutPlan:
    """What one Checkout Session is made of, read before any network call."""

    agent_id: int
    org_id: int
    slug: str
    agent_name: str
    offer: offers.Offer
    api_key: str


def return_urls(slug: str) -> tuple[str, str]:
    """Where Stripe sends the buyer back: the agent's page, marked paid or cancelled."""
    base = get_settings().base_url + f"/a/{slug}"
    return base + "?checkout=done&session_id={CHECKOUT_SESSION_ID}", base + "?checkout=cancelled"


def plan_checkout(session: Session, agent_id: int) -> CheckoutPlan:
    """The agent's offer and its organization's key, checked (no network)."""
    agent = session.get(Agent, agent_id) if isinstance(agent_id, int) else None
    if agent is None:
        raise NotFound("Agent not found.")
    if agent.visibility != "Public" or agent.access_mode != PAID:
        raise PermissionDenied(MSG_NOT_FOR_SALE)
    offer = offers.offer_of(agent)
    if offer is None:
        raise ValidationError(MSG_NO_OFFER)
    settings = session.get(OrgPaymentSettings, agent.org_id)
    try:
        key = stripe_client.secret_key_of(settings)
    except ValidationError:
        log.warning("Checkout refused: organization %s has no readable Stripe key", agent.org_id)
        raise ValidationError(MSG_UNAVAILABLE) from None
    return CheckoutPlan(agent.id, agent.org_id, agent.slug, agent.name, offer, key)


def start_checkout(
    agent_id: int,
    visitor_key: str,
    email: str,
    *,
    ip: str = "",
    success_url: str | None = None,
    cancel_url: str | None = None,
) -> str:
    """The URL of a new Stripe Checkout Session for the visitor. Opens and closes its own
    read transaction before calling Stripe: never call it holding a transaction."""
    return create_checkout(
        agent_id, visitor_key, email, ip=ip, success_url=success_url, cancel_url=cancel_url
    )[0]


def create_checkout(
    agent_id: int,
    visitor_key: str,
    email: str,
    *,
    ip: str = "",
    success_url: str | None = None,
    cancel_url: str | None = None,
) -> tuple[str, str]:
    """`start_checkout`, returning (URL, Checkout Session id)."""
    if not is_visitor_key(visitor_key):
        raise ValidationError("This chat session is not valid. Please reload the page.")
    address = require_email(email, "email", empty_message=MSG_EMAIL)
    with db.session_scope(read_only=True) as session:
        plan = plan_checkout(session, agent_id)
    if not rate_limits.hit(PER_VISITOR, visitor_key) or (
        ip and not rate_limits.hit(PER_IP, ip[:64])
    ):
        raise RateLimited(MSG_TOO_MANY)
    default_success, default_cancel = return_urls(plan.slug)
    params = checkout_params(
        plan, visitor_key, address, success_url or default_success, cancel_url or default_cancel
    )
    client = stripe_client.client_with(plan.api_key)
    try:
        created = client.v1.checkout.sessions.create(params)
    except stripe.StripeError as error:
        log.warning("Stripe refused a Checkout Session for agent %s: %s", plan.agent_id, error)
        raise ValidationError(MSG_UNAVAILABLE) from None
    url = getattr(created, "url", None) or ""
    if not url.startswith(("https://", "http://")):
        log.warning("Stripe returned a Checkout Session without a URL for agent %s", agent_id)
        raise ValidationError(MSG_UNAVAILABLE)
    return url, str(getattr(created, "id", "") or "")


def checkout_params(
    plan: CheckoutPlan, visitor_key: str, email: str, success_url: str, cancel_url: str
) -> dict:
    offer = plan.offer
    metadata = {
        "crm_org_id": str(plan.org_id),
        "agent_id": str(plan.agent_id),
        "visitor_key": visitor_key,
        "email": email,
        "days": str(offer.days),
        "credits": "" if offer.credits is None else str(offer.credits),
    }
    return {
        "mode": "payment",
        "customer_email": email,
        "client_reference_id": f"agent-{plan.agent_id}",
        "line_items": [
            {
                "quantity": 1,
                "price_data": {
                    "currency": offer.currency,
                    "unit_amount": offer.price,
                    "product_data": {
                        "name": f"Chat access: {plan.agent_name}"[:250],
                        "description": offers.describe(offer),
                    },
                },
            }
        ],
        "metadata": metadata,
        "payment_intent_data": {"metadata": metadata},
        "success_url": success_url,
        "cancel_url": cancel_url,
    }


def checkout_status(session: Session, agent_id: int, checkout_session_id: str) -> str:
    """For the success page: "active" once the webhook made the pass of that Checkout
    Session, "revoked" if it was refunded meanwhile, "pending" until then."""
    cs_id = str(checkout_session_id or "")[:200]
    if not cs_id.startswith("cs_"):
        return "pending"
    found = session.exec(
        select(AccessPass).where(
            AccessPass.agent_id == agent_id, AccessPass.checkout_session_id == cs_id
        )
    ).first()
    if found is None:
        return "pending"
    return "revoked" if found.revoked_at is not None else "active"
