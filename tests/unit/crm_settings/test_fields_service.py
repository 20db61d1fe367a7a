"""Contact fields: defaults, custom fields, validation, reorder, archive, permissions."""

from __future__ import annotations

import pytest
from sqlmodel import func, select

from crm_app.db import session_scope
from crm_app.models import AuditLog, Contact, ContactField, ContactValue
from crm_app.services import field_rules, fields
from crm_app.services.errors import Conflict, NotFound, PermissionDenied, ValidationError


def _list(world, actor=None, **kw):
    with session_scope() as s:
        return fields.list_fields(s, actor or world.owner, world.agent_id, **kw)


def _create(world, actor=None, **kw):
    kw.setdefault("type", "Text")
    with session_scope() as s:
        return fields.create_custom_field(s, actor or world.admin, world.agent_id, **kw)


def _field_count(world) -> int:
    with session_scope() as s:
        return s.exec(
            select(func.count())
            .select_from(ContactField)
            .where(ContactField.agent_id == world.agent_id)
        ).one()


def _audits(resource="Contact Field") -> list[str]:
    with session_scope() as s:
        return [
            a.description
            for a in s.exec(
                select(AuditLog).where(AuditLog.resource == resource).order_by(AuditLog.id)
            )
        ]


def test_new_agent_has_the_four_default_fields(world):
    rows = _list(world)
    assert [(f["label"], f["key"], f["type"]) for f in rows] == [
        ("Name", "name", "Text"),
        ("Email", "email", "Email"),
        ("Mobile Number", "phone", "Phone"),
        ("Gender", "gender", "Dropdown"),
    ]
    assert rows[3]["options"] == ["Female", "Male", "Non-binary", "Prefer not to say"]
    assert all(f["is_default"] for f in rows)
    assert [f["allow_ai"] for f in rows] == [True, True, True, False]


def test_user_role_can_read_the_fields(world):
    assert len(_list(world, world.user)) == 4


def test_create_custom_field_derives_the_key_and_audits(world):
    field = _create(
        world,
        label="  Preferred clinic! ",
        type="Dropdown",
        options=[" Downtown ", "Uptown", ""],
        required=True,
        ai_hint="City of the clinic",
        allow_ai=True,
    )
    assert field["key"] == "preferred_clinic"
    assert field["label"] == "Preferred clinic!"
    assert field["options"] == ["Downtown", "Uptown"]
    assert field["required"] and field["allow_ai"] and not field["is_default"]
    assert [f["key"] for f in _list(world)][-1] == "preferred_clinic"
    assert _audits() == [
        "Created custom field 'Preferred clinic!' (preferred_clinic, Dropdown) in agent 'Reception'"
    ]


def test_every_field_type_is_accepted(world):
    for i, type_ in enumerate(field_rules.FIELD_TYPES):
        opts = ["A"] if type_ in field_rules.CHOICE_TYPES else ["ignored"]
        made = _create(world, label=f"Field {i}", type=type_, options=opts)
        assert made["type"] == type_
        assert made["options"] == (["A"] if type_ in field_rules.CHOICE_TYPES else [])


@pytest.mark.parametrize(
    "kwargs, field, message",
    [
        ({"label": ""}, "label", "Enter a label."),
        ({"label": "x" * 81}, "label", "at most 80"),
        ({"label": "Budget", "type": "Currency"}, "type", "Choose a field type"),
        ({"label": "Budget", "key": "Budget"}, "key", "lower-case letter"),
        ({"label": "Budget", "key": "1budget"}, "key", "lower-case letter"),
        ({"label": "Budget", "key": "b" * 61}, "key", "lower-case letter"),
        ({"label": "Budget", "key": "bud-get"}, "key", "lower-case letter"),
        ({"label": "???"}, "key", "Enter a key"),
        ({"label": "Size", "type": "Dropdown", "options": []}, "options", "at least one option"),
        (
            {"label": "Size", "type": "Multi-select", "options": ["  ", ""]},
            "options",
            "at least one option",
        ),
        ({"label": "Size", "type": "Dropdown", "options": ["S", "s"]}, "options", "listed twice"),
        ({"label": "Size", "type": "Dropdown", "options": ["x" * 101]}, "options", "at most 100"),
        (
            {"label": "Size", "type": "Dropdown", "options": [f"o{i}" for i in range(201)]},
            "options",
            "at most 200",
        ),
        ({"label": "Budget", "ai_hint": "h" * 501}, "ai_hint", "at most 500"),
        ({"label": "Stage", "key": "stage"}, "key", "reserved"),
    ],
)
def test_invalid_custom_fields_are_refused_with_an_inline_error(world, kwargs, field, message):
    with pytest.raises(ValidationError) as err:
        _create(world, **kwargs)
    assert err.value.field == field
    assert message in err.value.message
    assert _field_count(world) == 4
    assert _audits() == []


def test_limits_are_inclusive(world):
    made = _create(
        world,
        label="x" * 80,
        key="k" * 60,
        type="Dropdown",
        options=[f"{i}".rjust(100, "o") for i in range(200)],
        ai_hint="h" * 500,
    )
    assert len(made["options"]) == 200


def test_duplicate_keys_are_refused_including_default_and_archived(world):
    with pytest.raises(Conflict, match="A field with the key 'email' already exists."):
        _create(world, label="Email")
    old = _create(world, label="Budget")
    with session_scope() as s:
        fields.archive_field(s, world.admin, world.agent_id, old["id"])
    with pytest.raises(Conflict) as err:
        _create(world, label="Budget again", key="budget")
    assert err.value.message == "A field with the key 'budget' already exists."
    assert err.value.field == "key"


def test_same_key_is_fine_in_another_agent(world):
    _create(world, label="Budget")
    with session_scope() as s:
        made = fields.create_custom_field(
            s, world.outsider, world.other_agent_id, label="Budget", type="Number"
        )
    assert made["key"] == "budget"


def test_user_and_other_org_owner_cannot_write(world):
    with pytest.raises(PermissionDenied):
        _create(world, world.user, label="Budget")
    with pytest.raises(NotFound, match="Agent not found."):
        _create(world, world.outsider, label="Budget")
    with pytest.raises(NotFound, match="Agent not found."):
        _list(world, world.outsider)
    email_id = _list(world)[1]["id"]
    for actor, error in ((world.user, PermissionDenied), (world.outsider, NotFound)):
        with pytest.raises(error), session_scope() as s:
            fields.update_field(s, actor, world.agent_id, email_id, allow_ai=False)
        with pytest.raises(error), session_scope() as s:
            fields.reorder_fields(
                s, actor, world.agent_id, [f["id"] for f in reversed(_list(world))]
            )
        with pytest.raises(error), session_scope() as s:
            fields.move_field(s, actor, world.agent_id, email_id, "up")
    assert [f["key"] for f in _list(world)] == ["name", "email", "phone", "gender"]
    assert _list(world)[1]["allow_ai"] is True


def test_outsider_cannot_touch_a_field_through_their_own_agent(world):
    field = _create(world, label="Budget")
    with pytest.raises(NotFound, match="Field not found."), session_scope() as s:
        fields.update_field(s, world.outsider, world.other_agent_id, field["id"], label="Hacked")
    with pytest.raises(NotFound), session_scope() as s:
        fields.archive_field(s, world.outsider, world.other_agent_id, field["id"])
    assert _list(world)[-1]["label"] == "Budget"


def test_user_without_access_to_the_agent_cannot_read(world):
    from dataclasses import replace

    with pytest.raises(NotFound, match="Agent not found."):
        _list(world, replace(world.user, agent_ids=()))


def test_default_fields_keep_label_type_key_but_toggle_ai_required_hint(world):
    gender = _list(world)[3]
    with session_scope() as s:
        updated = fields.update_field(
            s,
            world.admin,
            world.agent_id,
            gender["id"],
            allow_ai=True,
            required=True,
            ai_hint="Only if the visitor says so",
        )
    assert (
        updated["allow_ai"]
        and updated["required"]
        and updated["ai_hint"] == "Only if the visitor says so"
    )
    for change in ({"label": "Sex"}, {"type": "Text"}, {"options": ["A"]}):
        with pytest.raises(ValidationError, match="Default fields keep"), session_scope() as s:
            fields.update_field(s, world.admin, world.agent_id, gender["id"], **change)
    assert _list(world)[3]["label"] == "Gender"
    assert "Allow for AI on" in _audits()[-1]


def test_custom_field_update_and_type_rule(world):
    field = _create(world, label="Budget", type="Text")
    with session_scope() as s:
        updated = fields.update_field(
            s,
            world.admin,
            world.agent_id,
            field["id"],
            label="Budget range",
            type="Dropdown",
            options=["Low", "High"],
        )
    assert (updated["label"], updated["type"], updated["options"], updated["key"]) == (
        "Budget range",
        "Dropdown",
        ["Low", "High"],
        "budget",
    )
    with pytest.raises(ValidationError) as err, session_scope() as s:
        fields.update_field(s, world.admin, world.agent_id, field["id"], options=[])
    assert err.value.field == "options"
    # Once a contact holds a value, the type is fixed (options can still change).
    with session_scope() as s:
        contact = Contact(agent_id=world.agent_id, email="a@example.com", source="Manual")
        s.add(contact)
        s.flush()
        s.add(ContactValue(contact_id=contact.id, field_id=field["id"], value_text="Low"))
    assert _list(world)[-1]["has_values"] is True
    with pytest.raises(ValidationError, match="type cannot change") as err, session_scope() as s:
        fields.update_field(s, world.admin, world.agent_id, field["id"], type="Text")
    assert err.value.field == "type"
    with session_scope() as s:
        fields.update_field(
            s, world.admin, world.agent_id, field["id"], options=["Low", "Mid", "High"]
        )
    assert _list(world)[-1]["options"] == ["Low", "Mid", "High"]


def test_failed_update_writes_nothing(world):
    field = _create(world, label="Budget", type="Dropdown", options=["A"])
    with pytest.raises(ValidationError), session_scope() as s:
        fields.update_field(
            s, world.admin, world.agent_id, field["id"], label="Renamed", options=[]
        )
    assert _list(world)[-1]["label"] == "Budget"
    assert len(_audits()) == 1


def test_reorder_requires_a_permutation(world):
    ids = [f["id"] for f in _list(world)]
    with session_scope() as s:
        result = fields.reorder_fields(
            s, world.admin, world.agent_id, [ids[3], ids[0], ids[1], ids[2]]
        )
    assert [f["key"] for f in result] == ["gender", "name", "email", "phone"]
    assert [f["key"] for f in _list(world)] == ["gender", "name", "email", "phone"]
    bad_orders = [
        ids[:3],
        ids + [ids[0]],
        [ids[0], ids[0], ids[1], ids[2]],
        ids[:3] + [999999],
        ["1", "2", "3", "4"],
        ids[:3] + [True],
    ]
    for bad in bad_orders:
        with pytest.raises(ValidationError, match="changed meanwhile"), session_scope() as s:
            fields.reorder_fields(s, world.admin, world.agent_id, bad)
    assert [f["key"] for f in _list(world)] == ["gender", "name", "email", "phone"]


def test_reorder_refuses_another_agents_field_ids(world):
    ids = [f["id"] for f in _list(world)]
    with session_scope() as s:
        foreign = [f["id"] for f in fields.list_fields(s, world.outsider, world.other_agent_id)]
    with pytest.raises(ValidationError), session_scope() as s:
        fields.reorder_fields(s, world.admin, world.agent_id, ids[:3] + foreign[:1])


def test_move_field_up_and_down(world):
    ids = [f["id"] for f in _list(world)]
    with session_scope() as s:
        fields.move_field(s, world.admin, world.agent_id, ids[0], "down")
    assert [f["key"] for f in _list(world)] == ["email", "name", "phone", "gender"]
    with session_scope() as s:
        fields.move_field(s, world.admin, world.agent_id, ids[1], "up")  # already first: stays
        fields.move_field(s, world.admin, world.agent_id, ids[3], "down")  # already last: stays
    assert [f["key"] for f in _list(world)] == ["email", "name", "phone", "gender"]
    with pytest.raises(ValidationError), session_scope() as s:
        fields.move_field(s, world.admin, world.agent_id, ids[0], "sideways")


def test_archive_keeps_values_and_restore_brings_it_back_at_the_end(world):
    budget = _create(world, label="Budget")
    _create(world, label="Source detail")
    with session_scope() as s:
        contact = Contact(agent_id=world.agent_id, email="b@example.com", source="Manual")
        s.add(contact)
        s.flush()
        s.add(ContactValue(contact_id=contact.id, field_id=budget["id"], value_text="100"))
    with session_scope() as s:
        archived = fields.archive_field(s, world.admin, world.agent_id, budget["id"])
    assert archived["archived"]
    assert "budget" not in [f["key"] for f in _list(world)]
    assert [f["key"] for f in _list(world, include_archived=True) if f["archived"]] == ["budget"]
    # Reordering the visible fields does not need (or accept) the archived one.
    visible = [f["id"] for f in _list(world)]
    with session_scope() as s:
        fields.reorder_fields(s, world.admin, world.agent_id, list(reversed(visible)))
    with pytest.raises(ValidationError), session_scope() as s:
        fields.reorder_fields(s, world.admin, world.agent_id, visible + [budget["id"]])
    with pytest.raises(ValidationError, match="Restore this field"), session_scope() as s:
        fields.update_field(s, world.admin, world.agent_id, budget["id"], label="x")
    with session_scope() as s:
        restored = fields.restore_field(s, world.admin, world.agent_id, budget["id"])
    assert not restored["archived"] and restored["has_values"]
    assert [f["key"] for f in _list(world)][-1] == "budget"
    with session_scope() as s:
        assert (
            s.exec(select(ContactValue).where(ContactValue.field_id == budget["id"]))
            .one()
            .value_text
            == "100"
        )
    assert any(d.startswith("Archived field 'Budget'") for d in _audits())
    assert any(d.startswith("Restored field 'Budget'") for d in _audits())


def test_default_fields_cannot_be_archived_and_users_cannot_archive(world):
    name = _list(world)[0]
    with (
        pytest.raises(ValidationError, match="Default fields cannot be deleted."),
        session_scope() as s,
    ):
        fields.archive_field(s, world.owner, world.agent_id, name["id"])
    budget = _create(world, label="Budget")
    with pytest.raises(PermissionDenied), session_scope() as s:
        fields.archive_field(s, world.user, world.agent_id, budget["id"])
    with pytest.raises(NotFound), session_scope() as s:
        fields.archive_field(s, world.outsider, world.agent_id, budget["id"])
    assert "budget" in [f["key"] for f in _list(world)]


def test_key_from_label():
    assert fields.key_from_label("Preferred clinic") == "preferred_clinic"
    assert fields.key_from_label("  2nd phone ") == "field_2nd_phone"
    assert fields.key_from_label("É-mail (work)") == "mail_work"
    assert fields.key_from_label("x" * 100) == "x" * 60
