"""CRM → Automations handlers as the browser calls them (any arguments, any member)."""

from __future__ import annotations

from sqlmodel import func, select

from crm_app import db
from crm_app.models import Agent, AssignmentRule, AuditLog, Contact, Stage, StageRule, User
from crm_app.services import contacts


def _toast(result) -> str:
    return str(result)


def _add_contact(agent_id: int, email: str, source: str = "Chat") -> tuple[str | None, str]:
    with db.session_scope() as s:
        c = contacts.save_contact(
            s,
            s.get(Agent, agent_id),
            {"email": email},
            source=source,
            origin=contacts.Origin("agent", "Reception"),
        ).contact
        owner = s.get(User, c.primary_owner_id) if c.primary_owner_id else None
        return (owner.first_name if owner else None), s.get(Stage, c.stage_id).name


def test_owner_builds_a_round_robin_reorders_it_and_saves(world, make_state):
    st = make_state(world.owner, world.agent_id)
    assert st.loaded and st.load_error == "" and st.can_edit
    assert st.strategy == {
        "manual_primary": "org_owner",
        "manual_secondary": "none",
        "captured_primary": "org_owner",
        "captured_secondary": "none",
    }
    assert [m.name for m in st.members] == [
        "Dana Whitfield",
        "Aisha Karimi",
        "Ben Ortiz",
        "Sam Staff",
    ]
    key = "captured_primary"
    st.set_strategy(key, "round_robin")
    st.add_to_rotation(key, world.ids["Aisha"])
    st.save_assignment("captured")
    assert st.errors[key] == "A Round Robin needs at least two members."
    st.add_to_rotation(key, world.ids["Ben"])
    st.add_to_rotation(key, world.ids["Dana"])
    st.move_in_rotation(key, world.ids["Dana"], "up")  # Aisha, Dana, Ben
    st.reorder_rotation(key, [world.ids["Ben"], world.ids["Aisha"], world.ids["Dana"]])
    assert [r.name for r in st.rotation_rows[key]] == [
        "Ben Ortiz",
        "Aisha Karimi",
        "Dana Whitfield",
    ]
    assert st.dirty["captured"] is True and key not in st.errors
    # the secondary slot greys out the primary's members
    greyed = {m.name: m.taken for m in st.choices["captured_secondary"]}
    assert greyed == {
        "Dana Whitfield": True,
        "Aisha Karimi": True,
        "Ben Ortiz": True,
        "Sam Staff": False,
    }
    st.set_strategy("captured_secondary", "selected")
    assert "already chosen" in _toast(st.set_selected("captured_secondary", world.ids["Aisha"]))
    st.set_selected("captured_secondary", world.ids["Sam"])
    st.save_assignment("captured")
    assert st.dirty["captured"] is False and st.errors == {}
    assert [_add_contact(world.agent_id, f"p{i}@example.com")[0] for i in range(4)] == [
        "Ben",
        "Aisha",
        "Dana",
        "Ben",
    ]
    with db.session_scope() as s:
        assert (
            s.exec(
                select(func.count()).select_from(AuditLog).where(AuditLog.resource == "Automation")
            ).one()
            == 1
        )
    # a crafted reorder that is not a permutation is refused
    assert "changed meanwhile" in _toast(st.reorder_rotation(key, [world.ids["Ben"], "999"]))


def test_discard_brings_back_the_saved_rule(world, make_state):
    st = make_state(world.owner, world.agent_id)
    st.set_strategy("manual_primary", "creator")
    st.discard_assignment("manual")
    assert st.strategy["manual_primary"] == "org_owner" and st.dirty["manual"] is False


def test_starting_stage_per_source(world, make_state):
    st = make_state(world.owner, world.agent_id)
    prospect = next(s.id for s in st.stages if s.name == "Prospect")
    lead = next(s.id for s in st.stages if s.name == "Lead")
    assert set(st.stage_rules.values()) == {lead}
    st.set_stage("Form", prospect)
    assert st.stages_dirty
    st.save_stages()
    assert not st.stages_dirty and st.stage_rules["Form"] == prospect
    assert _add_contact(world.agent_id, "form@example.com", "Form")[1] == "Prospect"
    assert _add_contact(world.agent_id, "chat@example.com", "Chat")[1] == "Lead"
    assert "listed stages" in _toast(st.set_stage("Form", "424242"))


def test_user_sees_read_only_and_cannot_change_anything(world, make_state):
    st = make_state(world.user, world.agent_id)
    assert st.loaded and st.load_error == "" and st.can_edit is False
    assert "Admin role" in _toast(st.set_strategy("manual_primary", "none"))
    st.strategy = st.strategy | {"manual_primary": "none"}  # a crafted draft still cannot be saved
    assert "Admin role" in _toast(st.save_assignment("manual"))
    st.stage_rules = st.stage_rules | {"Chat": st.stages[1].id}
    assert "Admin role" in _toast(st.save_stages())
    with db.session_scope() as s:
        assert s.exec(select(func.count()).select_from(AssignmentRule)).one() == 0
        assert s.exec(select(func.count()).select_from(StageRule)).one() == 0


def test_another_organization_gets_agent_not_found(world, make_state):
    st = make_state(world.outsider, world.agent_id)
    assert st.load_error == "Agent not found." and st.members == []
    assert "Agent not found" in _toast(st.save_assignment("manual"))
    assert "Agent not found" in _toast(st.add_to_rotation("manual_primary", world.ids["Dana"]))
    with db.session_scope() as s:
        assert s.exec(select(func.count()).select_from(AssignmentRule)).one() == 0
        assert s.exec(select(func.count()).select_from(Contact)).one() == 0
