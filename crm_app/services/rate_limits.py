"""Rate limits: one small interface over the `limits` library (moving windows).

Counts live in Redis when CRM_REDIS_URL is set — shared by every web worker and host, and
kept across restarts — and in this process's memory otherwise. Without Redis the app runs
one web process (Reflex keeps its own state in memory then too), so that memory sees every
request; a restart forgets the counts, which these limits can afford. The bounds that must
hold across restarts without Redis are kept with the data instead of in a counter: a code's
five guesses on its LoginCode row, and the codes sent to one address, counted from those
rows (services/auth.py).

A refused hit is not counted, so a client that keeps hammering is let in again once its
earlier, counted requests leave the window.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import lru_cache

from limits import RateLimitItemPerSecond
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter

from crm_app.settings import get_settings


@dataclass(frozen=True)
class Limit:
    """At most `amount` events per `seconds` for each key (an IP, an address, ...)."""

    name: str
    amount: int
    seconds: int

    @property
    def item(self) -> RateLimitItemPerSecond:
        return RateLimitItemPerSecond(self.amount, self.seconds, namespace="crm")


@lru_cache(maxsize=8)
def _limiter_for(redis_url: str | None, database_url: str) -> MovingWindowRateLimiter:
    # Counts belong to the installation whose database they guard: two installations sharing
    # a Redis (or test databases in one process) never see each other's counts.
    if redis_url:
        scope = hashlib.sha256(database_url.encode()).hexdigest()[:12]
        storage = storage_from_string(redis_url, key_prefix=f"crm-limits-{scope}")
    else:
        storage = storage_from_string("memory://")
    return MovingWindowRateLimiter(storage)


def _limiter() -> MovingWindowRateLimiter:
    settings = get_settings()
    return _limiter_for(settings.redis_url, settings.database_url)


def hit(limit: Limit, key: str) -> bool:
    """Count one event for `key`; False, and nothing counted, once the limit is reached."""
    return _limiter().hit(limit.item, limit.name, key)


def allows(limit: Limit, key: str) -> bool:
    """Whether one more event for `key` would be within the limit (counts nothing)."""
    return _limiter().test(limit.item, limit.name, key)


def used(limit: Limit, key: str) -> int:
    """Events counted for `key` in the current window."""
    return limit.amount - _limiter().get_window_stats(limit.item, limit.name, key).remaining
