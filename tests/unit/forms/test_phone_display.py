"""One phone display format everywhere (issue #10): the contacts list, the pipeline card, the
contact's page and edit dialog (default and custom Phone fields), the form submissions table
and detail all show "+1 415-555-2671"; the CSV files keep E.164."""

from __future__ import annotations

import csv
import io

from sqlmodel import select

from crm_app import db
from crm_app.models import Activity, Agent, Contact
from crm_app.services import contact_list, contacts, export, fields, forms, pipeline, timeline
from crm_app.services.contact_list import ListQuery
from crm_app.services.values import format_phone
from crm_app.state.contacts import _display_row
from tests.unit.forms.helpers import GOOD, booking_draft, published_form
from tests.unit.forms.test_forms_service import submit

SHOWN = "+1 415-555-2671"
STORED = "+14155552671"


def test_format_phone_is_international_and_reads_local_numbers_with_the_agent_region():
    assert format_phone(STORED) == SHOWN
    assert format_phone("+442079460958", "US") == "+44 20 7946 0958"
    assert (
        format_phone("020 7946 0958", "GB") == "+44 20 7946 0958"
    )  # stored without its country code
    assert format_phone("(415) 555-2671", "US") == SHOWN
    assert format_phone("not a number", "US") == "not a number" and format_phone(None) == ""


def test_every_screen_shows_the_same_format_and_files_keep_e164(world):
    draft = booking_draft()
    draft["elements"][1]["required"] = False  # a visitor who leaves only a phone number
    form_id, slug = published_form(world, draft)
    submit(slug, dict(GOOD, name="", email="", phone="(415) 555-2671"))
    with db.session_scope() as s:
        fields.create_custom_field(
            s, world.owner, world.agent_id, label="Work phone", key="work_phone", type="Phone"
        )
        contact = s.exec(select(Contact).where(Contact.agent_id == world.agent_id)).one()
        contacts.edit_contact(
            s, world.owner, world.agent_id, contact.id, {"work_phone": "415 555 2672"}
        )
    with db.session_scope(read_only=True) as s:
        contact = s.exec(select(Contact).where(Contact.agent_id == world.agent_id)).one()
        assert contact.phone == STORED

        rows = contact_list.list_page(s, world.owner, world.agent_id, ListQuery()).rows
        custom = [
            f for f in fields.list_fields(s, world.owner, world.agent_id) if not f["is_default"]
        ]
        phone_fields = {str(f["id"]) for f in custom if f["type"] == "Phone"}
        row = _display_row(rows[0], "/contacts", phone_fields)
        assert row.phone == SHOWN and row.name == SHOWN  # no name nor email: the phone names it
        assert row.custom[f"cf:{next(iter(phone_fields))}"] == "+1 415-555-2672"

        card = pipeline.board(s, world.owner, world.agent_id, ListQuery())[0]["cards"][0]
        assert (card["title"], card["phone"]) == (SHOWN, SHOWN)

        detail = timeline.contact_detail(s, world.owner, world.agent_id, contact.id)
        assert (detail["title"], detail["phone_display"]) == (SHOWN, SHOWN)
        general = {f["key"]: f for f in detail["fields"]}
        assert (general["phone"]["value"], general["phone"]["edit"]) == (SHOWN, SHOWN)
        assert (general["work_phone"]["value"], general["work_phone"]["edit"]) == (
            "+1 415-555-2672",
        ) * 2

        table = forms.list_submissions(
            s, world.owner, world.agent_id, form_id, forms.SubmissionQuery()
        )
        phone_column = [c["id"] for c in table["columns"]].index("phone")
        assert table["items"][0]["cells"][phone_column] == SHOWN
        assert table["items"][0]["contact"] == SHOWN
        item = forms.submission_detail(
            s, world.owner, world.agent_id, form_id, table["items"][0]["id"]
        )
        assert {a["id"]: a["value"] for a in item["answers"]}["phone"] == SHOWN

        out = io.StringIO()
        export.export_contacts(s, world.owner, world.agent_id, out=out)
        exported = list(csv.DictReader(io.StringIO(out.getvalue().lstrip("\ufeff"))))
        assert (
            exported[0]["Mobile Number"] == STORED and exported[0]["Work phone"] == "+14155552672"
        )


def test_saving_the_edit_dialog_unchanged_keeps_the_number(world):
    with db.session_scope() as s:
        agent = s.get(Agent, world.agent_id)
        saved = contacts.save_contact(
            s,
            agent,
            {"name": "Ann", "phone": STORED},
            source="Manual",
            origin=contacts.Origin("member", "Rosa"),
        )
        contact_id = saved.contact.id
    with db.session_scope() as s:  # the dialog sends back what it showed
        contacts.edit_contact(s, world.owner, world.agent_id, contact_id, {"phone": SHOWN})
    with db.session_scope(read_only=True) as s:
        assert s.get(Contact, contact_id).phone == STORED
    with db.session_scope() as s:  # a real change: the timeline says it in the display format too
        contacts.edit_contact(s, world.owner, world.agent_id, contact_id, {"phone": "415 555 2672"})
    with db.session_scope(read_only=True) as s:
        messages = [
            a.message for a in s.exec(select(Activity).where(Activity.contact_id == contact_id))
        ]
        assert any("changed from '+1 415-555-2671' to '+1 415-555-2672'" in m for m in messages), (
            messages
        )
