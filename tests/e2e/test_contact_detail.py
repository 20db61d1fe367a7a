"""Contact details in Chromium: header edits, Edit details, a bold + bullet-list note, an XSS
payload that stays inert, file upload and download, a disguised executable refused, and Erase.
Screenshots of every tab go to screenshots/tmp/contact-detail-*.png."""

from __future__ import annotations

import re
import secrets
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import Session, select

from crm_app.db import make_engine
from crm_app.models import (
    Agent,
    Contact,
    ContactFile,
    Conversation,
    Form,
    FormSubmission,
    FormVersion,
    Membership,
    Message,
    Note,
    Organization,
    User,
)
from crm_app.services import fields, principal, stages
from crm_app.services.contacts import Origin, save_contact
from tests.e2e.helpers import open_page, screenshot, sign_in_with_ticket

pytestmark = pytest.mark.e2e

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 200


def _seed(database_url: str) -> dict:
    tag = secrets.token_hex(4)
    engine = make_engine(database_url)
    try:
        with Session(engine, expire_on_commit=False) as s:
            org = Organization(name=f"Sunrise Clinic {tag}")
            owner = User(
                email=f"dana-{tag}@clinic.example", first_name="Dana", last_name="Whitfield"
            )
            s.add_all([org, owner])
            s.flush()
            s.add(Membership(org_id=org.id, user_id=owner.id, role="Owner"))
            agent = Agent(org_id=org.id, name="Reception", slug=f"reception-{tag}")
            s.add(agent)
            s.flush()
            fields.install_default_fields(s, agent.id)
            stages.install_default_stages(s, agent.id)
            fields.create_custom_field(
                s,
                principal.member(s, owner.id, org.id),
                agent.id,
                label="Insurance provider",
                key="insurance",
                type="Dropdown",
                options=["Aetna", "Cigna"],
            )
            actor = principal.member(s, owner.id, org.id)
            maria = save_contact(
                s,
                agent,
                {
                    "name": "Maria Lopez",
                    "email": f"maria-{tag}@example.com",
                    "phone": "+1 415 555 0101",
                    "insurance": "Aetna",
                },
                source="Chat",
                origin=Origin("agent", "Reception"),
            ).contact
            erase_me = save_contact(
                s,
                agent,
                {"name": "Ernest Erase", "email": f"ernest-{tag}@example.com"},
                source="Manual",
                origin=Origin.member(actor),
            ).contact
            form = Form(agent_id=agent.id, name="New patient intake", slug=f"intake-{tag}")
            s.add(form)
            s.flush()
            version = FormVersion(form_id=form.id, version=1)
            s.add(version)
            s.flush()
            s.add(
                FormSubmission(
                    form_id=form.id,
                    form_version_id=version.id,
                    contact_id=maria.id,
                    answers={
                        "reason": {"label": "Reason for visit", "value": "Lower back pain"},
                        "when": {"label": "Preferred day", "value": "Tuesday morning"},
                    },
                )
            )
            conv = Conversation(agent_id=agent.id, contact_id=maria.id, title="Booking a check-up")
            s.add(conv)
            s.flush()
            for role, text in (
                ("visitor", "Hi, can I book a check-up next week?"),
                ("agent", "Of course! Which day suits you best?"),
                ("visitor", "Tuesday morning, please."),
            ):
                s.add(Message(conversation_id=conv.id, role=role, content=text))
                s.flush()
            s.commit()
            return {
                "org_id": org.id,
                "owner": owner,
                "agent_id": agent.id,
                "maria": maria.id,
                "erase_me": erase_me.id,
                "tag": tag,
            }
    finally:
        engine.dispose()


def _db(live_app):
    return Session(make_engine(live_app.database_url), expire_on_commit=False)


def _tab(page: Page, name: str) -> None:
    page.get_by_role("tab", name=re.compile(rf"^{re.escape(name)}")).click()


def test_contact_details_end_to_end(page: Page, live_app, monkeypatch):
    world = _seed(live_app.database_url)
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    path = f"/agents/{world['agent_id']}/crm/contacts/{world['maria']}"
    sign_in_with_ticket(page, live_app, monkeypatch, world["owner"], world["org_id"], path)
    page.wait_for_url(re.compile(re.escape(path)))

    # Header
    expect(page.get_by_role("heading", name="Maria Lopez")).to_be_visible()
    expect(page.get_by_text("via Chat").first).to_be_visible()
    expect(page.get_by_role("link", name="Back to contacts")).to_be_visible()
    page.get_by_role("combobox", name="Stage").click()
    page.get_by_role("option", name="Customer", exact=True).click()
    expect(page.get_by_text("Stage updated")).to_be_visible()
    page.get_by_role("combobox", name="Status").click()
    page.get_by_role("option", name="Inactive", exact=True).click()
    expect(page.get_by_text("Status updated")).to_be_visible()
    expect(page.get_by_role("combobox", name="Status")).to_have_text("Inactive")
    screenshot(page, "contact-detail-general")

    # General → Edit details
    page.get_by_role("button", name="Edit details").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("Name", exact=True).fill("Maria L. Lopez")
    expect(dialog.get_by_label("Name", exact=True)).to_have_value("Maria L. Lopez")
    screenshot(page, "contact-detail-edit-dialog")
    dialog.get_by_role("button", name="Save changes").click()
    expect(page.get_by_role("heading", name="Maria L. Lopez")).to_be_visible()

    # Form and Chat tabs
    _tab(page, "Form")
    page.get_by_text("New patient intake").click()
    expect(page.get_by_text("Lower back pain")).to_be_visible()
    screenshot(page, "contact-detail-form")
    _tab(page, "Chat Conversation")
    page.get_by_text("Booking a check-up").click()
    transcript = page.get_by_role("dialog")
    expect(transcript.get_by_text("Tuesday morning, please.")).to_be_visible()
    screenshot(page, "contact-detail-chat-transcript")
    transcript.get_by_role("button", name="Close").click()

    # Notes: bold + bullet list
    _tab(page, "Notes")
    editor = page.get_by_role("textbox", name="New note")
    editor.click()
    page.get_by_role("button", name="Bold").click()
    page.keyboard.type("Allergic to penicillin")
    page.get_by_role("button", name="Bold").click()
    page.keyboard.press("Enter")
    page.get_by_role("button", name="Bullet list").click()
    page.keyboard.type("Call before 10am")
    page.keyboard.press("Enter")
    page.keyboard.type("Prefers email")
    page.get_by_role("button", name="Save note").click()
    expect(page.get_by_text("Note added")).to_be_visible()
    body = page.locator(".note-body").first
    expect(body.locator("strong")).to_have_text("Allergic to penicillin")
    expect(body.locator("ul > li")).to_have_count(2)
    expect(editor).to_have_text("")  # cleared for the next note

    # Notes: an XSS payload typed into the editor and one sent around it (crafted event) stay inert
    editor.click()
    page.keyboard.type('<img src=x onerror="alert(1)"><script>alert(2)</script>')
    page.get_by_role("button", name="Save note").click()
    expect(page.locator(".note-body").first).to_contain_text("onerror")  # shown as text
    with _db(live_app) as s:
        s.add(
            Note(
                contact_id=world["maria"],
                author_id=world["owner"].id,
                html='<p>crafted</p><img src=x onerror="alert(3)"><script>alert(4)</script>'
                '<a href="javascript:alert(5)">click me</a><p style="color:red" onclick="alert(6)">styled</p>',
            )
        )
        s.commit()
    page.reload()
    page.wait_for_load_state("networkidle")
    _tab(page, "Notes")
    expect(page.get_by_text("crafted")).to_be_visible()
    page.get_by_text("click me").click()
    expect(page).to_have_url(re.compile(re.escape(path) + "$"))  # the link led nowhere
    expect(page.get_by_text("crafted")).to_be_visible()
    found = page.evaluate("""() => {
        const bodies = [...document.querySelectorAll('.note-body')];
        const all = bodies.flatMap(b => [...b.querySelectorAll('*')]);
        return {
            notes: bodies.length,
            scripts: document.querySelectorAll('.note-body script, .note-body iframe, .note-body img').length,
            handlers: all.filter(el => [...el.attributes].some(a => a.name.startsWith('on'))).length,
            styles: all.filter(el => el.hasAttribute('style')).length,
            jsLinks: all.filter(el => (el.getAttribute('href') || '').toLowerCase().includes('javascript')).length,
            links: bodies.flatMap(b => [...b.querySelectorAll('a')]).map(a => a.getAttribute('rel')),
        };
    }""")
    assert found["notes"] == 3 and found["scripts"] == 0 and found["handlers"] == 0
    assert found["styles"] == 0 and found["jsLinks"] == 0
    assert found["links"] == ["noopener noreferrer nofollow"]
    assert dialogs == []
    screenshot(page, "contact-detail-notes")

    # Files: upload, download; a disguised executable and an oversize file refused
    browser_errors: list[str] = []
    page.on("console", lambda message: browser_errors.append(message.text))
    page.on("pageerror", lambda error: browser_errors.append(str(error)))
    _tab(page, "Files")
    expect(page.get_by_text("No files yet")).to_be_visible()
    screenshot(page, "contact-detail-files-empty")
    page.locator("input[type=file]").set_input_files(
        files=[{"name": "lab-results.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    expect(page.get_by_text("File uploaded")).to_be_visible()
    expect(page.get_by_role("cell", name="lab-results.pdf", exact=True)).to_be_visible()
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download lab-results.pdf").click()
    download = download_info.value
    assert download.suggested_filename == "lab-results.pdf"
    assert Path(download.path()).read_bytes() == PDF
    page.locator("input[type=file]").set_input_files(
        files=[{"name": "invoice.pdf", "mimeType": "application/pdf", "buffer": EXE}]
    )
    expect(page.get_by_role("alert").filter(has_text="looks like a program")).to_be_visible()
    expect(page.get_by_role("cell", name="invoice.pdf", exact=True)).to_have_count(0)
    page.locator("input[type=file]").set_input_files(
        files=[
            {
                "name": "scan.pdf",
                "mimeType": "application/pdf",
                "buffer": PDF + b"%" + b"0" * (25 * 1024 * 1024),
            }
        ],
        timeout=60_000,  # 25 MB through Playwright's pipe: 15 s was too short on a loaded machine
    )
    expect(page.get_by_role("alert").filter(has_text="larger than 25 MB")).to_be_visible()
    expect(page.get_by_role("cell", name="scan.pdf", exact=True)).to_have_count(0)
    with _db(live_app) as s:
        names = [
            f.filename
            for f in s.exec(select(ContactFile).where(ContactFile.contact_id == world["maria"]))
        ]
    assert names == ["lab-results.pdf"]
    assert [
        e for e in browser_errors if "is not a function" in e
    ] == []  # uploads leave no script errors
    screenshot(page, "contact-detail-files")

    # Activity
    _tab(page, "Activity")
    expect(
        page.get_by_text("Stage changed from Lead to Customer by Dana Whitfield")
    ).to_be_visible()
    expect(page.get_by_text(re.compile("File lab-results.pdf uploaded"))).to_be_visible()
    screenshot(page, "contact-detail-activity")
    assert dialogs == []


def test_erase_contact(page: Page, live_app, monkeypatch):
    world = _seed(live_app.database_url)
    path = f"/agents/{world['agent_id']}/crm/contacts/{world['erase_me']}"
    sign_in_with_ticket(page, live_app, monkeypatch, world["owner"], world["org_id"], path)
    page.wait_for_url(re.compile(re.escape(path)))
    expect(page.get_by_role("heading", name="Ernest Erase")).to_be_visible()
    page.get_by_role("button", name="Erase contact").click()
    dialog = page.get_by_role("alertdialog")
    confirm = dialog.get_by_role("button", name="Erase contact")
    expect(confirm).to_be_disabled()
    dialog.get_by_label("Type the contact's name to confirm").fill("Ernest Erase")
    expect(confirm).to_be_enabled()
    screenshot(page, "contact-detail-erase-dialog")
    confirm.click()
    page.wait_for_url(re.compile(rf"/agents/{world['agent_id']}/crm/contacts/?$"))
    with _db(live_app) as s:
        assert s.get(Contact, world["erase_me"]) is None
        assert s.get(Contact, world["maria"]) is not None
    open_page(page, live_app.url(path))
    expect(page.get_by_text("Contact not found", exact=True)).to_be_visible()
