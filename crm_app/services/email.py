"""Outgoing email: SMTP when CRM_SMTP_URL is set, otherwise the console backend.

Every message is also stored as a SentEmail row in the same transaction as the change
that caused it; the development mailbox page lists them so a new user can sign in
without a mail server.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from email.message import EmailMessage
from urllib.parse import unquote, urlparse

from sqlmodel import Session

from crm_app.models import SentEmail
from crm_app.settings import get_settings

log = logging.getLogger("crm.email")


def send_email(session: Session, to: str, subject: str, body: str) -> SentEmail:
    settings = get_settings()
    backend = "smtp" if settings.smtp_url else "console"
    row = SentEmail(to=to, subject=subject[:200], body=body, backend=backend)
    session.add(row)
    if settings.smtp_url:
        _send_smtp(settings.smtp_url, settings.mail_from, to, subject, body)
    else:
        log.warning("EMAIL to=%s subject=%s\n%s", to, subject, body)
    return row


def _send_smtp(url: str, sender: str, to: str, subject: str, body: str) -> None:
    """CRM_SMTP_URL: smtp://user:pass@host:587 (STARTTLS) or smtps://user:pass@host:465."""
    parsed = urlparse(url)
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message.set_content(body)
    port = parsed.port or (465 if parsed.scheme == "smtps" else 587)
    if parsed.scheme == "smtps":
        client = smtplib.SMTP_SSL(parsed.hostname, port, context=ssl.create_default_context(), timeout=20)
    else:
        client = smtplib.SMTP(parsed.hostname, port, timeout=20)
    with client:
        if parsed.scheme == "smtp" and client.has_extn("starttls"):
            client.starttls(context=ssl.create_default_context())
        if parsed.username:
            client.login(unquote(parsed.username), unquote(parsed.password or ""))
        client.send_message(message)
