"""What a Pay for Access agent sells: `Agent.paid_config` = {price, currency, days, credits}.

- `price`: minor units of `currency` (cents; yen for JPY, a zero-decimal currency), at
  least Stripe's minimum charge for that currency and at most 999,999.99 (Stripe's cap).
- `currency`: one of CURRENCIES (lower-case ISO code, as Stripe writes it).
- `days`: how long a pass lasts, a whole number from 1 to 3,650. Required: every pass ends.
- `credits`: messages a pass includes, a whole number from 1 to 100,000, or None for no
  message limit (the pass then ends only with its days). Optional by design: some
  creators sell time, others sell messages; a pass ends with whichever runs out first.

The form sends the price as typed ("9", "9.99", "1,000"), read with the currency's decimals
by `parse_price`. `save_offer` (Admin+) checks every field with a message of its own and
audits the change. `offer_of(agent)` is the saved offer, or None when it is not valid
(then the paywall sells nothing).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from sqlmodel import Session

from crm_app.models import Agent
from crm_app.services import audit
from crm_app.services.access import Actor, require_agent
from crm_app.services.errors import ValidationError, ValidationErrors


@dataclass(frozen=True)
class Currency:
    code: str
    name: str
    symbol: str
    decimals: int  # 0 for zero-decimal currencies (JPY)
    minimum: int  # Stripe's minimum charge, in minor units


# Stripe's minimum charge amounts (docs: "Minimum and maximum charge amounts").
CURRENCIES: dict[str, Currency] = {
    c.code: c
    for c in (
        Currency("usd", "US dollar", "$", 2, 50),
        Currency("eur", "Euro", "€", 2, 50),
        Currency("gbp", "British pound", "£", 2, 30),
        Currency("cad", "Canadian dollar", "CA$", 2, 50),
        Currency("aud", "Australian dollar", "A$", 2, 50),
        Currency("nzd", "New Zealand dollar", "NZ$", 2, 50),
        Currency("chf", "Swiss franc", "CHF ", 2, 50),
        Currency("sek", "Swedish krona", "SEK ", 2, 300),
        Currency("nok", "Norwegian krone", "NOK ", 2, 300),
        Currency("dkk", "Danish krone", "DKK ", 2, 250),
        Currency("pln", "Polish złoty", "PLN ", 2, 200),
        Currency("czk", "Czech koruna", "CZK ", 2, 1500),
        Currency("jpy", "Japanese yen", "¥", 0, 50),
        Currency("inr", "Indian rupee", "₹", 2, 50),
        Currency("sgd", "Singapore dollar", "S$", 2, 50),
        Currency("hkd", "Hong Kong dollar", "HK$", 2, 400),
        Currency("brl", "Brazilian real", "R$", 2, 50),
        Currency("mxn", "Mexican peso", "MX$", 2, 1000),
        Currency("aed", "UAE dirham", "AED ", 2, 200),
    )
}
MAX_MINOR = 99_999_999  # Stripe's largest charge: 999,999.99 (in two-decimal currencies)
MAX_DAYS = 3650
MAX_CREDITS = 100_000

MSG_CURRENCY = "Choose a currency from the list."
MSG_PRICE = "Enter a price like 9.00."
MSG_PRICE_JPY = "Enter a whole amount like 500 (this currency has no cents)."
MSG_DAYS = f"Enter a whole number of days from 1 to {MAX_DAYS:,}."
MSG_CREDITS = f"Enter a whole number of messages from 1 to {MAX_CREDITS:,}, or leave it empty."

_NUMBER = re.compile(r"^\d{1,9}(?:\.\d{1,2})?$")


@dataclass(frozen=True)
class Offer:
    price: int  # minor units
    currency: str
    days: int
    credits: int | None

    def as_config(self) -> dict:
        return {
            "price": self.price,
            "currency": self.currency,
            "days": self.days,
            "credits": self.credits,
        }


# ---------------------------------------------------------------- words


def format_amount(minor: int, currency: str) -> str:
    """ "$9.00", "¥500", "CHF 12.50"."""
    info = CURRENCIES.get((currency or "").lower())
    if info is None:
        return f"{minor} {currency.upper()}"
    if info.decimals == 0:
        return f"{info.symbol}{minor:,}"
    return f"{info.symbol}{minor / 10**info.decimals:,.{info.decimals}f}"


def price_text(minor: int, currency: str) -> str:
    """The price as the form shows it ("9.00", "500")."""
    info = CURRENCIES.get(currency)
    decimals = info.decimals if info else 2
    return f"{minor}" if decimals == 0 else f"{minor / 10**decimals:.{decimals}f}"


def describe(offer: Offer) -> str:
    """ "$9.00 for 30 days · 100 messages" (or "… · unlimited messages")."""
    days = "1 day" if offer.days == 1 else f"{offer.days:,} days"
    if offer.credits is None:
        messages = "unlimited messages"
    else:
        messages = "1 message" if offer.credits == 1 else f"{offer.credits:,} messages"
    return f"{format_amount(offer.price, offer.currency)} for {days} · {messages}"


# ---------------------------------------------------------------- checks


def clean_currency(raw) -> str:
    code = str(raw or "").strip().lower()
    if code not in CURRENCIES:
        raise ValidationError(MSG_CURRENCY, field="currency")
    return code


def parse_price(raw, currency: str) -> int:
    """The typed price in minor units of `currency` (checked: minimum and maximum)."""
    info = CURRENCIES[currency]
    message = MSG_PRICE_JPY if info.decimals == 0 else MSG_PRICE
    if isinstance(raw, bool):
        raise ValidationError(message, field="price")
    text = str(raw if raw is not None else "").strip().replace(",", "").replace(" ", "")
    text = text.lstrip(info.symbol.strip()).strip() if info.symbol.strip() else text
    if not _NUMBER.match(text):
        raise ValidationError(message, field="price")
    try:
        value = Decimal(text) * (10**info.decimals)
    except InvalidOperation:
        raise ValidationError(message, field="price") from None
    if value != value.to_integral_value():
        raise ValidationError(message, field="price")
    return check_price(int(value), currency)


def check_price(minor, currency: str) -> int:
    info = CURRENCIES[currency]
    if not isinstance(minor, int) or isinstance(minor, bool):
        raise ValidationError(MSG_PRICE, field="price")
    if minor < info.minimum:
        raise ValidationError(
            f"Stripe's minimum charge in {info.code.upper()} is "
            f"{format_amount(info.minimum, info.code)}.",
            field="price",
        )
    if minor > MAX_MINOR:
        raise ValidationError(
            f"Stripe accepts at most {format_amount(MAX_MINOR, info.code)} in one payment.",
            field="price",
        )
    return minor


def _whole(raw, low: int, high: int, message: str, field: str, optional: bool = False):
    if isinstance(raw, bool):
        raise ValidationError(message, field=field)
    text = str(raw if raw is not None else "").strip().replace(",", "")
    if not text and optional:
        return None
    if isinstance(raw, int):
        value = raw
    elif text.isdigit() and len(text) <= 9:
        value = int(text)
    else:
        raise ValidationError(message, field=field)
    if not low <= value <= high:
        raise ValidationError(message, field=field)
    return value


def clean_days(raw) -> int:
    return _whole(raw, 1, MAX_DAYS, MSG_DAYS, "days")


def clean_credits(raw) -> int | None:
    return _whole(raw, 1, MAX_CREDITS, MSG_CREDITS, "credits", optional=True)


def check_offer(*, price, currency, days, credits) -> Offer:
    """Every field checked, all failures raised at once (ValidationErrors). `price` is the
    typed text (or minor units as an int)."""
    errors: list[ValidationError] = []
    values: dict = {}

    def run(name, check):
        try:
            values[name] = check()
        except ValidationError as error:
            errors.append(error)

    run("currency", lambda: clean_currency(currency))
    if "currency" in values:
        code = values["currency"]
        run(
            "price",
            lambda: (
                check_price(price, code) if isinstance(price, int) else parse_price(price, code)
            ),
        )
    run("days", lambda: clean_days(days))
    run("credits", lambda: clean_credits(credits))
    if errors:
        raise ValidationErrors(errors)
    return Offer(values["price"], values["currency"], values["days"], values["credits"])


def offer_of(agent: Agent) -> Offer | None:
    """The agent's saved offer when it is complete and valid, else None."""
    config = agent.paid_config or {}
    try:
        return check_offer(
            price=config.get("price"),
            currency=config.get("currency"),
            days=config.get("days"),
            credits=config.get("credits"),
        )
    except ValidationError:
        return None


# ---------------------------------------------------------------- screen


def offer_view(agent: Agent) -> dict:
    """What the Paid Access Configuration form shows."""
    offer = offer_of(agent)
    config = agent.paid_config or {}
    currency = offer.currency if offer else str(config.get("currency") or "usd")
    return {
        "price": price_text(offer.price, offer.currency) if offer else "",
        "currency": currency if currency in CURRENCIES else "usd",
        "days": str(offer.days) if offer else "30",
        "credits": "" if offer is None or offer.credits is None else str(offer.credits),
        "summary": describe(offer) if offer else "",
    }


def get_offer(session: Session, actor: Actor, agent_id: int) -> dict:
    agent = require_agent(session, actor, agent_id)
    return offer_view(agent)


def save_offer(
    session: Session, actor: Actor, agent_id: int, *, price, currency, days, credits
) -> dict:
    """Check and save the agent's offer (Admin+), audited. Passes already sold keep what
    they were sold with."""
    agent = require_agent(session, actor, agent_id, "Admin")
    offer = check_offer(price=price, currency=currency, days=days, credits=credits)
    before = offer_of(agent)
    if before != offer:
        agent.paid_config = offer.as_config()
        session.add(agent)
        session.flush()
        audit.record(
            session,
            actor,
            "Update",
            "Agent",
            f"Set the paid access offer of the agent {agent.name}: {describe(offer)}"
            + (f" (was {describe(before)})" if before else ""),
        )
    return offer_view(agent)


def currency_choices() -> list[tuple[str, str]]:
    """(code, "USD — US dollar") for the form's select."""
    return [(c.code, f"{c.code.upper()} — {c.name}") for c in CURRENCIES.values()]
