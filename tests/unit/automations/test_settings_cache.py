"""The per-process cache of agent settings (services/settings_cache.py): contact creation
stops re-reading fields, stages and members, and every change to them is seen at once."""

from __future__ import annotations

import pytest
from sqlalchemy import event, update
from sqlmodel import select

from crm_app import db
from crm_app.models import Agent, ContactField, Membership, Stage
from crm_app.services import automations, fields, profile, settings_cache, stages, team
from crm_app.services.errors import ValidationError

from .test_assignment import create, save


def _rev(agent_id: int) -> int:
    with db.session_scope() as s:
        return s.get(Agent, agent_id).settings_rev


def test_a_warm_cache_creates_contacts_without_reading_fields_stages_or_members(world, engine):
    from crm_app.services.contacts import Origin, save_contact

    create(world, "Form")  # fills the cache
    seen: list[str] = []
    listener = lambda conn, cursor, statement, *a: seen.append(statement.lower())  # noqa: E731
    with db.session_scope() as s:
        agent = s.get(Agent, world.agent_id)
        event.listen(engine, "before_cursor_execute", listener)
        try:
            contact = save_contact(
                s,
                agent,
                {"name": "Warm", "email": "warm@example.com"},
                source="Form",
                origin=Origin("form", "Intake"),
            ).contact
            s.flush()
        finally:
            event.remove(engine, "before_cursor_execute", listener)
        assert (
            contact.primary_owner_id == world.ids["Dana"]
            and contact.stage_id == world.stages["Lead"]
        )
    reads = [q for q in seen if q.lstrip().startswith("select")]
    assert not [
        q for q in reads if "from contactfield" in q or "from stage" in q or "from membership" in q
    ], reads


def test_creating_contacts_and_round_robin_turns_do_not_change_the_revision(world):
    save(world, "captured", ("round_robin", "Aisha", "Ben"))
    before = _rev(world.agent_id)
    assert [create(world, "Form")["primary"] for _ in range(3)] == ["Aisha", "Ben", "Aisha"]
    assert _rev(world.agent_id) == before


def test_settings_changes_are_seen_by_the_next_contact(world):
    assert create(world, "Form")["primary"] == "Dana"
    # A stage rule for via Form.
    with db.session_scope() as s:
        automations.save_stage_rules(
            s, world.admin, world.agent_id, {"Form": world.stages["Customer"]}
        )
    assert create(world, "Form")["stage"] == "Customer"
    # Renamed stage.
    with db.session_scope() as s:
        stages.rename_stage(s, world.admin, world.agent_id, world.stages["Customer"], "Patient")
    assert create(world, "Form")["stage_line"].startswith("Started in stage Patient")
    # The owner renames herself: the next owner line uses the new name.
    with db.session_scope() as s:
        profile.update_profile(s, world.owner, "Danielle", "Whitfield")
    assert "Assigned to Danielle Whitfield" in create(world, "Form")["owner_lines"][0]
    # A new custom field is accepted at once; archived, it is refused.
    with db.session_scope() as s:
        made = fields.create_custom_field(
            s, world.admin, world.agent_id, label="Insurer", type="Text"
        )
        agent = s.get(Agent, world.agent_id)
        from crm_app.services.contacts import Origin, save_contact

        save_contact(
            s,
            agent,
            {"email": "ins@example.com", "insurer": "Acme"},
            source="Form",
            origin=Origin("form", "Intake"),
        )
    with db.session_scope() as s:
        fields.archive_field(s, world.admin, world.agent_id, made["id"])
    with db.session_scope() as s, pytest.raises(ValidationError):
        save_contact(
            s,
            s.get(Agent, world.agent_id),
            {"email": "ins2@example.com", "insurer": "Acme"},
            source="Form",
            origin=Origin("form", "Intake"),
        )
    # An assignment rule, then a rotation, then back to a fixed member.
    save(world, "captured", ("selected", "Chen"))
    assert create(world, "Form")["primary"] == "Chen"
    save(world, "captured", ("round_robin", "Ben", "Aisha"))
    assert [create(world, "Form")["primary"] for _ in range(3)] == ["Ben", "Aisha", "Ben"]
    save(world, "captured", ("selected", "Aisha"))
    assert create(world, "Form")["primary"] == "Aisha"


def test_team_changes_reach_the_assignment_rules(world):
    save(world, "captured", ("selected", "Ben"))
    assert create(world, "Form")["primary"] == "Ben"
    with db.session_scope() as s:
        team.remove_member(s, world.owner, world.ids["Ben"])
    assert create(world, "Form")["primary"] == "Dana"  # the fallback: Ben is no longer a member


def test_bulk_statements_bump_the_revision_too(world):
    save(world, "captured", ("selected", "Ben"))
    assert create(world, "Form")["primary"] == "Ben"
    with db.session_scope() as s:
        s.exec(update(Stage).where(Stage.id == world.stages["Lead"]).values(name="New lead"))
    assert create(world, "Form")["stage_line"].startswith("Started in stage New lead")
    with db.session_scope() as s:  # a bulk delete of a membership (no ORM object)
        from sqlmodel import delete

        s.exec(delete(Membership).where(Membership.user_id == world.ids["Ben"]))
    assert create(world, "Form")["primary"] == "Dana"


def test_a_rolled_back_change_never_reaches_the_cache(world):
    from crm_app.services.contacts import Origin, save_contact

    create(world, "Form")
    with pytest.raises(RuntimeError):
        with db.session_scope() as s:
            fields.create_custom_field(s, world.admin, world.agent_id, label="Ghost", type="Text")
            # Read (fresh, not cached) inside the changing transaction: the new field is there.
            save_contact(
                s,
                s.get(Agent, world.agent_id),
                {"email": "g@example.com", "ghost": "boo"},
                source="Form",
                origin=Origin("form", "Intake"),
            )
            raise RuntimeError("roll back")
    with db.session_scope() as s:
        assert s.exec(select(ContactField).where(ContactField.key == "ghost")).first() is None
        with pytest.raises(ValidationError):
            save_contact(
                s,
                s.get(Agent, world.agent_id),
                {"email": "g@example.com", "ghost": "boo"},
                source="Form",
                origin=Origin("form", "Intake"),
            )


def test_another_process_sees_a_change_through_the_revision(world):
    """The cache belongs to one process: a change committed elsewhere is noticed because
    the agent row's revision moved, not because this process was told."""
    create(world, "Form")
    with db.session_scope() as s:
        agent = s.get(Agent, world.agent_id)
        snapshot = settings_cache.for_agent(s, agent)
        assert snapshot is settings_cache.for_agent(s, agent)  # cached
    with db.session_scope() as s:  # "another process": a raw revision bump plus a rename
        s.exec(
            update(Agent)
            .where(Agent.id == world.agent_id)
            .values(settings_rev=Agent.settings_rev + 1)
        )
        s.connection().exec_driver_sql(
            f"UPDATE stage SET name = 'Elsewhere' WHERE id = {world.stages['Lead']}"
        )
    assert create(world, "Form")["stage_line"].startswith("Started in stage Elsewhere")
