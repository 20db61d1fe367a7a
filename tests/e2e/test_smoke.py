"""The harness itself: the real server answers on one port and Chromium drives its pages."""

from __future__ import annotations

import re
import urllib.error
import urllib.request

from playwright.sync_api import expect

from tests.e2e.helpers import open_page, screenshot


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def test_backend_answers_ping(live_app):
    with urllib.request.urlopen(live_app.url("/ping"), timeout=10) as response:
        assert response.status == 200
        assert "pong" in response.read().decode()


def test_api_routes_share_the_port(live_app):
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        opener.open(live_app.url("/api/auth/complete?ticket=not-a-ticket"), timeout=10)
        raise AssertionError("an unknown sign-in ticket must not be accepted")
    except urllib.error.HTTPError as err:
        assert err.code == 303
        assert err.headers["location"].startswith("/login")
        assert "crm_session=" not in (err.headers.get("set-cookie") or "")


def test_login_page_loads_and_connects(page, live_app):
    open_page(page, live_app.url("/login"))
    expect(page).to_have_title(re.compile("Sign in"))
    expect(page.get_by_text("Cannot connect to server")).to_have_count(0)
    screenshot(page, "smoke-login")


def test_signed_out_visitor_is_sent_to_login(page, live_app):
    open_page(page, live_app.url("/agents"))
    expect(page).to_have_url(re.compile(r"/login"))
