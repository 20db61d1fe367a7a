"""CSV import in the real app: a semicolon Latin-1 file, mapping fixed by hand, a custom field
created while mapping, rows with problems first in the preview (count and filter), the
wizard surviving a reload, an explicit choice of valid rows only, error CSV, undo."""

from __future__ import annotations

import csv
import io
import re
import secrets
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import screenshot, sign_in
from tests.e2e.test_contacts_list import live_db

FILE = (
    "Nom;E-mail;Tel. portable;Assurance;Parrain\n"
    "José Müller;jose@example.com;415 555 2675;Aetna;Dr. Lee\n"
    "Françoise Côté;francoise@example;;Cigna;\n"
    "Renée Faure;renee@example.com;;Blue Cross;\n"
).encode("latin-1")


@pytest.fixture()
def clinic(live_app, monkeypatch):
    from sqlmodel import SQLModel

    from crm_app.services import agents, fields

    tag = secrets.token_hex(3)
    email = f"owner.{tag}@lakeside-clinic.example"
    with live_db(live_app, monkeypatch) as s:
        # The import tables may be newer than the migrations the server was prepared with.
        SQLModel.metadata.create_all(s.get_bind())
        owner = agents.create_owner(s, email, "Lakeside Clinic", "Nora", "Quinn")
        agent_id = agents.create_agent(s, owner, "Reception", f"reception-{tag}").id
        fields.create_custom_field(
            s,
            owner,
            agent_id,
            label="Insurance provider",
            type="Dropdown",
            options=["Aetna", "Cigna"],
        )
    return {"email": email, "agent_id": agent_id}


def _pick(page, header: str, option: str):
    page.get_by_role("combobox", name=f"Map column {header}").click()
    page.get_by_role("option", name=option, exact=True).click()


def _at_width(page, width: int, name: str):
    """A screenshot at this width; the page itself must fit it (tables scroll inside their box)."""
    page.set_viewport_size({"width": width, "height": 900})
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    screenshot(page, name)
    page.set_viewport_size({"width": 1366, "height": 900})


def _rows_with_problems_come_first(page):
    expect(page.get_by_text("2 rows have problems", exact=False).first).to_be_visible()
    expect(page.get_by_role("radio", name="With problems (2)")).to_be_checked()
    expect(page.get_by_text("Invalid", exact=True)).to_have_count(2)
    expect(page.get_by_text("Valid", exact=True)).to_have_count(0)  # the good row is one click away
    expect(page.get_by_text("'francoise@example' is not a valid email address.")).to_be_visible()
    expect(
        page.get_by_text("'Blue Cross' is not one of the options: Aetna, Cigna.")
    ).to_be_visible()


def test_import_wizard_end_to_end(page, live_app, clinic, tmp_path, monkeypatch):
    sign_in(page, live_app, clinic["email"])
    page.goto(live_app.url(f"/agents/{clinic['agent_id']}/crm/contacts"))
    page.get_by_role("button", name="Add Contact").first.click()
    page.get_by_role("dialog").get_by_role("link", name="CSV").click()
    page.wait_for_url(re.compile(r"/crm/contacts/import"))
    expect(page.get_by_role("heading", name="Upload a CSV file")).to_be_visible()
    screenshot(page, "import-1-upload", keep=True)

    path = tmp_path / "patients-latin1.csv"
    path.write_bytes(FILE)
    page.locator("input[type=file]").set_input_files(str(path))
    expect(page.get_by_role("heading", name="Map columns to contact fields")).to_be_visible()
    expect(page.get_by_text("Semicolon separated · 3 rows")).to_be_visible()
    expect(page.get_by_text("José Müller", exact=False)).to_be_visible()  # decoded from Latin-1
    # Recognised: Nom -> Name, E-mail -> Email. Fix the rest by hand.
    expect(page.get_by_role("combobox", name="Map column Nom")).to_have_text("Name")
    expect(page.get_by_role("combobox", name="Map column E-mail")).to_have_text("Email")
    _pick(page, "Tel. portable", "Mobile Number")
    _pick(page, "Assurance", "Insurance provider")
    _pick(page, "Parrain", "+ Create new custom field")
    dialog = page.get_by_role("dialog")
    expect(dialog.get_by_text("Create new custom field")).to_be_visible()
    expect(dialog.get_by_label("Label")).to_have_value("Parrain")
    dialog.get_by_label("Label").fill("Referred by")
    screenshot(page, "import-2b-new-field", keep=True)
    dialog.get_by_role("button", name="Create field").click()
    expect(dialog).to_be_hidden()
    expect(page.get_by_role("combobox", name="Map column Parrain")).to_have_text("Referred by")
    screenshot(page, "import-2-map", keep=True)
    _at_width(page, 390, "import-2-map-phone")

    page.get_by_role("button", name="Continue to preview").click()
    expect(page.get_by_role("heading", name="Preview")).to_be_visible()
    _rows_with_problems_come_first(page)
    screenshot(page, "import-3-preview", keep=True)
    page.get_by_role("radio", name="All rows").click()
    expect(page.get_by_text("Valid", exact=True)).to_have_count(1)
    expect(page.get_by_text("Invalid", exact=True)).to_have_count(2)

    # A reload comes back to the preview, with the mapping chosen by hand.
    assert "step=preview" in page.url
    page.reload()
    expect(page.get_by_role("heading", name="Preview")).to_be_visible()
    expect(page.get_by_role("columnheader", name="Referred by from Parrain")).to_be_visible()
    _rows_with_problems_come_first(page)
    _at_width(page, 390, "import-3-preview-phone")
    _at_width(page, 1024, "import-3-preview-1024")

    page.get_by_role("button", name="Continue", exact=True).click()
    expect(page.get_by_role("heading", name="Existing contacts")).to_be_visible()
    expect(page.get_by_text("2 rows have problems in the preview.", exact=False)).to_be_visible()
    start = page.get_by_role("button", name="Start import")
    expect(start).to_be_disabled()  # nothing chosen for rows with problems yet
    page.reload()
    expect(page.get_by_role("heading", name="Rows with problems")).to_be_visible()
    expect(start).to_be_disabled()
    page.get_by_text("Import valid rows only").click()
    expect(page.get_by_role("radio", name="Import valid rows only")).to_be_checked()
    screenshot(page, "import-4-duplicates", keep=True)
    _at_width(page, 390, "import-4-options-phone")
    start.click()
    expect(page.get_by_role("heading", name="Import finished")).to_be_visible(timeout=30_000)
    summary = page.locator("text=created").first.locator("xpath=..")
    expect(summary).to_contain_text("1")
    expect(page.get_by_text("failed", exact=True).first).to_be_visible()
    screenshot(page, "import-5-summary", keep=True)

    with page.expect_download() as info:
        page.get_by_role("button", name="Download error report").click()
    download = info.value
    assert download.suggested_filename == "patients-latin1-errors.csv"
    rows = list(csv.reader(io.StringIO(Path(download.path()).read_text(encoding="utf-8-sig"))))
    assert rows == [
        ["Row", "Column", "Value", "Reason"],
        ["3", "E-mail", "francoise@example", "'francoise@example' is not a valid email address."],
        ["4", "Assurance", "Blue Cross", "'Blue Cross' is not one of the options: Aetna, Cigna."],
    ]

    from crm_app.models import Contact, ContactValue

    with live_db(live_app, monkeypatch) as s:
        from sqlmodel import select

        jose = s.exec(select(Contact).where(Contact.agent_id == clinic["agent_id"])).one()
        assert (jose.name, jose.email, jose.phone, jose.source) == (
            "José Müller",
            "jose@example.com",
            "+14155552675",
            "Import",
        )
        assert sorted(
            v.value_text
            for v in s.exec(select(ContactValue).where(ContactValue.contact_id == jose.id))
        ) == ["Aetna", "Dr. Lee"]

    # A reload lands on the same job's summary.
    page.reload()
    expect(page.get_by_role("heading", name="Import finished")).to_be_visible()
    expect(page.get_by_role("heading", name="Import history")).to_be_visible()

    page.get_by_role("button", name="Undo import").first.click()
    page.get_by_role("alertdialog").get_by_role("button", name="Undo import").click()
    expect(page.get_by_text("Import undone: 1 contacts removed, 0 restored")).to_be_visible()
    expect(page.get_by_role("heading", name="Import undone")).to_be_visible()
    screenshot(page, "import-6-undone", keep=True)
    with live_db(live_app, monkeypatch) as s:
        from sqlmodel import select

        assert s.exec(select(Contact).where(Contact.agent_id == clinic["agent_id"])).first() is None
