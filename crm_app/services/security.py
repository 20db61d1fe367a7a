"""Token and code helpers: secrets are generated here and only their hashes are stored."""

from __future__ import annotations

import hashlib
import hmac
import secrets

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
