"""Pipeline stages and CRM defaults."""

from __future__ import annotations

import pytest
from sqlmodel import select

from crm_app.db import session_scope
from crm_app.models import Activity, Agent, AuditLog, Contact, StageRule
from crm_app.services import stages
from crm_app.services.errors import Conflict, NotFound, PermissionDenied, ValidationError


def _list(world, actor=None):
    with session_scope() as s:
        return stages.list_stages(s, actor or world.owner, world.agent_id)


def _names(world):
    return [st["name"] for st in _list(world)]


def _ids(world):
    return {st["name"]: st["id"] for st in _list(world)}


def _add_contacts(world, stage_id, n, prefix="c"):
    with session_scope() as s:
        for i in range(n):
            s.add(
                Contact(
                    agent_id=world.agent_id,
                    email=f"{prefix}{i}@example.com",
                    source="Manual",
                    stage_id=stage_id,
                )
            )


def _audits():
    with session_scope() as s:
        return [
            a.description
            for a in s.exec(select(AuditLog).where(AuditLog.resource == "Pipeline Stage"))
        ]


def test_defaults_and_counts(world):
    assert _names(world) == ["Lead", "Prospect", "Customer", "Old Customer"]
    _add_contacts(world, _ids(world)["Prospect"], 3)
    assert [st["contact_count"] for st in _list(world, world.user)] == [0, 3, 0, 0]


def test_add_rename_with_validation(world):
    with session_scope() as s:
        added = stages.add_stage(s, world.admin, world.agent_id, "  Qualified   lead ")
    assert added["name"] == "Qualified lead"
    assert _names(world)[-1] == "Qualified lead"
    for bad, cls, msg in (
        ("", ValidationError, "Enter a stage name."),
        ("x" * 61, ValidationError, "at most 60"),
        ("lead", Conflict, "A stage named 'Lead' already exists."),
    ):
        with pytest.raises(cls, match=msg) as err, session_scope() as s:
            stages.add_stage(s, world.admin, world.agent_id, bad)
        assert err.value.field == "name"
    with session_scope() as s:
        stages.add_stage(s, world.admin, world.agent_id, "x" * 60)
    ids = _ids(world)
    with pytest.raises(Conflict), session_scope() as s:
        stages.rename_stage(s, world.admin, world.agent_id, ids["Lead"], "CUSTOMER")
    with session_scope() as s:
        stages.rename_stage(
            s, world.admin, world.agent_id, ids["Lead"], "lead"
        )  # case change of itself
        stages.rename_stage(s, world.admin, world.agent_id, ids["Prospect"], "Contacted")
    assert _names(world)[:2] == ["lead", "Contacted"]
    assert "Renamed stage 'Prospect' to 'Contacted' in agent 'Reception'" in _audits()
    # Another agent may use the same names.
    with session_scope() as s:
        stages.add_stage(s, world.outsider, world.other_agent_id, "Contacted")


def test_reorder_and_move(world):
    ids = _ids(world)
    order = [ids["Customer"], ids["Lead"], ids["Prospect"], ids["Old Customer"]]
    with session_scope() as s:
        stages.reorder_stages(s, world.admin, world.agent_id, order)
    assert _names(world) == ["Customer", "Lead", "Prospect", "Old Customer"]
    for bad in (order[:3], order + [order[0]], order[:3] + [order[0]], [str(i) for i in order], []):
        with pytest.raises(ValidationError, match="changed meanwhile"), session_scope() as s:
            stages.reorder_stages(s, world.admin, world.agent_id, bad)
    with session_scope() as s:
        stages.move_stage(s, world.admin, world.agent_id, ids["Old Customer"], "up")
    assert _names(world) == ["Customer", "Lead", "Old Customer", "Prospect"]
    with pytest.raises(NotFound), session_scope() as s:
        stages.move_stage(s, world.admin, world.agent_id, 987654, "up")


def test_remove_moves_contacts_and_rules(world):
    ids = _ids(world)
    _add_contacts(world, ids["Prospect"], 2)
    _add_contacts(world, ids["Lead"], 1, prefix="lead")
    with session_scope() as s:
        s.add(StageRule(agent_id=world.agent_id, method="Chat", stage_id=ids["Prospect"]))
    with (
        pytest.raises(ValidationError, match="This stage has 2 contacts") as err,
        session_scope() as s,
    ):
        stages.remove_stage(s, world.admin, world.agent_id, ids["Prospect"], None)
    assert err.value.field == "move_to"
    with pytest.raises(ValidationError) as err, session_scope() as s:
        stages.remove_stage(s, world.admin, world.agent_id, ids["Prospect"], ids["Prospect"])
    assert err.value.field == "move_to"
    with session_scope() as s:
        foreign = stages.list_stages(s, world.outsider, world.other_agent_id)[0]["id"]
    with pytest.raises(ValidationError), session_scope() as s:
        stages.remove_stage(s, world.admin, world.agent_id, ids["Prospect"], foreign)
    assert _names(world) == ["Lead", "Prospect", "Customer", "Old Customer"]

    with session_scope() as s:
        result = stages.remove_stage(
            s, world.admin, world.agent_id, ids["Prospect"], ids["Customer"]
        )
    assert result == {"removed": "Prospect", "moved_contacts": 2, "moved_to": "Customer"}
    assert _names(world) == ["Lead", "Customer", "Old Customer"]
    assert [st["contact_count"] for st in _list(world)] == [1, 2, 0]
    assert [st["position"] for st in _list(world)] == [0, 1, 2]
    with session_scope() as s:
        assert s.exec(select(StageRule)).one().stage_id == ids["Customer"]
    assert any(
        "Removed stage 'Prospect'" in d and "2 contact(s) moved to 'Customer'" in d
        for d in _audits()
    )
    with session_scope() as s:  # each moved contact's timeline says so; the others' do not
        lines = s.exec(
            select(Activity).where(Activity.kind == "stage", Activity.actor_type == "member")
        ).all()
        assert len(lines) == 2
        assert {line.message for line in lines} == {
            "Stage changed from Prospect to Customer by Admin Member (stage Prospect was removed)"
        }
        assert all(line.data == {"from": ids["Prospect"], "to": ids["Customer"]} for line in lines)
        assert all(
            line.actor_id == world.admin.user_id and line.created_at is not None for line in lines
        )
        moved = {c.id for c in s.exec(select(Contact).where(Contact.stage_id == ids["Customer"]))}
        assert {line.contact_id for line in lines} == moved


def test_empty_stage_removal_without_target_sends_rules_to_first_stage(world):
    ids = _ids(world)
    with session_scope() as s:
        s.add(StageRule(agent_id=world.agent_id, method="Form", stage_id=ids["Customer"]))
    with session_scope() as s:
        stages.remove_stage(s, world.admin, world.agent_id, ids["Customer"], None)
    with session_scope() as s:
        assert s.exec(select(StageRule)).one().stage_id == ids["Lead"]


def test_last_stage_cannot_be_removed(world):
    ids = _ids(world)
    with session_scope() as s:
        for name in ("Prospect", "Customer", "Old Customer"):
            stages.remove_stage(s, world.admin, world.agent_id, ids[name], ids["Lead"])
    with (
        pytest.raises(ValidationError, match="An agent needs at least one stage."),
        session_scope() as s,
    ):
        stages.remove_stage(s, world.admin, world.agent_id, ids["Lead"], None)
    assert _names(world) == ["Lead"]


def test_user_and_outsider_cannot_change_stages(world):
    ids = _ids(world)
    calls = [
        lambda s, a: stages.add_stage(s, a, world.agent_id, "New"),
        lambda s, a: stages.rename_stage(s, a, world.agent_id, ids["Lead"], "New"),
        lambda s, a: stages.reorder_stages(s, a, world.agent_id, list(reversed(ids.values()))),
        lambda s, a: stages.move_stage(s, a, world.agent_id, ids["Lead"], "down"),
        lambda s, a: stages.remove_stage(s, a, world.agent_id, ids["Lead"], ids["Prospect"]),
        lambda s, a: stages.update_crm_defaults(s, a, world.agent_id, "DE", "skip"),
    ]
    for call in calls:
        with pytest.raises(PermissionDenied), session_scope() as s:
            call(s, world.user)
        with pytest.raises(NotFound, match="Agent not found."), session_scope() as s:
            call(s, world.outsider)
    with pytest.raises(NotFound), session_scope() as s:
        stages.list_stages(s, world.outsider, world.agent_id)
    # The outsider cannot reach this agent's stage through their own agent either.
    with pytest.raises(NotFound, match="Stage not found."), session_scope() as s:
        stages.rename_stage(s, world.outsider, world.other_agent_id, ids["Lead"], "Mine")
    assert _names(world) == ["Lead", "Prospect", "Customer", "Old Customer"]
    assert _audits() == []


def test_crm_defaults(world):
    with session_scope() as s:
        assert stages.get_crm_defaults(s, world.user, world.agent_id) == {
            "phone_region": "US",
            "duplicate_policy": "fill",
        }
        saved = stages.update_crm_defaults(s, world.admin, world.agent_id, "gb", "overwrite")
    assert saved == {"phone_region": "GB", "duplicate_policy": "overwrite"}
    for region, policy, field in (
        ("ZZ", "skip", "phone_region"),
        ("", "skip", "phone_region"),
        ("US", "merge", "duplicate_policy"),
    ):
        with pytest.raises(ValidationError) as err, session_scope() as s:
            stages.update_crm_defaults(s, world.admin, world.agent_id, region, policy)
        assert err.value.field == field
    with session_scope() as s:
        agent = s.get(Agent, world.agent_id)
        assert (agent.phone_region, agent.duplicate_policy) == ("GB", "overwrite")
        entries = [
            a.description
            for a in s.exec(select(AuditLog).where(AuditLog.resource == "CRM Settings"))
        ]
    assert entries == [
        "Updated CRM defaults of agent 'Reception': phone region US → GB, "
        "duplicate policy fill → overwrite"
    ]


def test_region_choices_have_names():
    choices = {c["code"]: c["label"] for c in stages.region_choices()}
    assert choices["US"] == "US — United States"
    assert choices["XK"] == "XK — Kosovo"
    assert len(choices) >= 240
