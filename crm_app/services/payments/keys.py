"""Settings → Payments: the organization's Stripe secret key and webhook signing secret.

Owner only. Both are sealed at rest (services/secret_box.py) and never leave the server:
what the page gets is `key_hint` ("sk_test_…4242"), whether each is saved, the mode (test
or live) and when Test connection last succeeded. Every change is audited (never the key).

`test_connection(actor)` sends one cheap request (retrieve the balance) with the saved key.
It opens its own short transactions and calls Stripe between them: never call it while
holding a transaction.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import datetime

import stripe
from sqlmodel import Session

from crm_app import db, routes
from crm_app.models import OrgPaymentSettings, utcnow
from crm_app.services import audit, secret_box
from crm_app.services.access import Actor
from crm_app.services.errors import PermissionDenied, ValidationError, ValidationErrors
from crm_app.services.payments import stripe_client
from crm_app.settings import get_settings

log = logging.getLogger("crm.payments")

SECRET_KEY_RE = re.compile(r"^(sk|rk)_(test|live)_[A-Za-z0-9]{8,240}$")
WEBHOOK_SECRET_RE = re.compile(r"^whsec_[A-Za-z0-9+/=]{8,240}$")

MSG_OWNER = "Only the Owner can manage payment settings."
MSG_SECRET_KEY = (
    "Paste a Stripe secret key: it starts with sk_test_, sk_live_, rk_test_ or rk_live_ "
    "(Stripe Dashboard → Developers → API keys)."
)
MSG_PUBLISHABLE = (
    "That is the publishable key (pk_…). Paste the secret key: sk_test_… or sk_live_…."
)
MSG_WEBHOOK_SECRET = (
    "Paste the webhook signing secret: it starts with whsec_ "
    "(Stripe Dashboard → Developers → Webhooks → your endpoint → Signing secret)."
)
MSG_NOTHING = "Paste a secret key or a webhook signing secret to save."


@dataclass(frozen=True)
class ConnectionCheck:
    ok: bool
    message: str


def require_owner(actor: Actor) -> None:
    if not actor.is_owner or not actor.is_member:
        raise PermissionDenied(MSG_OWNER)


def webhook_url(org_id: int) -> str:
    """What the Owner pastes into Stripe as the webhook endpoint."""
    return get_settings().base_url + routes.API_STRIPE_WEBHOOK.format(org_id=org_id)


def hint_for(key: str) -> str:
    """ "sk_test_…4242": the prefix and the last four characters, safe to show."""
    prefix = key[: key.index("_", 3) + 1] if key.count("_") >= 2 else key[:3]
    return f"{prefix}…{key[-4:]}"


def mode_of(hint: str) -> str:
    if "_live_" in hint:
        return "live"
    if "_test_" in hint:
        return "test"
    return ""


# ---------------------------------------------------------------- reading


def get_payment_settings(session: Session, actor: Actor) -> dict:
    """What Settings → Payments shows (Owner only). Never a key."""
    require_owner(actor)
    return _view(session.get(OrgPaymentSettings, actor.org_id), actor.org_id)


def _view(row: OrgPaymentSettings | None, org_id: int) -> dict:
    key = row.stripe_secret_key if row else ""
    secret = row.stripe_webhook_secret if row else ""
    return {
        "has_secret_key": bool(key),
        "secret_key_unreadable": bool(key) and not secret_box.readable(key),
        "has_webhook_secret": bool(secret),
        "webhook_secret_unreadable": bool(secret) and not secret_box.readable(secret),
        "key_hint": row.key_hint if row and key else "",
        "mode": mode_of(row.key_hint) if row and key else "",
        "verified_at": row.verified_at if row and key else None,
        "updated_at": row.updated_at if row else None,
        "webhook_url": webhook_url(org_id),
    }


def is_connected(session: Session, org_id: int) -> bool:
    """Whether the organization has both keys saved (what a paid agent needs)."""
    row = session.get(OrgPaymentSettings, org_id)
    return bool(row and row.stripe_secret_key and row.stripe_webhook_secret)


# ---------------------------------------------------------------- checks


def clean_secret_key(raw: str | None) -> str:
    value = (raw or "").strip()
    if value.startswith("pk_"):
        raise ValidationError(MSG_PUBLISHABLE, field="secret_key")
    if not SECRET_KEY_RE.match(value):
        raise ValidationError(MSG_SECRET_KEY, field="secret_key")
    return value


def clean_webhook_secret(raw: str | None) -> str:
    value = (raw or "").strip()
    if not WEBHOOK_SECRET_RE.match(value):
        raise ValidationError(MSG_WEBHOOK_SECRET, field="webhook_secret")
    return value


# ---------------------------------------------------------------- writing


def save_keys(
    session: Session,
    actor: Actor,
    *,
    secret_key: str | None = None,
    webhook_secret: str | None = None,
) -> dict:
    """Replace the secret key and/or the webhook signing secret (None or empty: keep it).
    Owner only; audited without the values."""
    require_owner(actor)
    key = (secret_key or "").strip()
    whsec = (webhook_secret or "").strip()
    if not key and not whsec:
        raise ValidationError(MSG_NOTHING, field="secret_key")
    errors, changes = [], []
    if key:
        try:
            key = clean_secret_key(key)
        except ValidationError as error:
            errors.append(error)
    if whsec:
        try:
            whsec = clean_webhook_secret(whsec)
        except ValidationError as error:
            errors.append(error)
    if errors:
        raise ValidationErrors(errors)
    row = session.get(OrgPaymentSettings, actor.org_id) or OrgPaymentSettings(org_id=actor.org_id)
    if key:
        row.stripe_secret_key = secret_box.seal(key)
        row.key_hint = hint_for(key)
        row.verified_at = None
        changes.append(f"secret key {row.key_hint}")
    if whsec:
        row.stripe_webhook_secret = secret_box.seal(whsec)
        changes.append("webhook signing secret")
    row.updated_at = utcnow()
    session.add(row)
    session.flush()
    audit.record(session, actor, "Update", "Payments", "Saved the Stripe " + " and ".join(changes))
    return _view(row, actor.org_id)


def clear_keys(session: Session, actor: Actor) -> dict:
    """Remove both keys (paid agents stop selling until new ones are saved). Owner only."""
    require_owner(actor)
    row = session.get(OrgPaymentSettings, actor.org_id)
    if row is not None and (row.stripe_secret_key or row.stripe_webhook_secret):
        row.stripe_secret_key = row.stripe_webhook_secret = row.key_hint = ""
        row.verified_at = None
        row.updated_at = utcnow()
        session.add(row)
        session.flush()
        audit.record(session, actor, "Delete", "Payments", "Removed the Stripe keys")
    return _view(row, actor.org_id)


# ---------------------------------------------------------------- Test connection


def test_connection(actor: Actor) -> ConnectionCheck:
    """One cheap Stripe request (retrieve the balance) with the saved key, outside any
    transaction; a success is remembered (`verified_at`). Owner only."""
    require_owner(actor)
    with db.session_scope(read_only=True) as session:
        row = session.get(OrgPaymentSettings, actor.org_id)
        if row is None or not row.stripe_secret_key:
            return ConnectionCheck(False, "Save a secret key first, then test it.")
        try:
            key = stripe_client.secret_key_of(row)
        except ValidationError as error:
            return ConnectionCheck(False, error.message)
        hint = row.key_hint
    result = check_key(key, hint)
    if result.ok:
        with db.session_scope() as session:
            row = session.get(OrgPaymentSettings, actor.org_id)
            if row is not None and row.key_hint == hint:
                row.verified_at = utcnow()
                session.add(row)
    return result


def check_key(key: str, hint: str = "") -> ConnectionCheck:
    """Retrieve the balance with `key`: the answer in plain words. Network: no transaction."""
    client = stripe_client.client_with(key)
    mode = "live" if "_live_" in key else "test"
    try:
        client.v1.balance.retrieve()
    except stripe.AuthenticationError:
        return ConnectionCheck(False, "Stripe refused this key (it is wrong or was revoked).")
    except stripe.PermissionError:
        return ConnectionCheck(
            True,
            f"Connected in {mode} mode. This restricted key may not read the balance: make "
            "sure it can write Checkout Sessions.",
        )
    except stripe.APIConnectionError:
        return ConnectionCheck(False, "Could not reach Stripe. Check the server's connection.")
    except stripe.StripeError as error:
        log.warning("Stripe test connection failed: %s", error)
        detail = " ".join(str(error.user_message or error).split())[:200]
        return ConnectionCheck(False, f"Stripe answered with an error: {detail}")
    return ConnectionCheck(True, f"Connected to Stripe in {mode} mode with {hint or 'the key'}.")


def verified_label(at: datetime | None) -> str:
    return at.strftime("%Y-%m-%d %H:%M UTC") if at else ""
