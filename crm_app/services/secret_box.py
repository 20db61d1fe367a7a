"""Secrets kept at rest in our own tables (an agent's provider API key): sealed with
Fernet (AES-128-CBC + HMAC-SHA256, from `cryptography`) under a key derived from the
installation secret (`settings.secret_key`, CRM_SECRET_KEY) with HKDF.

    stored = seal("sk-...")      # "fernet:gAAAA..." — what the column holds
    unseal(stored)               # "sk-..." ; None when it cannot be read

A sealed value starts with `PREFIX`. `unseal` reads an unprefixed value as a plain legacy
value (written before sealing existed; the migration that introduced sealing sealed the
rows it found). A value sealed under another secret (CRM_SECRET_KEY changed) or damaged
cannot be read: `unseal` gives None and the screen asks for the key again.
"""

from __future__ import annotations

import base64
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from crm_app.settings import get_settings

PREFIX = "fernet:"
_INFO = b"agent-crm secret box v1"


@lru_cache(maxsize=4)
def _fernet(secret: str) -> Fernet:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_INFO).derive(secret.encode())
    return Fernet(base64.urlsafe_b64encode(key))


def seal(plain: str, *, secret: str | None = None) -> str:
    """The stored form of `plain` ("" stays "": nothing to hide)."""
    if not plain:
        return ""
    box = _fernet(secret if secret is not None else get_settings().secret_key)
    return PREFIX + box.encrypt(plain.encode()).decode("ascii")


def unseal(stored: str | None, *, secret: str | None = None) -> str | None:
    """The plain value of a stored one; "" for nothing stored, None when it cannot be read."""
    if not stored:
        return ""
    if not stored.startswith(PREFIX):
        return stored  # a legacy plain value
    box = _fernet(secret if secret is not None else get_settings().secret_key)
    try:
        return box.decrypt(stored[len(PREFIX) :].encode("ascii")).decode()
    except (InvalidToken, ValueError, UnicodeError):
        return None


def readable(stored: str | None, *, secret: str | None = None) -> bool:
    """Whether `unseal` would succeed, checked on the seal's signature without decrypting."""
    if not stored or not stored.startswith(PREFIX):
        return True
    box = _fernet(secret if secret is not None else get_settings().secret_key)
    try:
        box.extract_timestamp(stored[len(PREFIX) :].encode("ascii"))
    except (InvalidToken, ValueError, UnicodeError):
        return False
    return True


def is_sealed(stored: str | None) -> bool:
    return bool(stored) and stored.startswith(PREFIX)
