"""The builder, as a member drives it: mapping a choice element to a contact field takes the
field's options, and a refused publish points at the element and says why."""

from __future__ import annotations

from sqlmodel import select

from crm_app import db
from crm_app.models import ContactField, Form, utcnow
from crm_app.state.forms import FormBuilderState, FormsListState


def _builder(make_state, world) -> FormBuilderState:
    make_state(FormsListState, world.owner, world.agent_id).create({"name": "Book a visit"})
    with db.session_scope() as s:
        form_id = str(s.exec(select(Form.id)).first())
    return make_state(FormBuilderState, world.owner, world.agent_id, form_id)


def test_mapping_a_dropdown_takes_the_fields_options_read_only(world, make_state):
    st = _builder(make_state, world)
    st.add_element("email")
    st.add_element("dropdown")
    dropdown = st.selected_id
    assert st.selected.options == ["Option 1", "Option 2"] and st.selected_options_from == ""
    st.set_prop(dropdown, "maps_to", "preferred_clinic")
    assert st.errors == {}
    assert st.selected.options == ["Downtown", "Harbor"]
    assert st.selected_options_from == "Preferred clinic"
    st.set_prop(
        dropdown, "maps_to", "__form_only__"
    )  # back to form only: editable again, options kept
    assert st.selected_options_from == "" and st.selected.options == ["Downtown", "Harbor"]
    st.set_options(dropdown, "Morning\nAfternoon")
    assert st.selected.options == ["Morning", "Afternoon"]


def test_a_refused_publish_selects_the_element_and_says_why(world, make_state):
    st = _builder(make_state, world)
    st.add_element("email")
    st.add_element("radio")
    radio = st.selected_id
    st.set_label(radio, "Clinic")
    st.set_prop(radio, "maps_to", "preferred_clinic")
    st.select(st.elements[0].id)
    with db.session_scope() as s:
        field = s.exec(select(ContactField).where(ContactField.key == "preferred_clinic")).one()
        field.archived_at = utcnow()
        s.add(field)
    st.publish()
    message = (
        "“Clinic” fills the contact field “Preferred clinic”, which is archived. "
        "Restore it in CRM → Settings, or choose another field."
    )
    assert st.errors == {f"{radio}.maps_to": message, "form": message}
    assert st.selected_id == radio and st.status == "Draft"
    st.load()  # opened again: "Maps to" still names the archived field
    st.select(radio)
    last = st.map_choices[-1]
    assert (last.key, last.label) == ("preferred_clinic", "Preferred clinic (archived)")
    assert "Preferred clinic" not in [c.label for c in st.map_choices]
