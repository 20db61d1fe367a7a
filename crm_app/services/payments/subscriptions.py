"""An agent's Subscriptions page (PRODUCT.md §9): what its Pay for Access visitors paid.

Each `AccessPass` is one purchase. Its payment counts on the day it started, and a refund
(`refunded_amount`) counts, negative, on the day the pass was revoked (the purchase day
when no revoke time is known), so revenue is always net of refunds and a refund shows as a
row of its own in the transactions.

- `overview`: revenue per currency (paid, refunded, net) and per day (per month over long
  periods) for the chart, the live passes and subscribers now, and one page of
  transactions — filtered by dates (the viewer's days) and, for the table, a search on
  the buyer's email or contact name.
- subscriptions_csv.py: every transaction matching the same filters, as CSV, audited.

Owners and Admins only: revenue is the business's money, and Users may not export
(PRODUCT.md §1). Another organization's agent is "not found".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import func, literal, or_, union_all
from sqlmodel import Session, select

from crm_app.models import AccessPass, Contact, utcnow
from crm_app.services.access import Actor, require_agent
from crm_app.services.errors import ValidationError

PAGE_SIZE = 25
SEARCH_MAX = 200
MONTHLY_AFTER_DAYS = 92  # longer periods are charted per month
DEFAULT_CHART_DAYS = 30
# Stripe's zero-decimal currencies: their amounts are whole units.
ZERO_DECIMAL = frozenset("bif clp djf gnf jpy kmf krw mga pyg rwf ugx vnd vuv xaf xof xpf".split())
SYMBOLS = {"usd": "$", "eur": "€", "gbp": "£", "cad": "CA$", "aud": "A$", "jpy": "¥"}


@dataclass(frozen=True)
class TxQuery:
    search: str = ""
    date_from: date | None = None
    date_to: date | None = None
    tz: str = "UTC"  # the viewer's IANA zone: what "a day" means
    page: int = 1


def clean_query(
    search: str = "", date_from=None, date_to=None, tz: str = "UTC", page: int = 1
) -> TxQuery:
    """The filters as typed, checked: dates as date or YYYY-MM-DD, From not after To."""
    dates = []
    for name, raw in (("date_from", date_from), ("date_to", date_to)):
        if raw in (None, ""):
            dates.append(None)
        elif isinstance(raw, date):
            dates.append(raw)
        else:
            try:
                dates.append(date.fromisoformat(str(raw)[:10]))
            except ValueError:
                raise ValidationError("Enter a date as YYYY-MM-DD.", field=name) from None
    if dates[0] and dates[1] and dates[0] > dates[1]:
        raise ValidationError("The start date is after the end date.", field="date_to")
    try:
        ZoneInfo(str(tz or "UTC"))
        zone = str(tz or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        zone = "UTC"
    try:
        page = max(1, int(page))
    except (TypeError, ValueError):
        page = 1
    return TxQuery(str(search or "").strip()[:SEARCH_MAX], dates[0], dates[1], zone, page)


# ---------------------------------------------------------------- money and time


def major(amount: int, currency: str) -> float:
    return amount if currency.lower() in ZERO_DECIMAL else amount / 100


def money(amount: int, currency: str) -> str:
    """12.5 USD as "$12.50", -1000 JPY as "-¥1,000", 3 CHF as "3.00 CHF"."""
    cur = currency.lower()
    value = abs(major(amount, cur))
    text = f"{value:,.0f}" if cur in ZERO_DECIMAL else f"{value:,.2f}"
    sign = "-" if amount < 0 else ""
    symbol = SYMBOLS.get(cur)
    return f"{sign}{symbol}{text}" if symbol else f"{sign}{text} {cur.upper()}"


def plain_amount(amount: int, currency: str) -> str:
    value = major(amount, currency)
    return f"{value:.0f}" if currency.lower() in ZERO_DECIMAL else f"{value:.2f}"


def _utc(moment: datetime | None) -> datetime | None:
    if moment is None:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _bounds(query: TxQuery) -> tuple[datetime | None, datetime | None]:
    """The filter's days in the viewer's zone, in UTC [start, end)."""
    zone = ZoneInfo(query.tz)

    def start_of(day: date) -> datetime:
        return datetime.combine(day, time(), zone).astimezone(UTC)

    start = start_of(query.date_from) if query.date_from else None
    end = start_of(query.date_to + timedelta(days=1)) if query.date_to else None
    return start, end


# ---------------------------------------------------------------- the transactions


def transactions_query(agent_id: int, query: TxQuery, *, search: bool = True):
    """Payments and refunds as one selectable: pass id, kind, at, signed amount, ..."""
    refund_at = func.coalesce(AccessPass.revoked_at, AccessPass.starts_at)
    cols = (
        AccessPass.id.label("pass_id"),
        AccessPass.currency.label("currency"),
        AccessPass.email.label("email"),
        AccessPass.contact_id.label("contact_id"),
    )
    payments = select(
        *cols,
        literal("Payment").label("kind"),
        AccessPass.starts_at.label("at"),
        AccessPass.amount.label("amount"),
    ).where(AccessPass.agent_id == agent_id)
    refunds = select(
        *cols,
        literal("Refund").label("kind"),
        refund_at.label("at"),
        (-AccessPass.refunded_amount).label("amount"),
    ).where(AccessPass.agent_id == agent_id, AccessPass.refunded_amount > 0)
    start, end = _bounds(query)
    if start is not None:
        payments = payments.where(AccessPass.starts_at >= start)
        refunds = refunds.where(refund_at >= start)
    if end is not None:
        payments = payments.where(AccessPass.starts_at < end)
        refunds = refunds.where(refund_at < end)
    if search and query.search:
        term = query.search.lower()
        names = select(Contact.id).where(
            Contact.agent_id == agent_id, func.lower(Contact.name).contains(term, autoescape=True)
        )
        match = or_(
            func.lower(AccessPass.email).contains(term, autoescape=True),
            AccessPass.contact_id.in_(names),
        )
        payments, refunds = payments.where(match), refunds.where(match)
    return union_all(payments, refunds).subquery("events")


def _status(p: AccessPass, now: datetime) -> str:
    if p.revoked_at is not None:
        return "Refunded" if p.refunded_amount else "Revoked"
    if p.refunded_amount:
        return "Partly refunded"
    expires = _utc(p.expires_at)
    if expires is not None and expires <= now:
        return "Expired"
    if p.credits_left is not None and p.credits_left <= 0:
        return "Used up"
    return "Active"


def transaction_rows(
    session: Session, agent_id: int, events, query: TxQuery, offset: int, limit: int
):
    ordered = (
        select(*events.c)
        .order_by(events.c.at.desc(), events.c.pass_id.desc(), events.c.kind.desc())
        .offset(offset)
        .limit(limit)
    )
    found = list(session.exec(ordered))
    ids = {r.pass_id for r in found}
    passes = (
        {p.id: p for p in session.exec(select(AccessPass).where(AccessPass.id.in_(ids)))}
        if ids
        else {}
    )
    cids = {r.contact_id for r in found}
    names = (
        dict(session.exec(select(Contact.id, Contact.name).where(Contact.id.in_(cids))).all())
        if cids
        else {}
    )
    now = _utc(utcnow())
    zone = ZoneInfo(query.tz)
    out = []
    for r in found:
        p = passes[r.pass_id]
        at = _utc(r.at)
        refund = r.kind == "Refund"
        expires = _utc(p.expires_at)
        if p.credits_total is None:
            credits = "Unlimited"
        else:
            credits = f"{max(p.credits_left or 0, 0)} of {p.credits_total} left"
        out.append(
            {
                "key": f"{r.kind[0]}{r.pass_id}",
                "pass_id": r.pass_id,
                "kind": r.kind,
                "at": at,
                "date_text": at.astimezone(zone).strftime("%b %-d, %Y %H:%M"),
                "email": r.email,
                "name": names.get(r.contact_id, ""),
                "contact_id": r.contact_id,
                "amount": r.amount,
                "currency": r.currency,
                "amount_text": money(r.amount, r.currency),
                "status": "Refund" if refund else _status(p, now),
                "credits_text": "" if refund else credits,
                "credits_left": p.credits_left,
                "credits_total": p.credits_total,
                "expires_at": expires,
                "expires_text": ""
                if refund or expires is None
                else expires.astimezone(zone).strftime("%b %-d, %Y"),
                "reference": p.payment_intent_id or p.checkout_session_id,
            }
        )
    return out


# ---------------------------------------------------------------- the overview


def _live_passes(session: Session, agent_id: int) -> tuple[int, int]:
    now = utcnow()
    live = select(AccessPass.contact_id).where(
        AccessPass.agent_id == agent_id,
        AccessPass.revoked_at.is_(None),
        or_(AccessPass.expires_at.is_(None), AccessPass.expires_at > now),
        or_(AccessPass.credits_left.is_(None), AccessPass.credits_left > 0),
    )
    sub = live.subquery()
    passes = session.exec(select(func.count()).select_from(sub)).one()
    people = session.exec(select(func.count(func.distinct(sub.c.contact_id)))).one()
    return int(passes), int(people)


def _chart(session: Session, events, query: TxQuery) -> tuple[str, dict[str, list[dict]]]:
    """Per currency: one point per day (per month when the period is long), paid and
    refunded in major units, oldest first."""
    zone = ZoneInfo(query.tz)
    rows = list(session.exec(select(events.c.at, events.c.currency, events.c.amount)))
    today = datetime.now(zone).date()
    days = [_utc(r.at).astimezone(zone).date() for r in rows]
    last = query.date_to or max([today, *days])
    first = query.date_from or min(
        [last - timedelta(days=DEFAULT_CHART_DAYS - 1), *days], default=last
    )
    monthly = (last - first).days + 1 > MONTHLY_AFTER_DAYS

    def bucket(day: date) -> date:
        return day.replace(day=1) if monthly else day

    slots: list[date] = []
    day = bucket(first)
    while day <= last:
        slots.append(day)
        day = (
            (day.replace(day=28) + timedelta(days=4)).replace(day=1)
            if monthly
            else day + timedelta(1)
        )
    sums: dict[str, dict[date, list[int]]] = {}
    for r, day in zip(rows, days, strict=True):
        per = sums.setdefault(r.currency, {}).setdefault(bucket(day), [0, 0])
        per[0 if r.amount >= 0 else 1] += r.amount
    label = "%b %Y" if monthly else "%b %-d"
    chart = {
        cur: [
            {
                "label": slot.strftime(label),
                "paid": round(major(per.get(slot, [0, 0])[0], cur), 2),
                "refunded": round(major(per.get(slot, [0, 0])[1], cur), 2),
            }
            for slot in slots
        ]
        for cur, per in sums.items()
    }
    period = f"{first.strftime('%b %-d, %Y')} – {last.strftime('%b %-d, %Y')}"
    return ("Per month, " if monthly else "Per day, ") + period, chart


def overview(session: Session, actor: Actor, agent_id: int, query: TxQuery) -> dict:
    """Everything the Subscriptions page shows (Owner/Admin)."""
    agent = require_agent(session, actor, agent_id, "Admin")
    period_events = transactions_query(agent.id, query, search=False)
    totals: dict[str, list[int]] = {}
    for currency, amount in session.exec(select(period_events.c.currency, period_events.c.amount)):
        per = totals.setdefault(currency, [0, 0])
        per[0 if amount >= 0 else 1] += amount
    revenue = [
        {
            "currency": cur.upper(),
            "paid_text": money(paid, cur),
            "refunded_text": money(-refunded, cur),
            "net_text": money(paid + refunded, cur),
            "net": paid + refunded,
        }
        for cur, (paid, refunded) in sorted(totals.items(), key=lambda kv: -sum(kv[1]))
    ]
    chart_period, chart = _chart(session, period_events, query)
    table = transactions_query(agent.id, query)
    total = int(session.exec(select(func.count()).select_from(table)).one())
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(query.page, pages)
    rows = transaction_rows(session, agent.id, table, query, (page - 1) * PAGE_SIZE, PAGE_SIZE)
    passes, subscribers = _live_passes(session, agent.id)
    any_pass = session.exec(
        select(AccessPass.id).where(AccessPass.agent_id == agent.id).limit(1)
    ).first()
    return {
        "agent_name": agent.name,
        "access_mode": agent.access_mode,
        "visibility": agent.visibility,
        "has_purchases": any_pass is not None,
        "revenue": revenue,
        "chart": chart,
        "chart_period": chart_period,
        "currencies": [r["currency"].lower() for r in revenue],
        "active_passes": passes,
        "active_subscribers": subscribers,
        "rows": rows,
        "total": total,
        "page": page,
        "pages": pages,
    }
