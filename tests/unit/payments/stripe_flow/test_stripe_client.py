"""The Stripe client: the org's key, the injected HTTP client, and the test-only API base
(honoured only in development mode and only for a loopback address)."""

from __future__ import annotations

import pytest

from crm_app.services.errors import ValidationError
from crm_app.services.payments import stripe_client
from tests.conftest import clear_config_caches
from tests.unit.payments.stripe_flow.conftest import SECRET_KEY


def test_client_for_uses_the_orgs_key_and_the_injected_http_client(world, stripe_api):
    client = stripe_client.client_for(world.org_id)
    client.v1.balance.retrieve()
    assert stripe_api.requests[-1].api_key == SECRET_KEY
    assert stripe_api.requests[-1].path == "/v1/balance"


def test_an_org_without_keys_gets_a_clear_message(engine):
    with pytest.raises(ValidationError, match="Settings → Payments"):
        stripe_client.client_for(424242)


@pytest.mark.parametrize(
    ("dev", "base", "used"),
    [
        ("1", "http://127.0.0.1:9999", "http://127.0.0.1:9999"),
        ("1", "http://localhost:9999/", "http://localhost:9999"),
        ("", "http://127.0.0.1:9999", ""),  # production: ignored
        ("1", "https://evil.example", ""),  # not loopback: ignored
        ("1", "http://10.0.0.5:9999", ""),
    ],
)
def test_the_test_api_base_only_in_development_mode_on_loopback(monkeypatch, dev, base, used):
    monkeypatch.setenv("CRM_DEV_MODE", dev)
    monkeypatch.setenv("CRM_TEST_STRIPE_API_BASE", base)
    clear_config_caches()
    try:
        assert stripe_client.test_api_base() == used
    finally:
        monkeypatch.delenv("CRM_DEV_MODE")
        clear_config_caches()
