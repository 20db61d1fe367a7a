"""Pay for Access end to end: a visitor meets the paywall, pays on the (stand-in) hosted
Checkout, comes back to "activating your access…" until the signed webhook arrives, chats
while the credits count down, and meets the paywall again when the messages are used up,
after a refund, and after the pass expired (renewal with the email prefilled). The Owner
connects Stripe in Settings → Payments (Test connection) and sets the offer.

Stripe is tests/support/checkout_standin.py: this module binds it before the app server
starts (collection runs before the session's server fixture) and points the app at it with
CRM_TEST_STRIPE_API_BASE, which the app honours only in development mode (the test server's)
and only for a loopback address.
"""

from __future__ import annotations

import os
import re
import secrets
from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import select

from crm_app.models import AccessPass, Agent, utcnow
from crm_app.services import agents
from crm_app.services.payments import keys
from tests.e2e.conftest import DEFAULT_TIMEOUT_MS
from tests.e2e.helpers import (
    latest_email_id,
    live_db,
    open_page,
    read_code_from_mailbox,
    screenshot,
    sign_in_with_ticket,
)
from tests.support.checkout_standin import CheckoutStandin

pytestmark = pytest.mark.e2e

STANDIN = CheckoutStandin()
os.environ["CRM_TEST_STRIPE_API_BASE"] = STANDIN.url
SECRET_KEY = "sk_test_51StandinKeyForE2E4242"
WEBHOOK_SECRET = "whsec_standinsecretfore2etests01"
PHONE = {"width": 390, "height": 844}
REPLY_TIMEOUT_MS = 30_000
HEADING = "This Chatbot is Monetized by the Creator"


@pytest.fixture(scope="module")
def standin():
    STANDIN.start()
    yield STANDIN


@pytest.fixture()
def coach(live_app, monkeypatch, standin):
    """An organization with Stripe connected and a Public · Pay for Access agent selling
    $9.00 for 30 days · 3 messages."""
    tag = secrets.token_hex(3)
    with live_db(live_app, monkeypatch) as s:
        owner = agents.create_owner(s, f"olga.{tag}@coach.example", "Career Coach", "Olga", "Berg")
        agent = agents.create_agent(
            s, owner, "Career Coach", f"coach-{tag}", welcome_message="Hi! Ask me anything."
        )
        row = s.get(Agent, agent.id)
        row.visibility, row.access_mode = "Public", "Pay for Access"
        row.paid_config = {"price": 900, "currency": "usd", "days": 30, "credits": 3}
        s.add(row)
        keys.save_keys(s, owner, secret_key=SECRET_KEY, webhook_secret=WEBHOOK_SECRET)
        info = {
            "slug": agent.slug,
            "agent_id": agent.id,
            "org_id": owner.org_id,
            "owner_id": owner.user_id,
        }
    standin.webhook(live_app.url(f"/api/payments/stripe/{info['org_id']}/webhook"), WEBHOOK_SECRET)
    return info


def _send(page: Page, text: str, replies: int) -> None:
    box = page.get_by_role("textbox", name="Message")
    box.fill(text)
    box.press("Enter")
    expect(page.locator(".crm-chat-agent:not(.crm-chat-streaming)")).to_have_count(
        replies, timeout=REPLY_TIMEOUT_MS
    )


def _pay(page: Page, standin, email: str | None, *, name: str = "paid") -> str:
    """From the paywall through the stand-in Checkout back to the chat; the session id."""
    if email is not None:
        page.get_by_label("Your Email Address").fill(email)
    page.locator("#paywall-pay").click()
    page.wait_for_url(re.compile(re.escape(standin.url) + r"/pay/cs_"), timeout=REPLY_TIMEOUT_MS)
    expect(page.get_by_test_id("amount")).to_have_text("$9.00")
    screenshot(page, f"paid-checkout-standin-{name}")
    page.get_by_role("button", name="Pay $9.00").click()
    page.wait_for_url(re.compile(r"/a/.*checkout=done"), timeout=REPLY_TIMEOUT_MS)
    expect(page.get_by_text("Payment received — activating your access…")).to_be_visible()
    screenshot(page, f"paid-activating-{name}")
    expect(page.get_by_role("textbox", name="Message")).to_be_visible(timeout=REPLY_TIMEOUT_MS)
    return standin.last_session_id()


def test_paywall_checkout_webhook_credits_refund_and_expiry(
    browser, live_app, coach, standin, monkeypatch
):
    context = browser.new_context(
        base_url=live_app.base_url, viewport={"width": 1280, "height": 860}
    )
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    page = context.new_page()
    try:
        open_page(page, live_app.url(f"/a/{coach['slug']}"))
        expect(page.get_by_role("heading", name=HEADING)).to_be_visible()
        expect(page.locator("#paywall-offer")).to_have_text("$9.00 for 30 days · 3 messages")
        expect(page.get_by_role("textbox", name="Message")).to_have_count(0)
        screenshot(page, "paid-paywall-desktop")

        # A bad email is refused at the field, before Stripe hears of it.
        requests_before = len(standin.api.checkout_requests())
        page.get_by_label("Your Email Address").fill(
            "pat@example"
        )  # the browser accepts it, the server does not
        page.locator("#paywall-pay").click()
        expect(page.get_by_role("alert")).to_contain_text("valid email")
        assert len(standin.api.checkout_requests()) == requests_before

        cs_id = _pay(page, standin, "pat.buyer@example.com")
        assert standin.deliveries[-1] == ("checkout.session.completed", 200)
        sent = standin.api.checkout_requests()[-1].params
        assert sent["customer_email"] == "pat.buyer@example.com" and sent["mode"] == "payment"
        expect(page.locator("#chat-pass-left")).to_have_text("3 messages left · 30 days left")

        _send(page, "Hello coach", 2)
        expect(page.locator("#chat-pass-left")).to_have_text("2 messages left · 30 days left")
        screenshot(page, "paid-chatting-desktop")
        _send(page, "How do I write a CV?", 3)
        # The header counts down once the turn is over (and the composer is free again).
        expect(page.locator("#chat-pass-left")).to_have_text("1 message left · 30 days left")
        _send(page, "Thanks!", 4)
        expect(page.locator("#chat-pass-left")).to_contain_text("0 messages left")
        # The next message renews: the paywall, the reason, the email prefilled.
        box = page.get_by_role("textbox", name="Message")
        box.fill("One more?")
        box.press("Enter")
        expect(page.get_by_text("Your access has ended (messages used up)")).to_be_visible(
            timeout=REPLY_TIMEOUT_MS
        )
        expect(page.get_by_label("Your Email Address")).to_have_value("pat.buyer@example.com")
        screenshot(page, "paid-renew-used-up")

        # Renew; then a refund made in Stripe revokes the new pass.
        cs_id = _pay(page, standin, None, name="renewal")
        assert standin.refund(cs_id) == 200
        box = page.get_by_role("textbox", name="Message")
        box.fill("Still there?")
        box.press("Enter")
        expect(page.get_by_text("Your access has ended (refunded)")).to_be_visible(
            timeout=REPLY_TIMEOUT_MS
        )

        # Renew again; then the pass expires (moved back in time in the database).
        _pay(page, standin, None, name="renewal-2")
        with live_db(live_app, monkeypatch) as s:
            for p in s.exec(select(AccessPass).where(AccessPass.agent_id == coach["agent_id"])):
                if p.revoked_at is None:
                    p.expires_at = utcnow() - timedelta(minutes=1)
                    s.add(p)
        open_page(page, live_app.url(f"/a/{coach['slug']}"))
        expect(page.get_by_text("Your access has ended (expired)")).to_be_visible()
        expect(page.get_by_label("Your Email Address")).to_have_value("pat.buyer@example.com")
        screenshot(page, "paid-renew-expired")
    except Exception:
        screenshot(page, "FAILED-paid-journey")
        raise
    finally:
        context.close()


def test_a_returning_buyer_signs_in_on_another_browser_with_the_emailed_code(
    browser, live_app, coach, standin
):
    """Paid in one browser; in another, the paywall's "Already paid?" sign-in opens the chat
    with the same pass (the code comes by email: the payment session is that browser's)."""
    email = f"ria.{coach['slug']}@example.com"
    contexts = []
    try:
        for _ in range(2):
            context = browser.new_context(
                base_url=live_app.base_url, viewport={"width": 1280, "height": 860}
            )
            context.set_default_timeout(DEFAULT_TIMEOUT_MS)
            contexts.append(context)
        first, second = (c.new_page() for c in contexts)
        open_page(first, live_app.url(f"/a/{coach['slug']}"))
        _pay(first, standin, email, name="first-browser")
        expect(first.locator("#chat-pass-left")).to_have_text("3 messages left · 30 days left")

        open_page(second, live_app.url(f"/a/{coach['slug']}"))
        expect(second.get_by_role("heading", name=HEADING)).to_be_visible()
        second.get_by_role("button", name="Already paid? Sign in with your email").click()
        expect(
            second.get_by_role("heading", name="Authenticate To Use the Chatbot")
        ).to_be_visible()
        before = latest_email_id(live_app, email)
        second.get_by_placeholder("Your Email Address").fill(email)
        second.get_by_role("button", name="Send code").click()
        expect(second.get_by_text(f"Code sent to {email}")).to_be_visible()
        second.get_by_label("6-digit code").fill(
            read_code_from_mailbox(live_app, email, newer_than=before)
        )
        second.get_by_role("button", name="Verify").click()
        expect(second.locator("#chat-pass-left")).to_have_text("3 messages left · 30 days left")
        expect(second.get_by_role("textbox", name="Message")).to_be_visible()
        screenshot(second, "paid-returning-buyer")
    except Exception:
        for context in contexts:
            for page in context.pages:
                screenshot(page, "FAILED-paid-returning-buyer")
        raise
    finally:
        for context in contexts:
            context.close()


def test_the_paywall_on_a_phone(browser, live_app, coach):
    context = browser.new_context(base_url=live_app.base_url, viewport=PHONE, is_mobile=True)
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    page = context.new_page()
    try:
        open_page(page, live_app.url(f"/a/{coach['slug']}"))
        expect(page.get_by_role("heading", name=HEADING)).to_be_visible()
        screenshot(page, "paid-paywall-phone", keep=True)
        pay, field = page.locator("#paywall-pay"), page.get_by_label("Your Email Address")
        assert abs(pay.bounding_box()["width"] - field.bounding_box()["width"]) < 6  # full width
    finally:
        context.close()


def test_owner_connects_stripe_and_sets_the_offer(page, live_app, coach, monkeypatch):
    from crm_app.models import User

    with live_db(live_app, monkeypatch) as s:
        owner = s.get(User, coach["owner_id"])
    sign_in_with_ticket(page, live_app, monkeypatch, owner, coach["org_id"], "/settings/payments")
    page.wait_for_url(re.compile(r"/settings/payments"))
    expect(page.get_by_role("heading", name="Stripe keys")).to_be_visible()
    expect(page.get_by_text("sk_test_…4242")).to_be_visible()
    webhook = f"/api/payments/stripe/{coach['org_id']}/webhook"
    expect(page.locator("#stripe-webhook-url")).to_contain_text(webhook)
    page.get_by_label("Secret key").fill("pk_test_123456789")
    page.get_by_role("button", name="Save keys").click()
    expect(page.get_by_text("That is the publishable key")).to_be_visible()
    page.get_by_role("button", name="Test connection").click()
    expect(page.get_by_text("Connected to Stripe in test mode")).to_be_visible()
    screenshot(page, "paid-settings-payments")
    assert any(r.path == "/v1/balance" for r in STANDIN.api.requests)

    open_page(page, live_app.url(f"/agents/{coach['agent_id']}/settings"))
    expect(page.get_by_role("heading", name="Paid Access Configuration")).to_be_visible()
    expect(page.get_by_label("Price")).to_have_value("9.00")
    page.get_by_label("Price").fill("0.20")
    page.get_by_role("button", name="Save paid access").click()
    expect(page.get_by_text("Stripe's minimum charge in USD is $0.50.")).to_be_visible()
    page.get_by_label("Price").fill("19.50")
    page.get_by_label("Message Credits").fill("")
    page.get_by_role("button", name="Save paid access").click()
    expect(
        page.get_by_text("Paid access saved: $19.50 for 30 days · unlimited messages.")
    ).to_be_visible()
    screenshot(page, "paid-agent-offer")
    page.set_viewport_size(PHONE)
    screenshot(page, "paid-agent-offer-phone")


def test_inside_the_widget_checkout_opens_in_a_tab_and_the_chat_opens_by_itself(
    browser, live_app, coach, standin
):
    context = browser.new_context(base_url=live_app.base_url, viewport=PHONE, is_mobile=True)
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    page = context.new_page()
    try:
        open_page(page, live_app.url(f"/a/{coach['slug']}?embed=1"))
        expect(page.get_by_role("heading", name=HEADING)).to_be_visible()
        page.get_by_label("Your Email Address").fill("widget.buyer@example.com")
        page.locator("#paywall-pay").click()
        link = page.get_by_role("link", name="Continue to secure payment")
        expect(link).to_be_visible()
        with context.expect_page() as opened:
            link.click()
        checkout = opened.value
        expect(page.get_by_text("Finish the payment in the new tab")).to_be_visible()
        screenshot(page, "paid-widget-waiting")
        checkout.wait_for_load_state()
        expect(checkout.get_by_test_id("amount")).to_have_text("$9.00")
        checkout.get_by_role("button", name="Pay $9.00").click()
        # The tab is another visitor of the agent's page (the widget keeps its own token):
        # it says where the access is; the widget's chat opens by itself.
        checkout.wait_for_url(re.compile(r"/a/.*checkout=done"))
        expect(checkout.get_by_text("Your access is active")).to_be_visible(
            timeout=REPLY_TIMEOUT_MS
        )
        expect(page.get_by_role("textbox", name="Message")).to_be_visible(timeout=REPLY_TIMEOUT_MS)
        expect(page.locator("#chat-pass-left")).to_have_text("3 messages left · 30 days left")
        screenshot(page, "paid-widget-chat")
    except Exception:
        screenshot(page, "FAILED-paid-widget")
        raise
    finally:
        context.close()
