"""Token and code helpers: secrets are generated here and only their hashes are stored."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time

from crm_app.settings import get_settings


def new_token() -> str:
    return secrets.token_urlsafe(32)


def new_code() -> str:
    return f"{secrets.randbelow(1_000_000):06d}"


def hash_secret(value: str) -> str:
    """Keyed hash (HMAC-SHA256 with the installation secret) for tokens and codes."""
    key = get_settings().secret_key.encode()
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()


def same_hash(value: str, expected_hash: str | None) -> bool:
    return bool(expected_hash) and hmac.compare_digest(hash_secret(value), expected_hash)


def sign(purpose: str, value: str, now: float | None = None) -> str:
    """`value` stamped with the time and signed for `purpose` (HMAC with the installation
    secret): a short-lived ticket a browser carries from one of our pages to a route."""
    stamp = str(int(now if now is not None else time.time()))
    return f"{value}.{stamp}.{hash_secret(f'{purpose}:{value}:{stamp}')}"


def unsign(purpose: str, ticket, max_age: float, now: float | None = None) -> str | None:
    """The value of a ticket `sign(purpose, ...)` made at most `max_age` seconds ago."""
    if not isinstance(ticket, str) or not ticket.isascii() or ticket.count(".") < 2:
        return None
    rest, _, signature = ticket.rpartition(".")
    value, _, stamp = rest.rpartition(".")
    if not stamp.isdigit() or not same_hash(f"{purpose}:{value}:{stamp}", signature):
        return None
    age = (now if now is not None else time.time()) - int(stamp)
    return value if 0 <= age <= max_age else None
