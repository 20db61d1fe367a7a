"""apply_on_create_many (the import's batch entry point) decides exactly what save_contact
(the one creation path, through decide_on_create) decides contact by contact: same stage, owners, timeline lines and round-robin pointers,
for every strategy — including rotations whose turn is the primary or a member who left."""

from __future__ import annotations

import pytest
from sqlmodel import delete, select

from crm_app import db
from crm_app.models import Activity, Agent, AssignmentRule, Membership, StageRule
from crm_app.services import automations, contacts

N = 8


def _rule(
    s, world, slot: str, strategy: str, names=(), pointer: int = 0, method: str = "manual"
) -> None:
    """Rules written directly (bypassing save_assignment's checks) to reach every branch."""
    s.add(
        AssignmentRule(
            agent_id=world.agent_id,
            method=method,
            slot=slot,
            strategy=strategy,
            member_ids=[world.ids[n] for n in names],
            pointer=pointer,
        )
    )


CONFIGS = {
    "no rules": [],
    "creator + org owner": [("primary", "creator"), ("secondary", "org_owner")],
    "selected + round robin": [
        ("primary", "selected", ["Ben"]),
        ("secondary", "round_robin", ["Aisha", "Chen", "Sam"]),
    ],
    "round robin + creator equal to some turns": [
        ("primary", "round_robin", ["Aisha", "Ben", "Chen"]),
        ("secondary", "creator"),
    ],
    "two overlapping rotations": [
        ("primary", "round_robin", ["Aisha", "Ben", "Chen"], 1),
        ("secondary", "round_robin", ["Ben", "Chen", "Aisha", "Uma"], 2),
    ],
    "rotation with a member who left": [
        ("primary", "round_robin", ["Aisha", "Oscar", "Ben"]),
        ("secondary", "round_robin", ["Sam", "Chen", "Aisha"]),
    ],
    "selected member who left": [("primary", "selected", ["Oscar"]), ("secondary", "none")],
    "primary none": [("primary", "none"), ("secondary", "selected", ["Chen"])],
    "org owner + selected owner": [("primary", "org_owner"), ("secondary", "selected", ["Dana"])],
}


def _configure(world, config, stage_rule: bool) -> None:
    with db.session_scope() as s:
        s.exec(delete(AssignmentRule))
        s.exec(delete(StageRule))
        for slot, strategy, *rest in config:
            names = rest[0] if rest else ()
            _rule(s, world, slot, strategy, names, rest[1] if len(rest) > 1 else 0)
        if stage_rule:
            s.add(
                StageRule(
                    agent_id=world.agent_id, method="Import", stage_id=world.stages["Customer"]
                )
            )


def _pointers(s) -> dict:
    return {
        (r.method, r.slot): r.pointer
        for r in s.exec(select(AssignmentRule).execution_options(populate_existing=True))
    }


def _sequential(world, creator: int) -> tuple[list, dict]:
    """save_contact once per contact, then roll everything back."""
    out = []
    origin = contacts.Origin("import", "Import", creator)
    with db.session_scope() as s:
        agent = s.get(Agent, world.agent_id)
        for n in range(N):
            contact = contacts.save_contact(
                s,
                agent,
                {"name": f"Seq {n}", "email": f"seq{n}@example.com"},
                source="Import",
                origin=origin,
            ).contact
            s.flush()
            lines = [
                (a.kind, a.message, a.data)
                for a in s.exec(
                    select(Activity)
                    .where(Activity.contact_id == contact.id, Activity.actor_type == "automation")
                    .order_by(Activity.id)
                )
            ]
            out.append(
                (contact.stage_id, contact.primary_owner_id, contact.secondary_owner_id, lines)
            )
        pointers = _pointers(s)
        s.rollback()
    return out, pointers


def _batch(world, creator: int) -> tuple[list, dict]:
    with db.session_scope() as s:
        agent = s.get(Agent, world.agent_id)
        decisions = automations.apply_on_create_many(
            s, agent, N, source="Import", creator_id=creator
        )
        s.flush()
        pointers = _pointers(s)
        s.rollback()
    rows = [d.activity_rows(f"c{i}", None) for i, d in enumerate(decisions)]
    return [
        (
            d.stage_id,
            d.primary_owner_id,
            d.secondary_owner_id,
            [(r["kind"], r["message"], r["data"]) for r in acts],
        )
        for d, acts in zip(decisions, rows)
    ], pointers


@pytest.mark.parametrize("stage_rule", [False, True])
@pytest.mark.parametrize("name", list(CONFIGS))
def test_batch_equals_contact_by_contact(world, name, stage_rule):
    _configure(world, CONFIGS[name], stage_rule)
    creator = world.ids["Aisha"]
    sequential, seq_pointers = _sequential(world, creator)
    batch, batch_pointers = _batch(world, creator)
    assert batch == sequential
    assert batch_pointers == seq_pointers
    for stage_id, primary, secondary, lines in batch:
        assert stage_id == world.stages["Customer" if stage_rule else "Lead"]
        assert primary is None or primary != secondary
        assert lines[0][0] == "stage" and all(kind == "owner" for kind, _, _ in lines[1:])


def test_round_robin_batch_takes_consecutive_turns_and_commits_the_pointer(world):
    _configure(world, CONFIGS["two overlapping rotations"], False)
    with db.session_scope() as s:
        agent = s.get(Agent, world.agent_id)
        first = automations.apply_on_create_many(
            s, agent, 5, source="Import", creator_id=world.ids["Aisha"]
        )
    with db.session_scope() as s:
        agent = s.get(Agent, world.agent_id)
        second = automations.apply_on_create_many(
            s, agent, 4, source="Manual", creator_id=world.ids["Aisha"]
        )
        pointers = _pointers(s)
    names = {v: k for k, v in world.ids.items()}
    pairs = [(names[d.primary_owner_id], names.get(d.secondary_owner_id)) for d in first + second]
    # primary continues Aisha, Ben, Chen from pointer 1; the secondary skips the primary and Uma
    # (a User without this agent), never naming the primary
    assert [p for p, _ in pairs] == [
        "Ben",
        "Chen",
        "Aisha",
        "Ben",
        "Chen",
        "Aisha",
        "Ben",
        "Chen",
        "Aisha",
    ]
    assert all(p != sec for p, sec in pairs)
    assert pointers[("manual", "primary")] == 1 + 9
    sequences = [d.lines[1][2]["sequence"] for d in first + second]
    assert sequences == list(range(1, 10))


def test_batch_for_captured_sources_and_other_agents_rules(world):
    with db.session_scope() as s:
        _rule(s, world, "primary", "round_robin", ["Aisha", "Ben"], method="captured")
        s.add(
            AssignmentRule(
                agent_id=world.other_agent_id,
                method="manual",
                slot="primary",
                strategy="selected",
                member_ids=[world.ids["Oscar"]],
            )
        )
    with db.session_scope() as s:
        agent = s.get(Agent, world.agent_id)
        chat = automations.apply_on_create_many(s, agent, 3, source="Chat", creator_id=None)
        manual = automations.apply_on_create_many(
            s, agent, 1, source="Import", creator_id=world.ids["Ben"]
        )
        assert automations.apply_on_create_many(s, agent, 0, source="Import", creator_id=None) == []
    assert [d.primary_owner_id for d in chat] == [
        world.ids["Aisha"],
        world.ids["Ben"],
        world.ids["Aisha"],
    ]
    # the other organization's rule never applies here: no manual rule -> this org's owner
    assert manual[0].primary_owner_id == world.ids["Dana"]
    assert "no assignment rule" in manual[0].lines[1][1]


def test_member_removed_between_chunks_is_skipped_in_the_next(world):
    _configure(world, [("primary", "round_robin", ["Aisha", "Ben", "Chen"])], False)
    with db.session_scope() as s:
        first = automations.apply_on_create_many(
            s, s.get(Agent, world.agent_id), 2, source="Import", creator_id=None
        )
    with db.session_scope() as s:
        s.exec(delete(Membership).where(Membership.user_id == world.ids["Chen"]))
    with db.session_scope() as s:
        second = automations.apply_on_create_many(
            s, s.get(Agent, world.agent_id), 2, source="Import", creator_id=None
        )
    names = {v: k for k, v in world.ids.items()}
    assert [names[d.primary_owner_id] for d in first + second] == ["Aisha", "Ben", "Aisha", "Ben"]
    assert "skipped 1 member who left the organization" in second[0].lines[1][1]
