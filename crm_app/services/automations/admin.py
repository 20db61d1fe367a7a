"""The Automations settings: reading the rules for the page, saving them (audited)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlmodel import Session, select

from crm_app.models import AssignmentRule, Stage, StageRule, utcnow
from crm_app.services import audit
from crm_app.services.access import Actor, require_agent
from crm_app.services.automations.rules import (
    MAX_ROTATION,
    METHODS,
    RESOURCE,
    SLOTS,
    SOURCES,
    STRATEGIES,
)
from crm_app.services.errors import ValidationError
from crm_app.services.members import eligible_members, member_name


def _rule_dto(
    rule: AssignmentRule | None, slot: str, members: dict[int, dict], session: Session
) -> dict:
    if rule is None:
        return {
            "strategy": "org_owner" if slot == "primary" else "none",
            "member_ids": [],
            "missing": [],
            "configured": False,
        }
    missing = [
        {"id": uid, "name": member_name(session, uid)}
        for uid in rule.member_ids
        if uid not in members
    ]
    return {
        "strategy": rule.strategy,
        "member_ids": list(rule.member_ids),
        "missing": missing,
        "configured": True,
    }


def get_automations(session: Session, actor: Actor, agent_id: int) -> dict:
    """Everything the screen shows. Any member of the agent may look; Admins may change it."""
    agent = require_agent(session, actor, agent_id)
    members = eligible_members(session, agent)
    rules = {
        (r.method, r.slot): r
        for r in session.exec(select(AssignmentRule).where(AssignmentRule.agent_id == agent.id))
    }
    stages = list(
        session.exec(
            select(Stage).where(Stage.agent_id == agent.id).order_by(Stage.position, Stage.id)
        )
    )
    stage_rules = {
        r.method: r.stage_id
        for r in session.exec(select(StageRule).where(StageRule.agent_id == agent.id))
    }
    stage_ids = {s.id for s in stages}
    first = stages[0].id if stages else None
    return {
        "agent_name": agent.name,
        "can_edit": actor.is_admin,
        "members": list(members.values()),
        "assignment": {
            method: {
                slot: _rule_dto(rules.get((method, slot)), slot, members, session) for slot in SLOTS
            }
            for method in METHODS
        },
        "stages": [{"id": s.id, "name": s.name} for s in stages],
        "stage_rules": {
            src: (stage_rules[src] if stage_rules.get(src) in stage_ids else first)
            for src in SOURCES
        },
    }


def _clean_slot(
    method: str, slot: str, raw: Mapping[str, Any] | None, members: dict[int, dict]
) -> tuple[str, list[int]]:
    raw = raw or {}
    strategy = raw.get("strategy") or ("org_owner" if slot == "primary" else "none")
    if strategy not in STRATEGIES:
        raise ValidationError("Choose how this admin is assigned.", field=slot)
    if strategy == "creator" and method != "manual":
        raise ValidationError(
            "Creator of the contact is only available for manually created contacts.", field=slot
        )
    ids: list[int] = []
    for value in raw.get("member_ids") or []:
        uid = (
            int(value)
            if isinstance(value, int) or (isinstance(value, str) and value.isdigit())
            else None
        )
        if uid is None or isinstance(value, bool):
            raise ValidationError("Choose members from the list.", field=slot)
        ids.append(uid)
    label = SLOTS[slot]
    if strategy == "selected":
        if len(ids) != 1:
            raise ValidationError(f"Choose the member who becomes {label}.", field=slot)
    elif strategy == "round_robin":
        if len(set(ids)) != len(ids):
            raise ValidationError("Each member can be in the Round Robin only once.", field=slot)
        if len(ids) < 2:
            raise ValidationError("A Round Robin needs at least two members.", field=slot)
        if len(ids) > MAX_ROTATION:
            raise ValidationError(
                f"A Round Robin can have at most {MAX_ROTATION} members.", field=slot
            )
    else:
        ids = []
    gone = [uid for uid in ids if uid not in members]
    if gone:
        raise ValidationError(
            "Someone in this rule is no longer a member of this agent's team. Remove them and save again.",
            field=slot,
        )
    return strategy, ids


def _describe(strategy: str, ids: list[int], members: dict[int, dict]) -> str:
    if strategy in ("selected", "round_robin"):
        return f"{STRATEGIES[strategy]} ({', '.join(members[i]['name'] for i in ids)})"
    return STRATEGIES[strategy]


def save_assignment(
    session: Session,
    actor: Actor,
    agent_id: int,
    method: str,
    primary: Mapping[str, Any] | None,
    secondary: Mapping[str, Any] | None,
) -> dict:
    """Save the Primary and Secondary Admin rules of one creation method (Admin+).

    A rotation whose strategy and member order are unchanged keeps its place; a changed
    one starts again at its first member. Raises ValidationError with field primary|secondary.
    """
    agent = require_agent(session, actor, agent_id, minimum="Admin")
    if method not in METHODS:
        raise ValidationError("Unknown creation method.", field="method")
    members = eligible_members(session, agent)
    cleaned = {
        "primary": _clean_slot(method, "primary", primary, members),
        "secondary": _clean_slot(method, "secondary", secondary, members),
    }
    (p_strategy, p_ids), (s_strategy, s_ids) = cleaned["primary"], cleaned["secondary"]
    both = set(p_ids) & set(s_ids)
    if both:
        name = members[next(iter(both))]["name"]
        raise ValidationError(
            f"{name} is already chosen as Primary Admin. A member cannot be both.",
            field="secondary",
        )
    if s_strategy == p_strategy and s_strategy in ("creator", "org_owner"):
        raise ValidationError(
            f"Primary and Secondary Admin cannot both be {STRATEGIES[s_strategy]}.",
            field="secondary",
        )
    query = (
        select(AssignmentRule)
        .where(AssignmentRule.agent_id == agent.id, AssignmentRule.method == method)
        .order_by(AssignmentRule.slot)
        .with_for_update()
    )
    existing = {r.slot: r for r in session.exec(query)}
    changes = []
    for slot, (strategy, ids) in cleaned.items():
        rule = existing.get(slot)
        if rule is not None and rule.strategy == strategy and list(rule.member_ids) == ids:
            continue
        if rule is None:
            rule = AssignmentRule(agent_id=agent.id, method=method, slot=slot, strategy=strategy)
        rule.strategy, rule.member_ids, rule.pointer, rule.updated_at = strategy, ids, 0, utcnow()
        session.add(rule)
        changes.append(f"{SLOTS[slot]}: {_describe(strategy, ids, members)}")
    if changes:
        session.flush()
        audit.record(
            session,
            actor,
            "Update",
            RESOURCE,
            f"Admin Assignment of agent '{agent.name}' for {METHODS[method]} — "
            + "; ".join(changes),
        )
    return {"changed": bool(changes), "method": method}


def save_stage_rules(
    session: Session, actor: Actor, agent_id: int, by_source: Mapping[str, Any]
) -> dict:
    """Save the starting stage per source (Admin+). Sources left out keep their rule."""
    agent = require_agent(session, actor, agent_id, minimum="Admin")
    stages = {s.id: s for s in session.exec(select(Stage).where(Stage.agent_id == agent.id))}
    wanted: dict[str, int] = {}
    for source, value in (by_source or {}).items():
        if source not in SOURCES:
            raise ValidationError("Unknown contact source.", field="stages")
        sid = (
            int(value)
            if isinstance(value, int) or (isinstance(value, str) and value.isdigit())
            else None
        )
        if sid is None or isinstance(value, bool) or sid not in stages:
            raise ValidationError(
                f"Choose a stage of this agent for contacts via {source}.", field=source
            )
        wanted[source] = sid
    current = {
        r.method: r for r in session.exec(select(StageRule).where(StageRule.agent_id == agent.id))
    }
    first = min(stages.values(), key=lambda s: (s.position, s.id)).id if stages else None
    changes = []
    for source in SOURCES:
        if source not in wanted:
            continue
        rule = current.get(source)
        before = rule.stage_id if rule is not None else first
        if rule is not None and rule.stage_id == wanted[source]:
            continue
        if rule is None:
            rule = StageRule(agent_id=agent.id, method=source, stage_id=wanted[source])
        rule.stage_id = wanted[source]
        session.add(rule)
        if before != wanted[source]:
            changes.append(f"via {source}: {stages[wanted[source]].name}")
    session.flush()
    if changes:
        audit.record(
            session,
            actor,
            "Update",
            RESOURCE,
            f"Contact Stage of agent '{agent.name}' — " + "; ".join(changes),
        )
    return {"changed": bool(changes)}
