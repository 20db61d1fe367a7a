"""Forms in Chromium: build by dragging from the palette, reorder by keyboard, map Email and a
custom field, publish; fill the public page at phone size (errors, then a valid answer with a
file); the contact `via Form` shows the answers; a honeypot submission lands in spam; a
closed form refuses politely."""

from __future__ import annotations

import re
import secrets

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.helpers import expect_announced, lift_with_keyboard, open_page, screenshot, sign_in
from tests.e2e.test_contacts_list import live_db

PDF = b"%PDF-1.4\n% referral letter\n%%EOF\n"


@pytest.fixture()
def clinic(live_app, monkeypatch):
    from crm_app.services import agents, fields

    tag = secrets.token_hex(3)
    email = f"owner.{tag}@harbor-clinic.example"
    with live_db(live_app, monkeypatch) as s:
        owner = agents.create_owner(s, email, "Harbor Clinic", "Rosa", "Alvarez")
        agent_id = agents.create_agent(s, owner, "Front Desk", f"front-desk-{tag}").id
        fields.create_custom_field(
            s,
            owner,
            agent_id,
            label="Preferred clinic",
            type="Dropdown",
            options=["Downtown", "Harbor"],
        )
    return {"email": email, "agent_id": agent_id}


def _drag(page: Page, source, target, *, below: bool = False) -> None:
    a, b = source.bounding_box(), target.bounding_box()
    page.mouse.move(a["x"] + a["width"] / 2, a["y"] + a["height"] / 2)
    page.mouse.down()
    page.mouse.move(a["x"] + a["width"] / 2 + 10, a["y"] + a["height"] / 2, steps=4)
    y = b["y"] + (b["height"] - 8 if below else b["height"] / 2)
    page.mouse.move(b["x"] + b["width"] / 2, y, steps=20)
    page.mouse.up()


def _expect_canvas(page: Page, labels: list[str]) -> None:
    """Wait until the canvas shows exactly these elements, in this order."""
    handles = page.locator("[data-canvas-id] .crm-drag-handle")
    expect(handles).to_have_count(len(labels))
    for i, label in enumerate(labels):
        expect(handles.nth(i)).to_have_attribute("aria-label", f"Drag to reorder {label}")


def wait_out_min_fill_time(visitor: Page) -> None:
    """A public form refuses answers sent sooner than spam.MIN_FILL_SECONDS after the page
    was rendered (a bot's speed; a person takes longer). The page carries its signed render
    time in the hidden `_token` field ("<unix time>.<nonce>.<signature>"): wait, in the
    browser, until that much time has passed since then. A rule of the server, not
    something the page shows, so this is the one wait on the clock."""
    from crm_app.services.spam import MIN_FILL_SECONDS

    token = visitor.locator("input[name='_token']")
    expect(token).not_to_have_value("")
    rendered_at = float(token.input_value().rsplit(".", 2)[0])
    visitor.wait_for_function(
        "t => Date.now() / 1000 > t", arg=rendered_at + MIN_FILL_SECONDS + 0.1, polling=100
    )


def _palette(page: Page, label: str):
    return page.locator("[data-palette-type]").filter(
        has=page.get_by_role("button", name=f"Add {label}", exact=True)
    )


def _prop(page: Page, label: str):
    return page.get_by_label(label, exact=True)


def test_build_publish_fill_on_phone_and_review(page: Page, browser, live_app, clinic, monkeypatch):
    sign_in(page, live_app, clinic["email"])
    page.goto(live_app.url(f"/agents/{clinic['agent_id']}/crm/forms"))
    expect(page.get_by_text("No forms yet")).to_be_visible()
    page.get_by_role("button", name="Create form").first.click()
    page.get_by_label("Form name").fill("Book a visit")
    page.get_by_role("dialog").get_by_role("button", name="Create form").click()
    page.wait_for_url(re.compile(r"/crm/forms/\d+$"))
    expect(page.get_by_text("Drag elements here")).to_be_visible()

    # Drag from the palette into the canvas with the mouse.
    canvas = page.locator("[data-form-canvas]")
    _drag(page, _palette(page, "Short text"), canvas)
    expect(page.locator("[data-canvas-id]")).to_have_count(1)
    _drag(page, _palette(page, "Dropdown"), page.locator("[data-canvas-id]").first, below=True)
    expect(page.locator("[data-canvas-id]")).to_have_count(2)
    _drag(page, _palette(page, "Email"), page.locator("[data-canvas-id]").last, below=True)
    expect(page.locator("[data-canvas-id]")).to_have_count(3)
    _expect_canvas(page, ["Short text", "Dropdown", "Email"])
    # The button equivalent: click a palette item to add it below the selection.
    page.get_by_role("button", name="Add File upload", exact=True).click()
    expect(page.locator("[data-canvas-id]")).to_have_count(4)

    # Keyboard: move Email up one place (Space, ArrowUp, Space on its handle).
    handle = page.get_by_role("button", name="Drag to reorder Email")
    lift_with_keyboard(page, handle)
    page.keyboard.press("ArrowUp")
    expect_announced(page, "Email is over position 2 of 4.")
    page.keyboard.press("Space")
    expect_announced(page, "Dropped Email.")
    _expect_canvas(page, ["Short text", "Email", "Dropdown", "File upload"])

    # Properties: name question, the Email element maps to the contact's email on its own,
    # the dropdown maps to a custom field.
    page.locator("[data-canvas-id]").nth(0).get_by_text("Short text", exact=True).first.click()
    expect(_prop(page, "Label")).to_have_value("Short text")
    _prop(page, "Label").fill("Your name")
    page.get_by_label("Required").click()
    page.get_by_role("combobox", name="Maps to").click()
    page.get_by_role("option", name="Name", exact=True).click()
    expect(page.get_by_role("button", name="Drag to reorder Your name")).to_be_visible()
    page.locator("[data-canvas-id]").nth(1).get_by_text("Contact: email").click()
    expect(page.get_by_role("combobox", name="Maps to")).to_have_text("Email")
    page.locator("[data-canvas-id]").nth(2).get_by_text("Dropdown", exact=True).first.click()
    expect(_prop(page, "Label")).to_have_value("Dropdown")
    _prop(page, "Label").fill("Preferred clinic")
    expect(page.get_by_label("Options (one per line)")).to_have_value("Option 1\nOption 2")
    page.get_by_role("combobox", name="Maps to").click()
    page.get_by_role("option", name="Preferred clinic").click()
    expect(
        page.locator("[data-canvas-id]").nth(2).get_by_text("Contact: preferred_clinic")
    ).to_be_visible()
    # Mapped to a Dropdown field, the element offers that field's options, read-only here.
    field_options = page.locator("#prop-options-from-field")
    expect(field_options).to_have_text("DowntownHarbor")
    expect(page.get_by_label("Options (one per line)")).to_have_count(0)
    expect(page.get_by_text("From the contact field “Preferred clinic”")).to_be_visible()
    screenshot(page, "forms-builder-field-options")
    page.locator("[data-canvas-id]").nth(3).get_by_text("File upload", exact=True).first.click()
    expect(_prop(page, "Label")).to_have_value("File upload")
    _prop(page, "Label").fill("Referral letter")
    expect(page.get_by_role("button", name="Drag to reorder Referral letter")).to_be_visible()
    screenshot(page, "forms-builder", keep=True)

    page.get_by_role("tab", name="Preview").click()
    expect(page.get_by_label("Preferred clinic").first).to_be_visible()
    page.get_by_role("button", name="Publish", exact=True).click()
    expect(page.get_by_text("Published. Your form is live.")).to_be_visible()
    page.get_by_role("tab", name="Share").click()
    public_url = page.get_by_label("Public link").input_value()
    assert re.search(r"/f/book-a-visit-[0-9a-f]{6}$", public_url)
    expect(page.get_by_role("img", name="QR code for the public link")).to_be_visible()
    slug = public_url.rsplit("/", 1)[1]

    # A visitor on a phone, in a fresh context.
    phone = browser.new_context(
        viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    )
    visitor = phone.new_page()
    open_page(visitor, live_app.url(f"/f/{slug}"))
    expect(visitor.get_by_role("heading", name="Book a visit")).to_be_visible()
    visitor.get_by_label("Your name").fill("Maria Lopez")
    visitor.get_by_label("Email").fill(
        "maria@example"
    )  # the browser accepts it; the server does not
    visitor.get_by_label("Preferred clinic").select_option("Harbor")
    visitor.get_by_role("button", name="Submit").click()
    error = visitor.get_by_role("alert").filter(has_text="Enter a valid email address")
    expect(error).to_be_visible()
    assert visitor.get_by_label("Email").get_attribute("aria-invalid") == "true"
    screenshot(visitor, "forms-public-phone-errors", keep=True)
    visitor.get_by_label("Email").fill("maria@example.com")
    visitor.get_by_label("Referral letter").set_input_files(
        {"name": "referral.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    wait_out_min_fill_time(visitor)
    visitor.get_by_role("button", name="Submit").click()
    expect(visitor.get_by_text("Thank you! We received your answers")).to_be_visible()
    expect(visitor.get_by_role("heading", name="Book a visit")).to_be_visible()
    expect(visitor.get_by_text("Thank you!")).to_have_count(1)  # the heading no longer repeats it
    screenshot(visitor, "forms-public-phone-thanks", keep=True)

    # A bot fills the hidden honeypot: same thank-you, but quarantined.
    bot = phone.new_page()
    open_page(bot, live_app.url(f"/f/{slug}"))
    bot.get_by_label("Your name").fill("Cheap pills")
    bot.get_by_label("Email").fill("bot@spam.example.com")
    bot.evaluate("document.getElementById('crm-website').value = 'http://spam.example'")
    wait_out_min_fill_time(bot)
    bot.get_by_role("button", name="Submit").click()
    expect(bot.get_by_text("Thank you! We received your answers")).to_be_visible()
    phone.close()
    wide = browser.new_context(viewport={"width": 1440, "height": 900})
    guest = wide.new_page()
    open_page(guest, live_app.url(f"/f/{slug}"))
    guest.get_by_label("Your name").fill("Ana Ortiz")
    guest.get_by_label("Email").fill("ana@example.com")
    guest.get_by_label("Preferred clinic").select_option("Downtown")
    wait_out_min_fill_time(guest)
    guest.get_by_role("button", name="Submit").click()
    expect(guest.get_by_text("Thank you!")).to_have_count(1)
    screenshot(guest, "forms-public-desktop-thanks")
    wide.close()

    # The owner reviews: submissions table, drawer, the contact via Form with its answers.
    page.goto(live_app.url(f"/agents/{clinic['agent_id']}/crm/forms"))
    row = page.get_by_role("row").filter(has_text="Book a visit")
    expect(row.get_by_text("Published")).to_be_visible()
    expect(
        row.get_by_role("link", name="2", exact=True)
    ).to_be_visible()  # Maria and Ana; spam not counted
    row.get_by_role("link", name="2", exact=True).click()
    page.wait_for_url(re.compile(r"/submissions$"))
    expect(page.get_by_role("cell", name="Maria Lopez")).to_be_visible()
    expect(page.get_by_role("cell", name="referral.pdf")).to_be_visible()
    screenshot(page, "forms-submissions", keep=True)
    page.get_by_role("row").filter(has_text="Maria Lopez").get_by_role(
        "button", name=re.compile("^Open submission")
    ).click()
    drawer = page.get_by_role("dialog")
    expect(drawer.get_by_role("link", name="referral.pdf (33 B)")).to_be_visible()
    drawer.get_by_role("button", name="Mark reviewed").click()
    expect(page.get_by_text("Marked as reviewed.")).to_be_visible()
    screenshot(page, "forms-submission-drawer", keep=True)
    drawer.get_by_role("link", name=re.compile("Open contact")).click()
    page.wait_for_url(re.compile(r"/crm/contacts/[0-9a-f]{24}$"))
    expect(page.get_by_text("via Form").first).to_be_visible()
    expect(page.get_by_text("Rosa Alvarez").first).to_be_visible()  # owner from automations
    page.get_by_role("tab", name=re.compile("^Form")).click()
    page.get_by_text("Book a visit").first.click()
    expect(page.get_by_text("Harbor").first).to_be_visible()

    # Spam sits in quarantine, not in contacts.
    page.goto(live_app.url(f"/agents/{clinic['agent_id']}/crm/forms"))
    page.get_by_role("link", name="Edit Book a visit").click()
    page.get_by_role("link", name="Submissions").click()
    page.get_by_role("combobox", name="Status").click()
    page.get_by_role("option", name="Spam", exact=True).click()
    expect(page.get_by_role("cell", name="Cheap pills")).to_be_visible()
    with live_db(live_app, monkeypatch) as s:
        from sqlmodel import select

        from crm_app.models import Contact

        assert (
            s.exec(select(Contact).where(Contact.email == "bot@spam.example.com")).first() is None
        )

    # Close the form: visitors get a polite closed page.
    page.get_by_role("link", name="Back to the builder").click()
    page.get_by_role("button", name="Close form").click()
    expect(page.get_by_text("Form closed. Visitors now see a polite closed page.")).to_be_visible()
    desktop = browser.new_context(viewport={"width": 1280, "height": 900})
    late = desktop.new_page()
    open_page(late, live_app.url(f"/f/{slug}"))
    expect(late.get_by_text("This form is closed and no longer accepts answers.")).to_be_visible()
    expect(late.get_by_role("button", name="Submit")).to_have_count(0)
    desktop.close()


def test_publish_refuses_a_form_whose_answers_could_not_be_stored(
    page: Page, live_app, clinic, monkeypatch
):
    """The Dropdown fills "Preferred clinic", archived since: Publish says which element and why."""
    from sqlmodel import select

    from crm_app.models import ContactField, Form, Membership, User
    from crm_app.services import fields, forms, principal

    agent_id = clinic["agent_id"]
    with live_db(live_app, monkeypatch) as s:
        user = s.exec(select(User).where(User.email == clinic["email"])).one()
        owner = principal.member(
            s, user.id, s.exec(select(Membership).where(Membership.user_id == user.id)).one().org_id
        )
        form = forms.create_form(s, owner, agent_id, "Callback request")
        forms.save_draft(
            s,
            owner,
            agent_id,
            form.id,
            {
                "elements": [
                    {
                        "id": "email",
                        "type": "email",
                        "label": "Email",
                        "required": True,
                        "maps_to": "email",
                    },
                    {
                        "id": "clinic",
                        "type": "dropdown",
                        "label": "Which clinic?",
                        "maps_to": "preferred_clinic",
                    },
                ],
                "settings": {},
            },
        )
        field = s.exec(
            select(ContactField).where(
                ContactField.agent_id == agent_id, ContactField.key == "preferred_clinic"
            )
        ).one()
        fields.archive_field(s, owner, agent_id, field.id)
        form_id = form.id
    sign_in(page, live_app, clinic["email"])
    for width in (1440, 1024):
        page.set_viewport_size({"width": width, "height": 900})
        open_page(page, live_app.url(f"/agents/{agent_id}/crm/forms/{form_id}"))
        page.get_by_role("button", name="Publish", exact=True).click()
        message = (
            "“Which clinic?” fills the contact field “Preferred clinic”, which is archived. "
            "Restore it in CRM → Settings, or choose another field."
        )
        expect(page.get_by_role("alert").filter(has_text=message).first).to_be_visible()
        expect(_prop(page, "Label")).to_have_value(
            "Which clinic?"
        )  # the element at fault is selected
        screenshot(page, f"forms-builder-publish-refused-{width}")
    with live_db(live_app, monkeypatch) as s:
        assert s.get(Form, form_id).status == "Draft"


def test_builder_on_a_phone_stacks_palette_canvas_and_properties(
    page: Page, live_app, clinic, monkeypatch
):
    """At 390 px the palette, the canvas and the properties take the full width one below the
    other (side by side they left the canvas a sliver), and editing still works."""
    from sqlmodel import select

    from crm_app.models import Membership, User
    from crm_app.services import forms, principal

    with live_db(live_app, monkeypatch) as s:
        user = s.exec(select(User).where(User.email == clinic["email"])).one()
        org_id = s.exec(select(Membership).where(Membership.user_id == user.id)).one().org_id
        form_id = forms.create_form(
            s, principal.member(s, user.id, org_id), clinic["agent_id"], "Intake"
        ).id
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, live_app, clinic["email"])
    open_page(page, live_app.url(f"/agents/{clinic['agent_id']}/crm/forms/{form_id}"))
    page.get_by_role("button", name="Add Short text", exact=True).click()
    page.get_by_role("button", name="Add Email", exact=True).click()
    expect(page.locator("[data-canvas-id]")).to_have_count(2)

    canvas = page.locator("[data-form-canvas]").bounding_box()
    palette = page.get_by_role("button", name="Add Short text", exact=True).bounding_box()
    label = _prop(page, "Label").bounding_box()
    assert canvas["width"] >= 300, canvas
    assert canvas["x"] >= 0 and canvas["x"] + canvas["width"] <= 390, canvas
    assert palette["y"] + palette["height"] <= canvas["y"], (palette, canvas)
    assert label["y"] >= canvas["y"] + canvas["height"] and label["width"] >= 300, label
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    page.locator("[data-canvas-id]").nth(0).get_by_text("Short text", exact=True).first.click()
    expect(_prop(page, "Label")).to_have_value("Short text")
    _prop(page, "Label").fill("Your name")
    expect(page.get_by_role("button", name="Drag to reorder Your name")).to_be_visible()
    _expect_canvas(page, ["Your name", "Email"])
    screenshot(page, "forms-builder-phone")
