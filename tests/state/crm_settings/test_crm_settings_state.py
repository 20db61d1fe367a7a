"""CRM → Settings handlers as the browser calls them (any arguments, any member)."""

from __future__ import annotations

from sqlmodel import select

from crm_app.db import session_scope
from crm_app.models import Contact, ContactField
from crm_app.state.base import AppState


def _keys(state):
    return [f.key for f in state.fields]


def _saved_keys(world):
    with session_scope() as s:
        rows = s.exec(
            select(ContactField)
            .where(ContactField.agent_id == world.agent_id, ContactField.archived_at.is_(None))
            .order_by(ContactField.position)
        )
        return [r.key for r in rows]


def test_owner_loads_fields_stages_defaults(world, make_state):
    state = make_state(world.owner, world.agent_id)
    assert state.load_error == "" and state.can_edit
    assert _keys(state) == ["name", "email", "phone", "gender"]
    assert [s.name for s in state.stages] == ["Lead", "Prospect", "Customer", "Old Customer"]
    assert state.field_ids == [str(f.id) for f in state.fields]
    assert state.phone_region == "US" and state.duplicate_policy == "fill"


def test_other_org_owner_sees_agent_not_found(world, make_state):
    state = make_state(world.outsider, world.agent_id)
    assert state.load_error == "Agent not found."
    assert state.fields == [] and state.stages == []
    event = state.reorder_fields([str(i) for i in range(1, 5)])
    assert "Agent not found." in str(event)


def test_reorder_by_drag_saves_and_refuses_non_permutations(world, make_state):
    state = make_state(world.owner, world.agent_id)
    ids = state.field_ids
    event = state.reorder_fields([ids[2], ids[0], ids[1], ids[3]])
    assert "Field order saved." in str(event)
    assert _keys(state) == ["phone", "name", "email", "gender"] == _saved_keys(world)
    for bad in (
        [ids[0], ids[0], ids[1], ids[2]],
        ids[:3],
        ["a", "b", "c", "d"],
        "1,2,3,4",
        [None] * 4,
    ):
        event = state.reorder_fields(bad)
        assert "changed meanwhile" in str(event)
    assert _saved_keys(world) == ["phone", "name", "email", "gender"]


def test_user_role_is_read_only(world, make_state):
    state = make_state(world.user, world.agent_id)
    assert state.load_error == "" and not state.can_edit
    ids = state.field_ids
    assert "Admin role" in str(state.reorder_fields(list(reversed(ids))))
    assert "Admin role" in str(state.move_field(int(ids[0]), "down"))
    assert "Admin role" in str(state.set_allow_ai(int(ids[0]), False))
    assert "Admin role" in str(state.add_stage())
    assert "Admin role" in str(state.open_new_field())
    assert _saved_keys(world) == ["name", "email", "phone", "gender"]
    assert state.fields[0].allow_ai is True


def test_move_and_allow_ai_toggle(world, make_state):
    state = make_state(world.owner, world.agent_id)
    gender = state.fields[3].id
    assert "Allow for AI is on for Gender." in str(state.set_allow_ai(gender, True))
    assert state.fields[3].allow_ai is True
    state.move_field(gender, "up")
    assert _keys(state) == ["name", "email", "gender", "phone"]
    assert "Field not found." in str(state.move_field("x", "up"))


def test_add_custom_field_dialog_with_inline_errors(world, make_state):
    state = make_state(world.owner, world.agent_id)
    state.open_new_field()
    assert state.field_dialog_open
    state.set_form_label("Email")
    assert state.form_key == "email"
    state.save_field()
    assert state.form_errors == {"key": "A field with the key 'email' already exists."}
    assert state.field_dialog_open
    state.set_form_label("Preferred clinic")
    assert state.form_key == "preferred_clinic" and state.form_errors == {}
    state.set_form_type("Dropdown")
    assert state.form_has_options
    state.save_field()
    assert "at least one option" in state.form_errors["options"]
    state.set_form_option_input("Downtown")
    state.add_form_option()
    state.set_form_option_input("Uptown")  # still in the box: saved too
    state.set_form_allow_ai(True)
    event = state.save_field()
    assert "Custom field Preferred clinic added." in str(event)
    assert not state.field_dialog_open
    assert state.fields[-1].options == ["Downtown", "Uptown"] and state.fields[-1].allow_ai


def test_edit_default_field_only_changes_ai_and_required(world, make_state):
    state = make_state(world.owner, world.agent_id)
    state.open_edit_field(state.fields[2].id)
    assert state.editing_is_default and state.form_label == "Mobile Number"
    state.set_form_required(True)
    state.set_form_ai_hint("Ask for a mobile number with country code")
    state.save_field()
    assert state.fields[2].required and state.fields[2].label == "Mobile Number"


def test_archive_and_restore(world, make_state):
    state = make_state(world.owner, world.agent_id)
    state.open_new_field()
    state.set_form_label("Budget")
    state.save_field()
    budget = state.fields[-1].id
    assert "archived" in str(state.archive_field(budget))
    assert "budget" not in _keys(state)
    assert [f.key for f in state.archived_fields] == ["budget"]
    assert "restored" in str(state.restore_field(budget))
    assert _keys(state)[-1] == "budget" and state.archived_fields == []


def test_stages_add_rename_reorder_remove(world, make_state):
    state = make_state(world.owner, world.agent_id)
    state.set_new_stage_name("lead")
    state.add_stage()
    assert state.new_stage_error == "A stage named 'Lead' already exists."
    state.set_new_stage_name("Qualified")
    assert "Stage Qualified added." in str(state.add_stage())
    ids = state.stage_ids
    state.reorder_stages([ids[4], ids[0], ids[1], ids[2], ids[3]])
    assert [s.name for s in state.stages][0] == "Qualified"
    assert "changed meanwhile" in str(state.reorder_stages(ids[:4]))
    lead = state.stages[1].id
    state.start_rename(lead)
    state.set_rename_value("")
    state.save_rename()
    assert state.rename_error == "Enter a stage name."
    state.set_rename_value("New lead")
    state.save_rename()
    assert state.renaming_stage_id == 0 and state.stages[1].name == "New lead"

    with session_scope() as s:
        s.add(
            Contact(agent_id=world.agent_id, email="a@example.com", source="Manual", stage_id=lead)
        )
    state.load()
    state.open_remove_stage(lead)
    assert state.remove_open and state.remove_stage_count == 1
    assert str(lead) not in [t.id for t in state.remove_targets]
    state.set_remove_target(str(state.stages[0].id))  # Qualified
    event = state.confirm_remove_stage()
    assert "Stage New lead removed. 1 contact moved to Qualified." in str(event)
    assert state.stages[0].contact_count == 1 and not state.remove_open


def test_remove_with_a_foreign_target_is_refused(world, make_state):
    state = make_state(world.owner, world.agent_id)
    state.open_remove_stage(state.stages[0].id)
    state.set_remove_target(str(world.other_agent_id * 1000))
    state.confirm_remove_stage()
    assert state.remove_error and state.remove_open
    assert len(state.stages) == 4


def test_defaults_save_and_validate(world, make_state):
    state = make_state(world.owner, world.agent_id)
    state.set_phone_region("ZZ")
    state.save_defaults()
    assert state.defaults_errors == {"phone_region": "Choose a phone region from the list."}
    state.set_phone_region("DE")
    state.set_duplicate_policy("skip")
    assert "CRM defaults saved." in str(state.save_defaults())
    state.set_phone_region("US")
    state.load()
    assert (state.phone_region, state.duplicate_policy) == ("DE", "skip")


def test_signed_out_browser_is_sent_to_login(world, make_state, monkeypatch):
    state = make_state(world.owner, world.agent_id)
    monkeypatch.setattr(AppState, "_token", lambda self: None)
    assert "/login" in str(state.reorder_fields(state.field_ids))
    assert _saved_keys(world) == ["name", "email", "phone", "gender"]
