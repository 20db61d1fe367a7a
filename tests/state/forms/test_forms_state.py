"""The forms list and builder states as a member's browser drives them."""

from __future__ import annotations

from crm_app import db
from crm_app.models import Form
from crm_app.state.forms import FormBuilderState, FormsListState


def _new_form(make_state, world) -> str:
    lst = make_state(FormsListState, world.owner, world.agent_id)
    lst.create({"name": "Book a visit"})
    with db.session_scope() as s:
        from sqlmodel import select

        return str(s.exec(select(Form.id)).first())


def test_builder_edits_and_publishes(world, make_state):
    form_id = _new_form(make_state, world)
    st = make_state(FormBuilderState, world.owner, world.agent_id, form_id)
    assert st.can_edit and st.elements == []
    st.drop_new(["short_text", "0"])
    st.drop_new(["dropdown", "1"])
    st.add_element("email")
    assert [e.type for e in st.elements] == ["short_text", "dropdown", "email"]
    assert st.elements[2].maps_to == "email"
    st.select(st.elements[1].id)
    st.set_label(st.selected_id, "Preferred clinic")
    st.set_options(st.selected_id, "Downtown\nHarbor\n")
    st.set_prop(st.selected_id, "maps_to", "preferred_clinic")
    # A late (debounced) change to an element the member has left lands on that element.
    first, second = st.elements[0].id, st.elements[1].id
    st.select(first)
    st.set_label(second, "Preferred clinic")
    assert st.elements[0].label == "Short text" and st.selected_id == first
    assert st.errors == {}
    assert st.elements[1].label == "Preferred clinic" and st.elements[1].options == [
        "Downtown",
        "Harbor",
    ]
    st.reorder([st.elements[2].id, st.elements[0].id, st.elements[1].id])
    assert [e.type for e in st.elements] == ["email", "short_text", "dropdown"]
    st.move(st.elements[0].id, "down")
    st.duplicate_element(st.elements[2].id)
    assert len(st.elements) == 4 and st.elements[3].maps_to == ""
    st.remove_element(st.elements[3].id)
    st.select(st.elements[0].id)
    st.set_min(st.selected_id, "10")
    st.set_max(st.selected_id, "3")
    assert st.errors == {f"{st.selected_id}.min": "The minimum is larger than the maximum."}
    st.set_max(st.selected_id, "")
    assert (st.selected.type, st.selected.min, st.selected.max) == ("short_text", "10", "")
    shown = next(e for e in st.preview_elements if e["id"] == st.selected_id)
    assert (shown["minlength"], shown["maxlength"]) == (10, 500)  # no maximum: the text limit
    st.set_setting("redirect_url", "javascript:alert(1)")
    assert "https://" in st.errors["redirect_url"]
    st.set_setting("redirect_url", "")
    st.publish()
    assert st.status == "Published" and st.version == 1 and not st.unpublished
    st.set_label(st.selected_id, "Full name")
    assert st.unpublished and st.publish_label == "Publish changes"
    st.publish()
    assert st.version == 2


def test_user_reads_only_and_outsider_sees_agent_not_found(world, make_state):
    form_id = _new_form(make_state, world)
    owner = make_state(FormBuilderState, world.owner, world.agent_id, form_id)
    owner.add_element("email")
    user = make_state(FormBuilderState, world.user, world.agent_id, form_id)
    assert user.can_edit is False and len(user.elements) == 1
    user.add_element("phone")
    user.set_label(user.elements[0].id, "Hacked")
    user.publish()
    fresh = make_state(FormBuilderState, world.owner, world.agent_id, form_id)
    assert (
        len(fresh.elements) == 1 and fresh.elements[0].label == "Email" and fresh.status == "Draft"
    )
    outsider = make_state(FormBuilderState, world.outsider, world.agent_id, form_id)
    assert outsider.load_error == "Agent not found." and outsider.elements == []
    listing = make_state(FormsListState, world.outsider, world.agent_id)
    assert listing.load_error == "Agent not found." and listing.forms == []
    user_list = make_state(FormsListState, world.user, world.agent_id)
    assert user_list.can_edit is False and [f.name for f in user_list.forms] == ["Book a visit"]
    user_list.duplicate(form_id)
    assert len(make_state(FormsListState, world.owner, world.agent_id).forms) == 1
