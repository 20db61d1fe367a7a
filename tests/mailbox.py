"""Mail as its recipient reads it: the full copies the development mailbox keeps (tests that
use these run with CRM_DEV_MODE=1; the SentEmail table holds no codes or links)."""

from __future__ import annotations

import re


def inbox(email: str) -> dict:
    """The newest full mail to `email`: {"to", "subject", "body", ...}."""
    from crm_app.services.email import dev_mailbox

    mail = next((m for m in dev_mailbox() if m["to"] == email.strip().lower()), None)
    assert mail is not None, f"no email to {email}"
    return mail


def code_in(mail: dict) -> str:
    return re.search(r"\b(\d{6})\b", mail["body"]).group(1)
