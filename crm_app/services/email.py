"""Outgoing email: SMTP when CRM_SMTP_URL is set, otherwise the console backend.

`send_email` records the message as a SentEmail row in the caller's transaction, with its
secrets (sign-in codes, invitation links) replaced by `HIDDEN`: the table tells who was
mailed what and when, but never lets its reader sign in as anyone. The message itself is
handed to the job queue once that transaction commits (`deliver`, a task with retries and
backoff): no SMTP conversation inside a database transaction, and no mail about a change
that was rolled back. The secrets travel only in the queued job and the mail itself,
which the console backend prints for the person at the worker's console. In development
mode (CRM_DEV_MODE, never with SMTP) a full copy of each message is also kept in the data
directory for the /dev/mailbox page.
"""

from __future__ import annotations

import json
import logging
import os
import secrets
import smtplib
import ssl
import time
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path
from urllib.parse import unquote, urlparse

from sqlmodel import Session

from crm_app.db import session_scope
from crm_app.jobs.queue import after_commit
from crm_app.models import SentEmail, utcnow
from crm_app.settings import get_settings, private_dir, private_open

log = logging.getLogger("crm.email")

HIDDEN = "[hidden]"
DEV_MAILBOX_KEEP = 50  # newest messages the development mailbox keeps
DEV_MAILBOX_HOURS = 24  # and only from this long ago
DELIVER_TASK = "email.deliver"


def send_email(
    session: Session, to: str, subject: str, body: str, *, hide: Iterable[str] = ()
) -> SentEmail:
    """Record one message and send it after the caller commits; `hide` lists the parts of
    subject and body that grant access (kept out of the row)."""
    settings = get_settings()
    row = SentEmail(
        to=to,
        subject=_redact(subject, hide)[:200],
        body=_redact(body, hide),
        backend="smtp" if settings.smtp_url else "console",
        status="queued",
    )
    session.add(row)
    session.flush()
    after_commit(session, DELIVER_TASK, row.id, to, subject, body)
    return row


def deliver(email_id: int, to: str, subject: str, body: str, *, last_try: bool = False) -> None:
    """The job: send the message (SMTP or console), then mark its row sent. A failure is
    raised for the queue to retry; on the last try the row is marked failed first."""
    settings = get_settings()
    try:
        if settings.smtp_url:
            _send_smtp(settings.smtp_url, settings.mail_from, to, subject, body)
        else:
            rule = "─" * 72
            log.warning(
                "\n%s\nEMAIL to %s (not sent: CRM_SMTP_URL is not set)\nSubject: %s\n\n%s\n%s",
                rule,
                to,
                subject,
                body,
                rule,
            )
        if settings.dev_mode:
            _keep_for_dev_mailbox(settings.dev_mailbox_dir, to, subject, body)
    except Exception:
        if last_try:
            _mark(email_id, "failed")
        raise
    _mark(email_id, "sent")


def _mark(email_id: int, status: str) -> None:
    with session_scope() as session:
        row = session.get(SentEmail, email_id)
        if row is not None:
            row.status, row.sent_at = status, utcnow() if status == "sent" else None
            session.add(row)


def _redact(text: str, hide: Iterable[str]) -> str:
    for secret in hide:
        if secret:
            text = text.replace(secret, HIDDEN)
    return text


def _keep_for_dev_mailbox(directory: Path, to: str, subject: str, body: str) -> None:
    """One owner-only file per message (several workers may write at once), oldest pruned."""
    private_dir(directory)
    key = f"{time.time_ns():020d}-{secrets.token_hex(4)}"
    sent = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    temp = directory / f".{key}.tmp"
    with private_open(temp, "w", encoding="utf-8") as handle:
        json.dump({"id": key, "to": to, "subject": subject, "body": body, "sent": sent}, handle)
    os.replace(temp, directory / f"{key}.json")
    for old in sorted(directory.glob("*.json"))[:-DEV_MAILBOX_KEEP]:
        old.unlink(missing_ok=True)


def dev_mailbox(directory: Path | None = None) -> list[dict]:
    """The development mailbox, newest first: [{"id", "to", "subject", "body", "sent"}].
    Empty unless development mode is on (or an explicit `directory` is read, as tests do)."""
    if directory is None:
        settings = get_settings()
        if not settings.dev_mode:
            return []
        directory = settings.dev_mailbox_dir
    if not directory.is_dir():
        return []
    oldest = (
        f"{(time.time_ns() - int(timedelta(hours=DEV_MAILBOX_HOURS).total_seconds() * 1e9)):020d}"
    )
    messages = []
    for path in sorted(directory.glob("*.json"), reverse=True)[:DEV_MAILBOX_KEEP]:
        if path.name < oldest:
            break
        try:
            messages.append(json.loads(path.read_text(encoding="utf-8")))
        except (OSError, ValueError):  # pruned by another worker while listing
            continue
    return messages


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
        client = smtplib.SMTP_SSL(
            parsed.hostname, port, context=ssl.create_default_context(), timeout=20
        )
    else:
        client = smtplib.SMTP(parsed.hostname, port, timeout=20)
    with client:
        if parsed.scheme == "smtp" and client.has_extn("starttls"):
            client.starttls(context=ssl.create_default_context())
        if parsed.username:
            client.login(unquote(parsed.username), unquote(parsed.password or ""))
        client.send_message(message)
