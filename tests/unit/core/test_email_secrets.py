"""Sign-in codes and invitation links reach only the recipient (and, without SMTP, the
console): the sent-mail table keeps none, and only development mode keeps full copies."""

from __future__ import annotations

import logging
import os
import re
import stat

import pytest
from sqlmodel import select

from crm_app import db, settings
from crm_app.models import SentEmail
from crm_app.services import auth, email


@pytest.fixture()
def configure(engine, monkeypatch):
    def configure(**env):
        for name in ("CRM_SMTP_URL", "CRM_DEV_MODE"):
            monkeypatch.delenv(name, raising=False)
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        settings.get_settings.cache_clear()
        return settings.get_settings()

    return configure


def _stored() -> SentEmail:
    with db.session_scope() as s:
        return s.exec(select(SentEmail)).one()


def test_with_smtp_the_code_is_only_in_the_delivered_mail(configure, monkeypatch):
    config = configure(CRM_SMTP_URL="smtp://mail.example:587", CRM_DEV_MODE="1")
    assert config.dev_mode is False  # a server that sends real mail is never a development server
    delivered = []
    monkeypatch.setattr(
        email, "_send_smtp", lambda url, sender, to, subject, body: delivered.append(body)
    )
    with db.session_scope() as s:
        auth.request_code(s, "ann@clinic.example")
    code = re.search(r"\d{6}", delivered[0]).group(0)
    row = _stored()
    assert row.backend == "smtp" and code not in row.subject + row.body
    assert "Your one-time code is [hidden]" in row.body
    assert email.dev_mailbox() == [] and not config.dev_mailbox_dir.exists()


def test_without_smtp_the_console_shows_the_code_and_nothing_else_keeps_it(configure, caplog):
    config = configure()
    assert (
        config.dev_mode is False
    )  # development mode is explicit: no SMTP alone does not turn it on
    with caplog.at_level(logging.WARNING, logger="crm.email"), db.session_scope() as s:
        auth.request_code(s, "owner@clinic.example")
    printed = caplog.text
    code = re.search(r"Your one-time code is (\d{6})", printed).group(1)
    assert "owner@clinic.example" in printed
    assert code not in _stored().body + _stored().subject
    assert email.dev_mailbox() == [] and not config.dev_mailbox_dir.exists()


def test_development_mode_keeps_recent_full_copies_owner_only(configure, monkeypatch):
    config = configure(CRM_DEV_MODE="1")
    monkeypatch.setattr(email, "DEV_MAILBOX_KEEP", 3)
    with db.session_scope() as s:
        for n in range(5):
            email.send_email(
                s, f"p{n}@clinic.example", f"Code {n}", f"secret-{n}", hide=(f"secret-{n}",)
            )
    kept = email.dev_mailbox()
    assert [m["to"] for m in kept] == [
        "p4@clinic.example",
        "p3@clinic.example",
        "p2@clinic.example",
    ]
    assert kept[0]["body"] == "secret-4"
    assert stat.S_IMODE(os.stat(config.dev_mailbox_dir).st_mode) == 0o700
    assert {stat.S_IMODE(p.stat().st_mode) for p in config.dev_mailbox_dir.iterdir()} == {0o600}
    assert len(list(config.dev_mailbox_dir.iterdir())) == 3
