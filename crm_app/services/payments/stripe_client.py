"""A `stripe.StripeClient` for one organization, and the one place its HTTP client is made.

    client = client_for(org_id)            # the org's key, unsealed here
    client.v1.checkout.sessions.create({...})

`client_for` reads the key in its own short transaction and returns before any request is
sent: callers must not hold a transaction while they use the client (a Stripe call can
take seconds).

Tests replace the HTTP client with `set_http_client_factory(lambda: FakeStripe(...))`
(tests/support/fake_stripe.py answers like Stripe's API and records every request).

`CRM_TEST_STRIPE_API_BASE` points the client at a local stand-in of Stripe's API (the
browser tests' checkout stand-in). It is for tests only: it is ignored unless development
mode is on (`CRM_DEV_MODE`, never on with a real mail server) and it names a loopback
address (http://127.0.0.1:<port> or http://localhost:<port>).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from urllib.parse import urlsplit

import stripe

from crm_app import db
from crm_app.models import OrgPaymentSettings
from crm_app.services import secret_box
from crm_app.services.errors import ValidationError
from crm_app.settings import get_settings

TIMEOUT = 20.0  # seconds a Stripe request may take
RETRIES = 1  # Stripe's idempotent retries on connection errors
ENV_TEST_API_BASE = "CRM_TEST_STRIPE_API_BASE"

MSG_NOT_CONNECTED = (
    "Payments are not set up yet: the Owner adds the Stripe keys in Settings → Payments."
)
MSG_UNREADABLE = (
    "The saved Stripe key cannot be read (the server secret changed). "
    "The Owner enters it again in Settings → Payments."
)

HttpClientFactory = Callable[[], stripe.HTTPClient]


def _default_http_client() -> stripe.HTTPClient:
    return stripe.RequestsClient(timeout=TIMEOUT)


_factory: HttpClientFactory = _default_http_client


def set_http_client_factory(factory: HttpClientFactory | None) -> HttpClientFactory:
    """Use `factory` for every new client (None: the real HTTP client). Returns the previous
    factory, so a test can put it back."""
    global _factory
    previous = _factory
    _factory = factory or _default_http_client
    return previous


def test_api_base() -> str:
    """The stand-in's address when tests set one (see the module docstring), else ""."""
    raw = (os.environ.get(ENV_TEST_API_BASE) or "").strip().rstrip("/")
    if not raw or not get_settings().dev_mode:
        return ""
    parts = urlsplit(raw)
    if parts.scheme != "http" or parts.hostname not in ("127.0.0.1", "localhost"):
        return ""
    return raw


def client_with(api_key: str) -> stripe.StripeClient:
    """A client for `api_key` (no request is sent here)."""
    base = test_api_base()
    return stripe.StripeClient(
        api_key,
        http_client=_factory(),
        max_network_retries=RETRIES,
        base_addresses={"api": base} if base else None,
    )


def secret_key_of(settings: OrgPaymentSettings | None) -> str:
    """The unsealed secret key; ValidationError when none is saved or it cannot be read."""
    stored = settings.stripe_secret_key if settings is not None else ""
    if not stored:
        raise ValidationError(MSG_NOT_CONNECTED)
    key = secret_box.unseal(stored)
    if not key:
        raise ValidationError(MSG_UNREADABLE)
    return key


def client_for(org_id: int) -> stripe.StripeClient:
    """A client with the organization's key, read in a transaction closed on return."""
    with db.session_scope(read_only=True) as session:
        key = secret_key_of(session.get(OrgPaymentSettings, org_id))
    return client_with(key)
