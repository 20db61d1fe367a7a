"""A form submission emits `form.submitted` (spam does not), published after the commit."""

from __future__ import annotations

from crm_app import db
from crm_app.services import events, forms
from tests.unit.forms.helpers import GOOD, published_form


def test_a_submission_emits_form_submitted_and_spam_does_not(world):
    seen = []

    def record(session, event):
        seen.append((event.event_type, event.payload))

    form_id, slug = published_form(world)
    events.add_publisher(record)
    try:
        with db.session_scope() as s:
            result = forms.submit_form(s, slug, dict(GOOD), elapsed=10.0, ip="203.0.113.7")
        with db.session_scope() as s:  # a filled honeypot: kept as spam
            forms.submit_form(s, slug, dict(GOOD), honeypot="bot", elapsed=10.0, ip="203.0.113.8")
    finally:
        events.remove_publisher(record)
    submitted = [p for kind, p in seen if kind == "form.submitted"]
    assert submitted == [
        {"form_id": form_id, "submission_id": result.submission_id, "contact_id": result.contact_id}
    ]
