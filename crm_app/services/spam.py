"""Spam protection for public forms, without third-party services.

- Honeypot: a field humans never see; anything typed into it is a bot.
- Minimum fill time: the page carries a signed render timestamp (`render_token`); a
  submission faster than MIN_FILL_SECONDS after rendering is a bot. A missing or forged
  token counts as "too fast".
- One submission per token: each rendering gets a token with a random nonce, and the
  submission that uses it claims it (FormTokenUse, in the submission's transaction, so a
  submission refused for its answers does not use it up). A second submission with the
  same token is quarantined rather than refused: a bot replaying one good token gets
  nothing (no contact, the same answer), while a person who sent the page twice (back
  button, a second booking without reloading) is kept for a member to release. The claim
  is an INSERT on the primary key: on PostgreSQL a concurrent second claim waits for the
  first transaction and then finds the row (on SQLite writers are serialized anyway).
- Per-IP rate limit (services/rate_limits.py: shared by every worker when Redis is set).
  Submissions over the limit are quarantined as spam; far over it (HARD_FACTOR times) they
  are refused outright so a flood cannot fill the database. Every submission that gets as
  far as its answers counts, including one refused for them.
  `CRM_FORM_RATE_LIMIT` (submissions per IP per 10 minutes, default 20; `0` turns the
  limit off, as the load benchmark does — bench/bench_forms.py).
- Size limits live in services/forms/schema.py (answer lengths, total payload, file size).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from datetime import timedelta

from sqlalchemy import delete
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session

from crm_app.models import FormTokenUse, utcnow
from crm_app.services import rate_limits
from crm_app.settings import get_settings

MIN_FILL_SECONDS = 3.0
WINDOW = timedelta(minutes=10)
HARD_FACTOR = 5
TOKEN_MAX_AGE = 24 * 3600


def rate_limit() -> int:
    return get_settings().form_rate_limit


def _sign(message: str) -> str:
    key = get_settings().secret_key.encode()
    return hmac.new(key, f"form-render:{message}".encode(), hashlib.sha256).hexdigest()[:32]


def render_token(slug: str, now: float | None = None) -> str:
    """A signed "this page was rendered at" stamp for the form `slug`, unique per rendering."""
    stamp = f"{(now if now is not None else time.time()):.3f}"
    nonce = secrets.token_hex(8)
    return f"{stamp}.{nonce}.{_sign(slug + ':' + stamp + ':' + nonce)}"


def _verified(token, slug: str) -> tuple[float, str] | None:
    """(issue time, signature) of a token signed for `slug`, or None."""
    if not isinstance(token, str) or not token.isascii() or token.count(".") != 3:
        return None
    rest, _, signature = token.rpartition(".")
    stamp, _, nonce = rest.rpartition(".")
    if not hmac.compare_digest(signature, _sign(slug + ":" + stamp + ":" + nonce)):
        return None
    try:
        return float(stamp), signature
    except ValueError:
        return None


def elapsed_since(token: str | None, slug: str, now: float | None = None) -> float | None:
    """Seconds since the token was issued for `slug`; None when missing, forged or stale."""
    verified = _verified(token, slug)
    if verified is None:
        return None
    elapsed = (now if now is not None else time.time()) - verified[0]
    if elapsed < 0 or elapsed > TOKEN_MAX_AGE:
        return None
    return elapsed


REPLAYED = (
    "Sent with a page token that another submission already used (a replay, or the page sent twice)"
)


def claim_token(session: Session, token: str, slug: str) -> bool:
    """Mark a valid token used by this submission; False when another submission has it.
    Runs in the submission's transaction (its rollback frees the token again) and forgets
    tokens too old to pass elapsed_since anyway."""
    verified = _verified(token, slug)
    if verified is None:
        return False
    now = utcnow()
    session.connection().execute(
        delete(FormTokenUse).where(FormTokenUse.used_at < now - timedelta(seconds=TOKEN_MAX_AGE))
    )
    make = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    inserted = (
        session.connection()
        .execute(
            make(FormTokenUse.__table__)
            .values(signature=verified[1], used_at=now)
            .on_conflict_do_nothing()
            .returning(FormTokenUse.__table__.c.signature)
        )
        .first()
    )
    return inserted is not None


def check(honeypot: str | None, elapsed: float | None) -> str:
    """The spam reason from the visitor's own submission ("" when it looks human)."""
    if honeypot and (not isinstance(honeypot, str) or honeypot.strip()):
        return "Hidden honeypot field was filled in"
    if elapsed is None:
        return "Submitted without a valid page timestamp"
    if elapsed < MIN_FILL_SECONDS:
        return f"Submitted {elapsed:.1f} s after the page opened (faster than a person can fill it)"
    return ""


def count_hit(ip: str) -> int:
    """Count one submission from `ip` and return how many it made in the window, this one
    included (0: limit off). Past the hard ceiling nothing more is counted."""
    limit = rate_limit()
    if limit <= 0 or not ip:
        return 0
    ceiling = rate_limits.Limit("form-submit-ip", limit * HARD_FACTOR, int(WINDOW.total_seconds()))
    if not rate_limits.hit(ceiling, ip):
        return ceiling.amount + 1
    return rate_limits.used(ceiling, ip)


def over_limit_reason(hits: int) -> str:
    limit = rate_limit()
    if limit > 0 and hits > limit:
        return f"More than {limit} submissions from this IP address in 10 minutes"
    return ""


def refused(hits: int) -> bool:
    limit = rate_limit()
    return limit > 0 and hits > limit * HARD_FACTOR
