"""A choice element mapped to a Dropdown or Multi-select contact field offers that field's
options (and follows later changes to them); publishing refuses a form whose answers could
never be stored, naming the element and why."""

from __future__ import annotations

import pytest
from sqlmodel import select

from crm_app import db
from crm_app.models import Contact, ContactField, ContactValue, Form, FormVersion
from crm_app.services import fields, forms
from crm_app.services.errors import ValidationError


def _field(s, world, key: str) -> ContactField:
    return s.exec(
        select(ContactField).where(ContactField.agent_id == world.agent_id, ContactField.key == key)
    ).one()


def _builder_form(world, *types: str) -> int:
    """A form built the way the builder does it: elements from the palette (choice elements
    come with "Option 1 / Option 2"), plus an Email question."""
    with db.session_scope() as s:
        form = forms.create_form(s, world.owner, world.agent_id, "Book a visit")
        elements = [dict(forms.new_element("email"), id="email")] + [
            forms.new_element(t) for t in types
        ]
        for element, type_ in zip(elements[1:], types):
            element["id"], element["label"] = type_, type_.title()
        forms.save_draft(
            s, world.owner, world.agent_id, form.id, {"elements": elements, "settings": {}}
        )
        return form.id


def _map(world, form_id: int, element_id: str, key: str) -> dict:
    with db.session_scope() as s:
        draft = forms.builder_data(s, world.owner, world.agent_id, form_id)["draft"]
        for element in draft["elements"]:
            if element["id"] == element_id:
                element["maps_to"] = key
        return forms.save_draft(s, world.owner, world.agent_id, form_id, draft)


def _publish(world, form_id: int) -> str:
    with db.session_scope() as s:
        forms.publish(s, world.owner, world.agent_id, form_id)
        return s.get(Form, form_id).slug


def _submit(slug: str, answers: dict) -> forms.SubmitResult:
    with db.session_scope() as s:
        return forms.submit_form(s, slug, answers, elapsed=10.0, ip="203.0.113.7")


def test_a_dropdown_mapped_to_a_field_takes_its_options_and_every_pick_reaches_the_contact(world):
    form_id = _builder_form(world, "dropdown")
    saved = _map(world, form_id, "dropdown", "preferred_clinic")
    assert saved["elements"][1]["options"] == ["Downtown", "Harbor"]  # not "Option 1 / Option 2"
    slug = _publish(world, form_id)
    with db.session_scope() as s:
        public = forms.public_elements(forms.public_form(s, slug).schema)
        assert public[1]["options"] == ["Downtown", "Harbor"]
    result = _submit(slug, {"email": "maria@example.com", "dropdown": "Harbor"})
    with db.session_scope() as s:
        clinic = _field(s, world, "preferred_clinic")
        assert s.get(ContactValue, (result.contact_id, clinic.id)).value_text == "Harbor"


def test_checkboxes_mapped_to_a_multi_select_field_store_the_list(world):
    with db.session_scope() as s:
        fields.create_custom_field(
            s,
            world.owner,
            world.agent_id,
            label="Interests",
            type="Multi-select",
            options=["Cleaning", "Whitening", "Braces"],
        )
    form_id = _builder_form(world, "checkboxes")
    assert _map(world, form_id, "checkboxes", "interests")["elements"][1]["options"] == [
        "Cleaning",
        "Whitening",
        "Braces",
    ]
    slug = _publish(world, form_id)
    result = _submit(slug, {"email": "maria@example.com", "checkboxes": ["Braces", "Cleaning"]})
    with db.session_scope() as s:
        value = s.get(ContactValue, (result.contact_id, _field(s, world, "interests").id))
        assert value.value_json == ["Cleaning", "Braces"]


def test_the_public_form_follows_later_changes_to_the_fields_options_without_republishing(world):
    form_id = _builder_form(world, "radio")
    _map(world, form_id, "radio", "preferred_clinic")
    slug = _publish(world, form_id)
    with db.session_scope() as s:
        fields.update_field(
            s,
            world.owner,
            world.agent_id,
            _field(s, world, "preferred_clinic").id,
            options=["Downtown", "Uptown"],
        )
    with db.session_scope() as s:
        assert forms.public_elements(forms.public_form(s, slug).schema)[1]["options"] == [
            "Downtown",
            "Uptown",
        ]
        builder = forms.builder_data(s, world.owner, world.agent_id, form_id)
        assert builder["draft"]["elements"][1]["options"] == ["Downtown", "Uptown"]
    result = _submit(slug, {"email": "maria@example.com", "radio": "Uptown"})
    with db.session_scope() as s:
        assert (
            s.get(
                ContactValue, (result.contact_id, _field(s, world, "preferred_clinic").id)
            ).value_text
            == "Uptown"
        )
    with pytest.raises(forms.SubmissionInvalid) as error:
        _submit(slug, {"email": "other@example.com", "radio": "Harbor"})  # removed from the field
    assert error.value.errors == {"radio": "Choose one of the options shown."}


def test_a_choice_mapped_to_a_text_field_keeps_its_own_options(world):
    form_id = _builder_form(world, "dropdown")
    assert _map(world, form_id, "dropdown", "name")["elements"][1]["options"] == [
        "Option 1",
        "Option 2",
    ]


def test_publish_refuses_a_mapping_to_an_archived_field_and_says_which_element_and_why(world):
    form_id = _builder_form(world, "dropdown")
    _map(world, form_id, "dropdown", "preferred_clinic")
    with db.session_scope() as s:
        fields.archive_field(
            s, world.owner, world.agent_id, _field(s, world, "preferred_clinic").id
        )
    with pytest.raises(ValidationError) as error:
        _publish(world, form_id)
    assert error.value.field == "dropdown.maps_to"
    assert error.value.message == (
        "“Dropdown” fills the contact field “Preferred clinic”, which is archived. "
        "Restore it in CRM → Settings, or choose another field."
    )


def test_publish_refuses_an_element_that_cannot_fill_its_field(world):
    with db.session_scope() as s:
        fields.create_custom_field(s, world.owner, world.agent_id, label="Age", type="Number")
    form_id = _builder_form(world, "dropdown")
    _map(world, form_id, "dropdown", "age")
    with pytest.raises(ValidationError) as error:
        _publish(world, form_id)
    assert error.value.field == "dropdown.maps_to"
    assert (
        "can't fill the Number field “Age”: map it to a Dropdown or Text field"
        in error.value.message
    )


def test_a_field_that_changed_type_after_publishing_does_not_lose_the_lead(world):
    with db.session_scope() as s:
        fields.create_custom_field(s, world.owner, world.agent_id, label="Referral", type="Text")
    form_id = _builder_form(world, "dropdown")
    _map(world, form_id, "dropdown", "referral")
    slug = _publish(world, form_id)
    with db.session_scope() as s:
        fields.update_field(
            s, world.owner, world.agent_id, _field(s, world, "referral").id, type="Number"
        )
    result = _submit(slug, {"email": "maria@example.com", "dropdown": "Option 1"})
    with db.session_scope() as s:
        assert s.get(Contact, result.contact_id).email == "maria@example.com"
        assert s.get(ContactValue, (result.contact_id, _field(s, world, "referral").id)) is None


def test_a_form_published_before_the_fix_with_placeholder_options_offers_the_fields_options(world):
    form_id = _builder_form(world, "dropdown")
    slug = _publish(world, form_id)
    with (
        db.session_scope() as s
    ):  # what publishing stored before: placeholders, mapped to the field
        version = s.exec(select(FormVersion).where(FormVersion.form_id == form_id)).one()
        schema = dict(version.schema_)
        schema["elements"] = [
            dict(e, maps_to="preferred_clinic") if e["id"] == "dropdown" else e
            for e in schema["elements"]
        ]
        assert schema["elements"][1]["options"] == ["Option 1", "Option 2"]
        version.schema_ = schema
        s.add(version)
    with db.session_scope() as s:
        assert forms.public_elements(forms.public_form(s, slug).schema)[1]["options"] == [
            "Downtown",
            "Harbor",
        ]
    result = _submit(slug, {"email": "maria@example.com", "dropdown": "Downtown"})
    with db.session_scope() as s:
        assert (
            s.get(
                ContactValue, (result.contact_id, _field(s, world, "preferred_clinic").id)
            ).value_text
            == "Downtown"
        )
