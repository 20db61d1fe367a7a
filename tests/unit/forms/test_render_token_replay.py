"""A public form's render token is good for one submission: the same token again is
quarantined (no contact); a submission refused for its answers does not use it up; and
concurrent submissions with one token make exactly one contact (SQLite, and PostgreSQL when
CRM_TEST_POSTGRES_URL is set)."""

from __future__ import annotations

import threading
import time

from sqlmodel import select

from crm_app import db
from crm_app.models import Contact, FormSubmission
from crm_app.services import forms, spam
from tests.unit.forms.helpers import GOOD, published_form


def _submit(slug: str, token: str, **changes) -> forms.SubmitResult:
    with db.session_scope() as s:
        return forms.submit_form(
            s, slug, dict(GOOD, **changes), render_token=token, ip="203.0.113.7"
        )


def _aged(slug: str) -> str:
    return spam.render_token(slug, now=time.time() - 30)


def test_a_replayed_token_is_quarantined_and_makes_no_contact(world):
    _, slug = published_form(world)
    token = _aged(slug)
    first = _submit(slug, token)
    replay = _submit(slug, token, email="bot@example.com")
    assert (first.status, replay.status) == ("New", "Spam") and replay.contact_id is None
    with db.session_scope() as s:
        assert s.get(FormSubmission, replay.submission_id).spam_reason == spam.REPLAYED
        assert [c.email for c in s.exec(select(Contact))] == ["maria@example.com"]
    assert _submit(slug, _aged(slug), email="ana@example.com").status == "New"  # a fresh page: fine


def test_every_rendering_gets_its_own_token(world):
    _, slug = published_form(world)
    assert spam.render_token(slug, now=1000.0) != spam.render_token(slug, now=1000.0)


def test_a_submission_refused_for_its_answers_does_not_use_the_token_up(world):
    _, slug = published_form(world)
    token = _aged(slug)
    try:
        _submit(slug, token, email="not-an-email")
    except forms.SubmissionInvalid as error:
        assert "email" in error.errors
    else:
        raise AssertionError("the bad email was accepted")
    assert _submit(slug, token).status == "New"  # the visitor fixed the answer on the same page


def test_concurrent_submissions_with_one_token_make_exactly_one_contact(world):
    _, slug = published_form(world)
    token = _aged(slug)
    barrier = threading.Barrier(4)
    statuses: list[str] = []
    errors: list[BaseException] = []

    def visitor(n: int) -> None:
        try:
            barrier.wait()
            statuses.append(_submit(slug, token, email=f"v{n}@example.com").status)
        except BaseException as error:  # reported below
            errors.append(error)

    threads = [threading.Thread(target=visitor, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(statuses) == ["New", "Spam", "Spam", "Spam"]
    with db.session_scope() as s:
        assert len(s.exec(select(Contact)).all()) == 1
