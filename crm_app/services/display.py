"""How contacts and times are shown: a contact's name, its initials, a local time."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from crm_app.models import Contact
from crm_app.services.values import format_phone


def fmt_time(value: datetime | None, tz_name: str = "") -> str:
    """e.g. "Mar 3, 2026, 2:05 PM" in the viewer's time zone (UTC when unknown)."""
    if value is None:
        return ""
    try:
        zone = ZoneInfo(tz_name) if tz_name else UTC
    except Exception:
        zone = UTC
    return value.astimezone(zone).strftime("%b %d, %Y, %I:%M %p").replace(" 0", " ")


def contact_name(contact: Contact) -> str:
    return contact.name or contact.email or format_phone(contact.phone) or "Unnamed contact"


def initials(text: str) -> str:
    words = [w for w in text.replace("@", " ").replace(".", " ").split() if w[:1].isalnum()]
    return "".join(w[0] for w in words[:2]).upper() or "?"
