"""Outgoing mail is recorded in the caller's transaction and sent by a job after the
commit, retried with backoff when the mail server fails."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from crm_app import db, settings
from crm_app.jobs.queue import huey
from crm_app.models import Organization, SentEmail
from crm_app.services import email
from tests.mailbox import inbox
from tests.unit.jobs.conftest import wait_for


@pytest.fixture()
def dev_mode(engine, monkeypatch):
    monkeypatch.setenv("CRM_DEV_MODE", "1")
    settings.get_settings.cache_clear()


def _rows():
    with db.session_scope() as s:
        return [(r.to, r.body, r.status) for r in s.exec(select(SentEmail))]


def test_mail_goes_out_after_the_commit_without_its_secret_in_the_table(dev_mode):
    with db.session_scope() as s:
        email.send_email(
            s, "ana@example.com", "123456 is your code", "Code: 123456", hide=["123456"]
        )
        assert email.dev_mailbox() == []  # nothing sent while the transaction is open
    assert _rows() == [("ana@example.com", "Code: [hidden]", "sent")]
    assert inbox("ana@example.com")["body"] == "Code: 123456"


def test_no_mail_about_a_change_that_rolled_back(dev_mode):
    with pytest.raises(RuntimeError), db.session_scope() as s:
        s.add(Organization(name="Clinic"))
        email.send_email(s, "ana@example.com", "Welcome", "Hello")
        raise RuntimeError("the change failed")
    assert email.dev_mailbox() == [] and _rows() == []


def test_a_failing_mail_server_is_retried_with_backoff(engine, monkeypatch, real_queue):
    monkeypatch.setenv("CRM_SMTP_URL", "smtp://mail.invalid:25")
    settings.get_settings.cache_clear()
    attempts = []

    def smtp(url, sender, to, subject, body):
        attempts.append(to)
        if len(attempts) < 3:
            raise OSError("connection refused")

    monkeypatch.setattr(email, "_send_smtp", smtp)
    with db.session_scope() as s:
        email.send_email(s, "ana@example.com", "Hello", "Hi")
    assert _rows() == [("ana@example.com", "Hi", "queued")]
    waits = []
    task, when = huey.dequeue(), None
    while task is not None:
        huey.execute(task, when)  # at its time: the test waits for no retry
        now = datetime.now(UTC).replace(tzinfo=None)
        due = huey.read_schedule(now + timedelta(days=1))  # the retry, taken off the schedule
        if not due:
            break
        (task,) = due
        when = task.eta
        waits.append(round((task.eta - now).total_seconds()))
    assert len(attempts) == 3 and _rows() == [("ana@example.com", "Hi", "sent")]
    assert waits == [10, 20]  # doubled after each failure


def test_mail_marked_failed_when_the_retries_are_used_up(engine, monkeypatch):
    monkeypatch.setenv("CRM_SMTP_URL", "smtp://mail.invalid:25")
    settings.get_settings.cache_clear()

    def smtp(*args):
        raise OSError("connection refused")

    monkeypatch.setattr(email, "_send_smtp", smtp)
    with db.session_scope() as s:
        row = email.send_email(s, "ana@example.com", "Hello", "Hi")
    with pytest.raises(OSError):
        email.deliver(row.id, "ana@example.com", "Hello", "Hi", last_try=True)
    assert _rows() == [("ana@example.com", "Hi", "failed")]


def test_a_running_worker_mails_a_sign_in_code_at_once(dev_mode, real_queue, start_worker):
    worker = start_worker()
    worker.wait_started()
    with db.session_scope() as s:
        email.send_email(
            s, "ana@example.com", "654321 is your code", "Code: 654321", hide=["654321"]
        )
    mail = wait_for(lambda: email.dev_mailbox(), timeout=30, what="the worker to send the mail")
    assert mail[0]["body"] == "Code: 654321"
    wait_for(lambda: _rows()[0][2] == "sent", what="the row marked sent")
    assert "EMAIL to ana@example.com" in worker.output()  # the console backend, in the worker
