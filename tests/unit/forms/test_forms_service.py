"""Forms: building, versions, public submissions, spam quarantine, contacts, review and export."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

import pytest
from sqlmodel import select

from crm_app import db
from crm_app.models import (
    Activity,
    Contact,
    ContactField,
    ContactValue,
    FormSubmission,
    FormVersion,
)
from crm_app.services import contacts, forms
from crm_app.services.errors import (
    Conflict,
    NotFound,
    PermissionDenied,
    RateLimited,
    ValidationError,
)
from crm_app.settings import get_settings
from tests.unit.forms.helpers import GOOD, booking_draft, published_form

HUMAN = 10.0  # seconds a person took to fill the form


def submit(slug, answers=None, **kw):
    kw.setdefault("elapsed", HUMAN)
    kw.setdefault("ip", "203.0.113.7")
    with db.session_scope() as s:
        return forms.submit_form(s, slug, dict(GOOD if answers is None else answers), **kw)


# ------------------------------------------------------------------ building


def test_admin_builds_and_publishes_user_and_outsider_cannot(world):
    with db.session_scope() as s:
        with pytest.raises(PermissionDenied):
            forms.create_form(s, world.user, world.agent_id, "Book a visit")
        with pytest.raises(NotFound, match="Agent not found"):
            forms.create_form(s, world.outsider, world.agent_id, "Book a visit")
        form = forms.create_form(s, world.owner, world.agent_id, "Book a visit")
        with pytest.raises(ValidationError, match="at least one question"):
            forms.publish(s, world.owner, world.agent_id, form.id)
    with db.session_scope() as s:
        with pytest.raises(PermissionDenied):
            forms.save_draft(s, world.user, world.agent_id, form.id, booking_draft())
        with pytest.raises(NotFound):
            forms.builder_data(s, world.outsider, world.other_agent_id, form.id)
        saved = forms.save_draft(s, world.owner, world.agent_id, form.id, booking_draft())
        assert [e["id"] for e in saved["elements"]][:3] == ["intro", "name", "email"]
        version = forms.publish(s, world.owner, world.agent_id, form.id)
        assert version.version == 1
        # A User reads the builder (read-only) but cannot publish.
        data = forms.builder_data(s, world.user, world.agent_id, form.id)
        assert data["can_edit"] is False and data["status"] == "Published"
        with pytest.raises(PermissionDenied):
            forms.publish(s, world.user, world.agent_id, form.id)
        with pytest.raises(Conflict, match="no changes"):
            forms.publish(s, world.owner, world.agent_id, form.id)


def test_publish_names_the_element_at_fault(world):
    draft = booking_draft()
    draft["elements"][6]["options"] = []  # Topics (form only)
    with db.session_scope() as s:
        form = forms.create_form(s, world.owner, world.agent_id, "Broken")
        forms.save_draft(s, world.owner, world.agent_id, form.id, draft)
        with pytest.raises(ValidationError) as error:
            forms.publish(s, world.owner, world.agent_id, form.id)
        assert error.value.field == "topics.options"
        draft = booking_draft()
        draft["elements"][2]["maps_to"] = "name"  # Email element into the Name field
        forms.save_draft(s, world.owner, world.agent_id, form.id, draft)
        with pytest.raises(ValidationError, match="can't fill"):
            forms.publish(s, world.owner, world.agent_id, form.id)


def test_settings_are_validated(world):
    with db.session_scope() as s:
        form = forms.create_form(s, world.owner, world.agent_id, "Settings")
        for bad, fld in (
            ({"redirect_url": "javascript:alert(1)"}, "redirect_url"),
            ({"close_date": "next week"}, "close_date"),
            ({"limit": "-3"}, "limit"),
        ):
            with pytest.raises(ValidationError) as error:
                forms.save_draft(
                    s, world.owner, world.agent_id, form.id, {"elements": [], "settings": bad}
                )
            assert error.value.field == fld
        with pytest.raises(ValidationError) as error:
            forms.save_draft(
                s,
                world.owner,
                world.agent_id,
                form.id,
                {
                    "elements": [
                        {"id": "a", "type": "short_text", "label": "A", "min": 10, "max": 3}
                    ],
                    "settings": {},
                },
            )
        assert error.value.field == "a.min"


def test_editing_a_published_form_makes_a_new_version_and_old_answers_keep_their_questions(world):
    form_id, slug = published_form(world)
    first = submit(slug)
    draft = booking_draft()
    draft["elements"][1]["label"] = "Full name"
    draft["elements"].insert(2, {"id": "reason", "type": "long_text", "label": "Reason for visit"})
    with db.session_scope() as s:
        forms.save_draft(s, world.owner, world.agent_id, form_id, draft)
        # Visitors still see version 1 until the changes are published.
        assert [e["label"] for e in forms.public_form(s, slug).schema["elements"]][1] == "Your name"
        assert forms.builder_data(s, world.owner, world.agent_id, form_id)["unpublished"] is True
        assert forms.publish(s, world.owner, world.agent_id, form_id).version == 2
    second = submit(slug, dict(GOOD, reason="Toothache", email="other@example.com"))
    with db.session_scope() as s:
        old, new = (
            s.get(FormSubmission, first.submission_id),
            s.get(FormSubmission, second.submission_id),
        )
        assert s.get(FormVersion, old.form_version_id).version == 1
        assert s.get(FormVersion, new.form_version_id).version == 2
        assert old.answers["name"]["label"] == "Your name" and "reason" not in old.answers
        assert new.answers["name"]["label"] == "Full name"
        detail = forms.submission_detail(s, world.owner, world.agent_id, form_id, old.id)
        assert ("Your name", "Maria Lopez") in {(a["label"], a["value"]) for a in detail["answers"]}
        view = forms.list_submissions(
            s, world.owner, world.agent_id, form_id, forms.SubmissionQuery()
        )
        labels = [c["label"] for c in view["columns"]]
        assert "Full name" in labels and "Reason for visit" in labels


def test_close_reopen_duplicate_delete(world):
    form_id, slug = published_form(world)
    submit(slug)
    with db.session_scope() as s:
        with pytest.raises(PermissionDenied):
            forms.set_status(s, world.user, world.agent_id, form_id, "Closed")
        forms.set_status(s, world.owner, world.agent_id, form_id, "Closed")
    with pytest.raises(forms.FormUnavailable) as error:
        submit(slug)
    assert error.value.reason == "closed" and "closed" in error.value.message
    with db.session_scope() as s:
        forms.set_status(s, world.owner, world.agent_id, form_id, "Published")
        copy = forms.duplicate_form(s, world.owner, world.agent_id, form_id)
        listed = forms.list_forms(s, world.owner, world.agent_id)
        assert [f["name"] for f in listed] == ["Book a visit (copy)", "Book a visit"]
        assert listed[0]["status"] == "Draft" and listed[0]["submissions"] == 0
        assert listed[1]["submissions"] == 1 and listed[1]["last"] != "—"
        with pytest.raises(NotFound):
            forms.list_forms(s, world.outsider, world.agent_id)
        with pytest.raises(PermissionDenied):
            forms.delete_form(s, world.user, world.agent_id, form_id)
        forms.delete_form(s, world.owner, world.agent_id, form_id)
        assert [f["id"] for f in forms.list_forms(s, world.owner, world.agent_id)] == [str(copy.id)]
    with pytest.raises(forms.FormUnavailable) as error:
        submit(slug)
    assert error.value.reason == "not_found"


def test_limit_and_close_date(world):
    _, slug = published_form(world, limit=1)
    submit(slug)
    with pytest.raises(forms.FormUnavailable) as error:
        submit(slug, dict(GOOD, email="b@example.com"))
    assert error.value.reason == "limit"
    draft = booking_draft()
    draft["elements"][0]["id"] = "intro2"
    _, slug2 = published_form(
        world, draft, close_date=(date.today() - timedelta(days=1)).isoformat()
    )
    with pytest.raises(forms.FormUnavailable) as error:
        submit(slug2)
    assert error.value.reason == "closed"


# ------------------------------------------------------------------ submissions → contacts


def test_valid_submission_creates_contact_via_form_with_mapped_fields_and_owner(world):
    form_id, slug = published_form(world)
    result = submit(slug)
    assert result.status == "New" and result.success_message == "See you soon!"
    with db.session_scope() as s:
        contact = s.get(Contact, result.contact_id)
        assert (contact.name, contact.email, contact.source) == (
            "Maria Lopez",
            "maria@example.com",
            "Form",
        )
        assert contact.primary_owner_id == world.owner.user_id  # automations ran
        clinic = s.exec(
            select(ContactField).where(
                ContactField.key == "preferred_clinic", ContactField.agent_id == world.agent_id
            )
        ).one()
        assert s.get(ContactValue, (contact.id, clinic.id)).value_text == "Harbor"
        messages = [
            a.message for a in s.exec(select(Activity).where(Activity.contact_id == contact.id))
        ]
        assert "Submitted form “Book a visit”" in messages
        sub = s.get(FormSubmission, result.submission_id)
        assert (
            sub.answers["topics"]["value"] == ["Whitening"]
            and sub.answers["consent"]["value"] is True
        )
        assert sub.answers["guests"]["value"] == "2"


def test_repeat_email_matches_and_never_overwrites_member_typed_values(world):
    _, slug = published_form(world)
    first = submit(slug)
    with db.session_scope() as s:
        contacts.edit_contact(
            s, world.owner, world.agent_id, first.contact_id, {"name": "María López"}
        )
    again = submit(
        slug, dict(GOOD, name="M. Lopez", phone="(415) 555-2671", email="maria@example.com")
    )
    assert again.contact_id == first.contact_id
    with db.session_scope() as s:
        contact = s.get(Contact, first.contact_id)
        assert contact.name == "María López" and contact.phone == "+14155552671"
        assert s.exec(select(Contact).where(Contact.agent_id == world.agent_id)).all() == [contact]


def test_without_email_or_phone_the_submission_is_kept_alone(world):
    _, slug = published_form(world)
    result = submit(slug, dict(GOOD, email=""))
    assert result.contact_id is None and result.status == "New"
    with db.session_scope() as s:
        assert s.exec(select(Contact)).all() == []


def test_every_answer_is_validated_with_messages_per_question(world):
    _, slug = published_form(world)
    with pytest.raises(forms.SubmissionInvalid) as error:
        submit(
            slug,
            {
                "name": "M",
                "email": "not-an-email",
                "phone": "12",
                "clinic": "Elsewhere",
                "guests": "9",
                "topics": ["Surgery"],
            },
        )
    errors = error.value.errors
    assert errors["name"] == "Write at least 2 characters."
    assert "valid email" in errors["email"] and "valid phone" in errors["phone"]
    assert "options" in errors["clinic"] and "no larger than 6" in errors["guests"]
    assert "options" in errors["topics"] and "tick this box" in errors["consent"]
    with pytest.raises(forms.SubmissionInvalid) as error:
        submit(slug, dict(GOOD, name=""))
    assert error.value.errors == {"name": "Please fill in this field."}
    with pytest.raises(ValidationError, match="too long"):
        submit(slug, dict(GOOD, filler="x" * 200_000))
    with db.session_scope() as s:
        assert s.exec(select(FormSubmission)).all() == []


# ------------------------------------------------------------------ spam


def test_honeypot_and_too_fast_go_to_spam_not_contacts_and_release_makes_the_contact(world):
    form_id, slug = published_form(world)
    bot = submit(slug, honeypot="http://spam.example")
    fast = submit(slug, dict(GOOD, email="fast@example.com"), elapsed=0.8)
    forged = submit(
        slug, dict(GOOD, email="forged@example.com"), elapsed=None, render_token="1.2.3"
    )
    assert [bot.status, fast.status, forged.status] == ["Spam", "Spam", "Spam"]
    assert bot.contact_id is None
    with db.session_scope() as s:
        assert s.exec(select(Contact)).all() == []
        assert "honeypot" in s.get(FormSubmission, bot.submission_id).spam_reason
        assert "faster" in s.get(FormSubmission, fast.submission_id).spam_reason
        view = forms.list_submissions(
            s, world.owner, world.agent_id, form_id, forms.SubmissionQuery(status="Spam")
        )
        assert view["total"] == 3 and view["counts"]["Spam"] == 3
        assert (
            forms.list_submissions(
                s, world.owner, world.agent_id, form_id, forms.SubmissionQuery()
            )["total"]
            == 0
        )
        with pytest.raises(NotFound):
            forms.release_from_spam(s, world.outsider, world.agent_id, form_id, bot.submission_id)
        forms.release_from_spam(s, world.user, world.agent_id, form_id, bot.submission_id)
    with db.session_scope() as s:
        sub = s.get(FormSubmission, bot.submission_id)
        assert sub.status == "New" and sub.contact_id
        assert s.get(Contact, sub.contact_id).email == "maria@example.com"


def test_signed_render_token_measures_fill_time(world):
    from crm_app.services import spam

    _, slug = published_form(world)
    import time

    old = spam.render_token(slug, now=time.time() - 30)
    assert submit(slug, elapsed=None, render_token=old).status == "New"
    assert spam.elapsed_since(old, "another-form") is None


def test_per_ip_rate_limit_quarantines_then_refuses(world, monkeypatch):
    monkeypatch.setenv("CRM_FORM_RATE_LIMIT", "2")
    get_settings.cache_clear()  # settings are read once per process
    _, slug = published_form(world)
    statuses = [submit(slug, dict(GOOD, email=f"p{i}@example.com")).status for i in range(4)]
    assert statuses == ["New", "New", "Spam", "Spam"]
    assert submit(slug, dict(GOOD, email="other@example.com"), ip="198.51.100.1").status == "New"
    for i in range(6):
        submit(slug, dict(GOOD, email=f"q{i}@example.com"))
    with pytest.raises(RateLimited):
        submit(slug, dict(GOOD, email="flood@example.com"))


# ------------------------------------------------------------------ files


def test_file_upload_is_sniffed_stored_privately_and_downloaded_by_members_only(world):
    form_id, slug = published_form(world)
    pdf = io.BytesIO(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
    result = submit(slug, files={"report": forms.UploadedFile("letter.pdf", pdf)})
    with db.session_scope() as s:
        path, name, ctype = forms.file_for_download(
            s, world.user, form_id, result.submission_id, "report"
        )
        assert (
            name == "letter.pdf"
            and ctype == "application/pdf"
            and path.read_bytes().startswith(b"%PDF")
        )
        from crm_app.settings import get_settings

        assert path.is_relative_to(
            get_settings().files_dir
        )  # private storage, not the public upload dir
        with pytest.raises(NotFound):
            forms.file_for_download(s, world.outsider, form_id, result.submission_id, "report")
    with pytest.raises(forms.SubmissionInvalid) as error:
        submit(
            slug,
            dict(GOOD, email="x@example.com"),
            files={"report": forms.UploadedFile("letter.pdf", io.BytesIO(b"MZ\x90\x00binary"))},
        )
    assert "program" in error.value.errors["report"]
    big = io.BytesIO(b"%PDF-" + b"0" * (forms.MAX_FORM_FILE_BYTES + 10))
    with pytest.raises(forms.SubmissionInvalid, match="10 MB"):
        submit(
            slug,
            dict(GOOD, email="y@example.com"),
            files={"report": forms.UploadedFile("big.pdf", big)},
        )


# ------------------------------------------------------------------ review and export


def test_review_search_dates_and_csv_export_escapes_formulas(world):
    form_id, slug = published_form(world)
    a = submit(slug, dict(GOOD, name='=HYPERLINK("http://evil")', email="a@example.com"))
    submit(slug, dict(GOOD, name="Ben Ortiz", email="ben@example.com"))
    with db.session_scope() as s:
        q = forms.SubmissionQuery(search="ortiz")
        view = forms.list_submissions(s, world.owner, world.agent_id, form_id, q)
        assert view["total"] == 1 and view["items"][0]["contact"] == "Ben Ortiz"
        tomorrow = date.today() + timedelta(days=1)
        assert (
            forms.list_submissions(
                s, world.owner, world.agent_id, form_id, forms.SubmissionQuery(date_from=tomorrow)
            )["total"]
            == 0
        )
        forms.mark_reviewed(s, world.user, world.agent_id, form_id, a.submission_id)
        assert (
            forms.list_submissions(
                s, world.owner, world.agent_id, form_id, forms.SubmissionQuery(status="Reviewed")
            )["total"]
            == 1
        )
        with pytest.raises(PermissionDenied):
            forms.export_csv(s, world.user, world.agent_id, form_id, forms.SubmissionQuery())
        name, body = forms.export_csv(
            s, world.owner, world.agent_id, form_id, forms.SubmissionQuery()
        )
    assert name.startswith("book-a-visit-submissions-") and name.endswith(".csv")
    rows = list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))
    assert rows[0][:4] == ["Submitted", "Status", "Contact", "Your name"]
    cells = [r[3] for r in rows[1:]]
    assert '\'=HYPERLINK("http://evil")' in cells and "Ben Ortiz" in cells


def test_share_links_and_qr_code(world):
    form_id, slug = published_form(world)
    with db.session_scope() as s:
        from crm_app.models import Form

        links = forms.share_links(s.get(Form, form_id))
        assert links["url"].endswith(f"/f/{slug}") and links["embed"].startswith("<iframe src=")
        png, filename = forms.qr_png(s, world.user, form_id)
        assert png.startswith(b"\x89PNG") and filename == f"{slug}-qr.png"
        with pytest.raises(NotFound):
            forms.qr_png(s, world.outsider, form_id)
