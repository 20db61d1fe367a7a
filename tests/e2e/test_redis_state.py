"""With CRM_TEST_REDIS_URL set (as in CI), the browser suite's server keeps Reflex page state
in Redis: the production configuration for several workers and hosts."""

from __future__ import annotations

import os

import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import open_page


@pytest.mark.skipif(
    not os.environ.get("CRM_TEST_REDIS_URL"), reason="CRM_TEST_REDIS_URL is not set"
)
def test_page_state_lives_in_redis(page, live_app):
    import redis

    client = redis.Redis.from_url(os.environ["CRM_TEST_REDIS_URL"])
    open_page(page, live_app.url("/login"))
    page.get_by_label("Email address").fill("someone@example.com")
    page.get_by_role("button", name="Send code").click()
    expect(page.get_by_text("6-digit code").first).to_be_visible()
    token = page.evaluate("() => window.sessionStorage.getItem('token')")
    assert token, "the page has a Reflex client token"
    keys = [k.decode() for k in client.scan_iter(match=f"{token}*", count=1000)]
    assert any("login_state" in k for k in keys), keys
