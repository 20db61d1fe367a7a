"""What a page on another port of the same host can do to a signed-in member (nothing),
sign-out from the sidebar, the development mailbox, and sign-up errors shown at once."""

from __future__ import annotations

import functools
import http.server
import re
import secrets
import threading

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import _free_port
from tests.e2e.helpers import live_db, open_page, screenshot, sign_up

WIDTHS = {"desktop": 1440, "laptop": 1024, "phone": 390}

ATTACK_PAGE = """<!doctype html><title>Another site</title>
<script>
window.results = {};
fetch("%(app)s%(export)s", {credentials: "include"})
  .then(r => r.text()).then(t => { results.export = "read: " + t.slice(0, 200); })
  .catch(e => { results.export = "refused: " + e; });
const ws = new WebSocket("%(ws)s/_event/?EIO=4&transport=websocket");
ws.onmessage = e => { results.websocket = "open: " + String(e.data).slice(0, 40); ws.close(); };
ws.onerror = () => { results.websocket = results.websocket || "refused"; };
</script>
<img src="%(app)s/api/auth/signout" alt="">
<iframe name="sink" title="sink"></iframe>
<form id="out" method="post" action="%(app)s/api/auth/signout" target="sink"></form>
<script>document.getElementById("out").submit();</script>
"""


@pytest.fixture()
def other_site(tmp_path):
    """Serves tmp_path over HTTP on another localhost port (an unrelated page of the same host)."""
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(tmp_path))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", _free_port()), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield tmp_path, f"http://localhost:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def _owner_with_contacts(page: Page, live_app, monkeypatch) -> int:
    """Sign up a new clinic in `page`; returns the id of its agent with one contact."""
    from sqlmodel import select

    from crm_app.models import Agent, Membership, User
    from crm_app.services import agents, contacts, principal

    email = f"dana.{secrets.token_hex(3)}@harbor-clinic.example"
    sign_up(page, live_app, email, org="Harbor Clinic", first="Dana", last="Ruiz")
    with live_db(live_app, monkeypatch) as s:
        user = s.exec(select(User).where(User.email == email)).one()
        membership = s.exec(select(Membership).where(Membership.user_id == user.id)).one()
        owner = principal.member(s, user.id, membership.org_id)
        agent_id = agents.create_agent(
            s, owner, "Front Desk", f"front-desk-{secrets.token_hex(3)}"
        ).id
        contacts.save_contact(
            s,
            s.get(Agent, agent_id),
            {"name": "Private Patient", "email": "pp@example.com"},
            source="Manual",
            origin=contacts.Origin("manual", ""),
        )
    return agent_id


def test_a_page_on_another_port_cannot_read_the_export_drive_the_websocket_or_sign_out(
    page, live_app, other_site, monkeypatch
):
    agent_id = _owner_with_contacts(page, live_app, monkeypatch)
    export = f"/api/agents/{agent_id}/contacts/export"
    # The member's own page reads the export (the cookie works).
    assert "Private Patient" in page.evaluate(
        f"fetch('{export}', {{credentials: 'include'}}).then(r => r.text())"
    )

    directory, site = other_site
    ws_base = live_app.base_url.replace("http://", "ws://")
    (directory / "attack.html").write_text(
        ATTACK_PAGE % {"app": live_app.base_url, "export": export, "ws": ws_base}
    )
    attacker = page.context.new_page()
    attacker.goto(f"{site}/attack.html")
    attacker.wait_for_function("window.results.export && window.results.websocket", timeout=15_000)
    results = attacker.evaluate("window.results")
    assert results["export"].startswith("refused"), results
    assert results["websocket"] == "refused", results
    attacker.wait_for_load_state("networkidle")
    attacker.close()

    # Neither the <img> GET nor the cross-origin form POST signed the member out.
    open_page(page, live_app.url("/agents"))
    expect(page.get_by_text("Harbor Clinic").first).to_be_visible()
    expect(page).to_have_url(re.compile(r"/agents/?$"))


@pytest.mark.parametrize("width", [1440, 390], ids=["sidebar", "phone-drawer"])
def test_sign_out_from_the_sidebar(page, live_app, width):
    page.set_viewport_size({"width": width, "height": 900})
    sign_up(
        page,
        live_app,
        f"lee.{secrets.token_hex(3)}@quay-dental.example",
        org="Quay Dental",
        first="Lee",
        last="Park",
    )
    if width < 768:
        expect(
            page.get_by_text("No agents yet")
        ).to_be_visible()  # settled: the drawer stays open once opened
        page.get_by_role("button", name="Open menu").click()
        drawer = page.get_by_role("dialog", name="Menu")
        expect(drawer.get_by_role("link", name="Audit Logs")).to_be_visible()
        drawer.get_by_role("button", name="Sign out").click()
    else:
        page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile(r"/login"))
    open_page(page, live_app.url("/agents"))
    expect(page).to_have_url(re.compile(r"/login"))


def test_signed_out_screens_and_the_development_mailbox(browser, live_app):
    for name, width in WIDTHS.items():
        context = browser.new_context(
            base_url=live_app.base_url, viewport={"width": width, "height": 900}
        )
        context.set_default_timeout(15_000)
        page = context.new_page()
        try:
            open_page(page, live_app.url("/signup"))
            page.get_by_role("button", name="Send code").click()
            for message in (
                "Enter your organization's name.",
                "Enter your first name.",
                "Enter a valid email address.",
            ):
                expect(page.get_by_text(message)).to_be_visible()
            screenshot(page, f"security-signup-empty-{name}")

            open_page(page, live_app.url("/login"))
            expect(
                page.get_by_role("link", name="mailbox")
            ).to_be_visible()  # development mode, this machine
            email = f"sam.{secrets.token_hex(3)}@clinic.example"
            page.get_by_label("Email address").fill(email)
            page.get_by_role("button", name="Send code").click()
            expect(page.get_by_label("6-digit code")).to_be_visible()
            screenshot(page, f"security-login-code-{name}")

            open_page(page, live_app.url("/dev/mailbox"))
            card = page.locator("div.rt-Card").filter(has_text=f"To: {email}").first
            expect(card).to_contain_text(re.compile(r"Your one-time code is \d{6}"))
            screenshot(page, f"security-mailbox-{name}")
        finally:
            context.close()
