"""Settings → Payments keys (Owner only, sealed, masked, audited, Test connection through the
fake Stripe) and the agent's offer (currency list, minimum charge, zero-decimal currencies,
positive whole days and credits; Admin+, audited)."""

from __future__ import annotations

import pytest
from sqlmodel import select

from crm_app import db
from crm_app.models import Agent, AuditLog, OrgPaymentSettings
from crm_app.services.errors import NotFound, PermissionDenied, ValidationError
from crm_app.services.payments import keys, offer
from tests.unit.payments.stripe_flow.conftest import SECRET_KEY, WEBHOOK_SECRET


def test_keys_are_sealed_masked_and_never_shown(world):
    with db.session_scope(read_only=True) as s:
        row = s.get(OrgPaymentSettings, world.org_id)
        assert (
            row.stripe_secret_key.startswith("fernet:") and SECRET_KEY not in row.stripe_secret_key
        )
        assert WEBHOOK_SECRET not in row.stripe_webhook_secret
        view = keys.get_payment_settings(s, world.owner)
    assert view["key_hint"] == "sk_test_…4242" and view["mode"] == "test"
    assert view["has_secret_key"] and view["has_webhook_secret"]
    assert SECRET_KEY not in str(view) and WEBHOOK_SECRET not in str(view)
    assert (
        view["webhook_url"] == f"http://localhost:3000/api/payments/stripe/{world.org_id}/webhook"
    )
    with db.session_scope(read_only=True) as s:
        entries = s.exec(select(AuditLog).where(AuditLog.resource == "Payments")).all()
    assert entries and all(SECRET_KEY not in e.description for e in entries)


@pytest.mark.parametrize("who", ["admin", "user"])
def test_only_the_owner_sees_or_changes_keys(world, who):
    actor = getattr(world, who)
    with db.session_scope() as s:
        with pytest.raises(PermissionDenied, match="Only the Owner"):
            keys.get_payment_settings(s, actor)
        with pytest.raises(PermissionDenied):
            keys.save_keys(s, actor, secret_key=SECRET_KEY)
        with pytest.raises(PermissionDenied):
            keys.clear_keys(s, actor)
    with pytest.raises(PermissionDenied):
        keys.test_connection(actor)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("secret_key", "pk_test_51AbCdEfGh", "publishable"),
        ("secret_key", "sk_test_short", "starts with sk_test_"),
        ("secret_key", "sk_prod_51AbCdEfGhIj", "starts with sk_test_"),
        ("secret_key", "sk_test_51AbCd EfGhIj", "starts with sk_test_"),
        ("webhook_secret", "wh_12345678901", "whsec_"),
        ("webhook_secret", "whsec_", "whsec_"),
    ],
)
def test_key_shapes_are_checked(world, field, value, message):
    with db.session_scope() as s:
        with pytest.raises(ValidationError, match=message) as caught:
            keys.save_keys(s, world.owner, **{field: value})
    errors = getattr(caught.value, "errors", None) or [caught.value]
    assert errors[0].field == field


def test_restricted_and_live_keys_are_accepted(world):
    with db.session_scope() as s:
        view = keys.save_keys(s, world.owner, secret_key="rk_live_51AbCdEfGhIjKl7777")
    assert view["key_hint"] == "rk_live_…7777" and view["mode"] == "live"
    assert view["has_webhook_secret"]  # kept


def test_test_connection_through_fake_stripe(world, stripe_api):
    result = keys.test_connection(world.owner)
    assert result.ok and "test mode" in result.message
    balance = [r for r in stripe_api.requests if r.path == "/v1/balance"]
    assert balance and balance[-1].api_key == SECRET_KEY and balance[-1].method == "GET"
    with db.session_scope(read_only=True) as s:
        assert keys.get_payment_settings(s, world.owner)["verified_at"] is not None
    stripe_api.refused_keys.add(SECRET_KEY)
    refused = keys.test_connection(world.owner)
    assert not refused.ok and "refused" in refused.message
    stripe_api.refused_keys.clear()
    stripe_api.fail_with = 500
    assert not keys.test_connection(world.owner).ok


def test_clearing_keys_stops_test_connection(world):
    with db.session_scope() as s:
        view = keys.clear_keys(s, world.owner)
    assert not view["has_secret_key"] and view["key_hint"] == ""
    result = keys.test_connection(world.owner)
    assert not result.ok and "Save a secret key" in result.message


# ---------------------------------------------------------------- the offer


@pytest.mark.parametrize(
    ("price", "currency", "minor"),
    [
        ("9", "usd", 900),
        ("9.99", "usd", 999),
        ("1,000", "eur", 100000),
        ("500", "jpy", 500),
        ("0.30", "gbp", 30),
        ("$12.50", "usd", 1250),
        (1250, "usd", 1250),
    ],
)
def test_prices_in_minor_units(price, currency, minor):
    checked = offer.check_offer(price=price, currency=currency, days="30", credits="")
    assert checked.price == minor and checked.credits is None


@pytest.mark.parametrize(
    ("price", "currency", "message"),
    [
        ("0.49", "usd", "minimum charge in USD is \\$0.50"),
        ("2", "dkk", "minimum charge in DKK is DKK 2.50"),
        ("49", "jpy", "minimum charge in JPY is ¥50"),
        ("5.5", "jpy", "no cents"),
        ("9.999", "usd", "like 9.00"),
        ("-5", "usd", "like 9.00"),
        ("abc", "usd", "like 9.00"),
        ("", "usd", "like 9.00"),
        ("1000000", "usd", "at most"),
    ],
)
def test_bad_prices(price, currency, message):
    with pytest.raises(ValidationError, match=message):
        offer.check_offer(price=price, currency=currency, days=30, credits=10)


def test_every_field_is_checked_at_once():
    with pytest.raises(ValidationError) as caught:
        offer.check_offer(price="1", currency="xyz", days="0", credits="-3")
    fields = {e.field for e in caught.value.errors}
    assert fields == {"currency", "days", "credits"}
    for days in ("0", "3651", "1.5", "x", True):
        with pytest.raises(ValidationError):
            offer.clean_days(days)
    for credits in ("0", "100001", "2.5", True):
        with pytest.raises(ValidationError):
            offer.clean_credits(credits)


def test_describe():
    assert offer.describe(offer.Offer(900, "usd", 30, 100)) == "$9.00 for 30 days · 100 messages"
    assert offer.describe(offer.Offer(500, "jpy", 1, None)) == "¥500 for 1 day · unlimited messages"
    assert offer.describe(offer.Offer(1250, "chf", 7, 1)) == "CHF 12.50 for 7 days · 1 message"


def test_admins_save_the_offer_audited_users_cannot(world):
    with db.session_scope() as s:
        view = offer.save_offer(
            s, world.admin, world.agent_id, price="19", currency="eur", days="7", credits="50"
        )
    assert view["summary"] == "€19.00 for 7 days · 50 messages" and view["price"] == "19.00"
    with db.session_scope(read_only=True) as s:
        assert s.get(Agent, world.agent_id).paid_config == {
            "price": 1900,
            "currency": "eur",
            "days": 7,
            "credits": 50,
        }
        entry = s.exec(
            select(AuditLog).where(AuditLog.description.like("%paid access offer%"))
        ).one()
        assert "€19.00 for 7 days" in entry.description and "was $9.00" in entry.description
    with db.session_scope() as s:
        with pytest.raises(PermissionDenied):
            offer.save_offer(
                s, world.user, world.agent_id, price="1", currency="usd", days=1, credits=1
            )
        with pytest.raises(NotFound):
            offer.save_offer(
                s, world.other_owner, world.agent_id, price="1", currency="usd", days=1, credits=1
            )
