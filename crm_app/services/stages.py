"""Pipeline stages and the agent's CRM defaults.

An agent always has at least one stage. Removing a stage moves its contacts (and the
automation stage rules pointing at it) to another stage of the same agent in the same
transaction, so no contact is ever left without a valid stage.
"""

from __future__ import annotations

from collections.abc import Sequence

import phonenumbers
from sqlalchemy import JSON, Integer, and_, func, insert, literal, update
from sqlmodel import Session, select

from crm_app.models import Activity, Contact, Stage, StageRule, UTCDateTime, utcnow
from crm_app.services import audit
from crm_app.services.access import Actor, require_agent
from crm_app.services.errors import Conflict, NotFound, ValidationError
from crm_app.services.ordering import checked_order, lock_agent, move_one

RESOURCE = "Pipeline Stage"
DEFAULT_STAGES = ("Lead", "Prospect", "Customer", "Old Customer")
MAX_NAME = 60
DUPLICATE_POLICIES = ("skip", "fill", "overwrite")
DUPLICATE_POLICY_LABELS = {
    "skip": "Skip duplicates",
    "fill": "Fill empty fields",
    "overwrite": "Overwrite existing values",
}
# phonenumbers has no English name for these three regions.
_REGION_NAME_FALLBACK = {"AC": "Ascension Island", "TA": "Tristan da Cunha", "XK": "Kosovo"}


# ---------------------------------------------------------------- helpers


def _stages(session: Session, agent_id: int) -> list[Stage]:
    return list(
        session.exec(
            select(Stage).where(Stage.agent_id == agent_id).order_by(Stage.position, Stage.id)
        )
    )


def _stage_of(session: Session, agent_id: int, stage_id) -> Stage:
    stage = (
        session.get(Stage, stage_id)
        if isinstance(stage_id, int) and not isinstance(stage_id, bool)
        else None
    )
    if stage is None or stage.agent_id != agent_id:
        raise NotFound("Stage not found.")
    return stage


def _clean_name(session: Session, agent_id: int, name: str, *, except_id: int | None = None) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise ValidationError("Enter a stage name.", field="name")
    if len(name) > MAX_NAME:
        raise ValidationError(f"A stage name can be at most {MAX_NAME} characters.", field="name")
    for stage in _stages(session, agent_id):
        if stage.id != except_id and stage.name.lower() == name.lower():
            raise Conflict(f"A stage named '{stage.name}' already exists.", field="name")
    return name


def _counts(session: Session, agent_id: int) -> dict[int, int]:
    rows = session.exec(
        select(Contact.stage_id, func.count())
        .where(Contact.agent_id == agent_id, Contact.stage_id.is_not(None))
        .group_by(Contact.stage_id)
    )
    return {stage_id: count for stage_id, count in rows}


def stage_dto(stage: Stage, contact_count: int = 0) -> dict:
    return {
        "id": stage.id,
        "name": stage.name,
        "position": stage.position,
        "contact_count": contact_count,
    }


# ---------------------------------------------------------------- install and read


def install_default_stages(session: Session, agent_id: int) -> list[Stage]:
    """Lead, Prospect, Customer, Old Customer for a new agent (called by create_agent)."""
    rows = [
        Stage(agent_id=agent_id, name=name, position=i) for i, name in enumerate(DEFAULT_STAGES)
    ]
    session.add_all(rows)
    session.flush()
    return rows


def list_stages(session: Session, actor: Actor, agent_id: int) -> list[dict]:
    require_agent(session, actor, agent_id)
    counts = _counts(session, agent_id)
    return [stage_dto(s, counts.get(s.id, 0)) for s in _stages(session, agent_id)]


# ---------------------------------------------------------------- writes


def add_stage(session: Session, actor: Actor, agent_id: int, name: str) -> dict:
    agent = require_agent(session, actor, agent_id, minimum="Admin")
    lock_agent(session, agent.id)
    name = _clean_name(session, agent.id, name)
    top = session.exec(select(func.max(Stage.position)).where(Stage.agent_id == agent.id)).one()
    stage = Stage(agent_id=agent.id, name=name, position=(top if top is not None else -1) + 1)
    session.add(stage)
    session.flush()
    audit.record(
        session, actor, "Create", RESOURCE, f"Added stage '{name}' to agent '{agent.name}'"
    )
    return stage_dto(stage)


def rename_stage(session: Session, actor: Actor, agent_id: int, stage_id: int, name: str) -> dict:
    agent = require_agent(session, actor, agent_id, minimum="Admin")
    lock_agent(session, agent.id)
    stage = _stage_of(session, agent.id, stage_id)
    name = _clean_name(session, agent.id, name, except_id=stage.id)
    if name != stage.name:
        old = stage.name
        stage.name = name
        session.add(stage)
        session.flush()
        audit.record(
            session,
            actor,
            "Update",
            RESOURCE,
            f"Renamed stage '{old}' to '{name}' in agent '{agent.name}'",
        )
    return stage_dto(stage, _counts(session, agent.id).get(stage.id, 0))


def reorder_stages(
    session: Session, actor: Actor, agent_id: int, ordered_ids: Sequence[int]
) -> list[dict]:
    """Put the agent's stages in `ordered_ids` order (must list each stage exactly once)."""
    agent = require_agent(session, actor, agent_id, minimum="Admin")
    lock_agent(session, agent.id)
    stages = {s.id: s for s in _stages(session, agent.id)}
    ids = checked_order(ordered_ids, stages, "stage")
    for position, stage_id in enumerate(ids):
        if stages[stage_id].position != position:
            stages[stage_id].position = position
            session.add(stages[stage_id])
    session.flush()
    audit.record(
        session,
        actor,
        "Update",
        RESOURCE,
        f"Reordered stages in agent '{agent.name}': " + ", ".join(stages[i].name for i in ids),
    )
    return list_stages(session, actor, agent.id)


def move_stage(
    session: Session, actor: Actor, agent_id: int, stage_id: int, direction: str
) -> list[dict]:
    return move_one(
        session, actor, agent_id, stage_id, direction, "stage", _stage_ids, reorder_stages
    )


def _stage_ids(session: Session, agent_id: int) -> list[int]:
    return [s.id for s in _stages(session, agent_id)]


def remove_stage(
    session: Session,
    actor: Actor,
    agent_id: int,
    stage_id: int,
    move_to_stage_id: int | None = None,
) -> dict:
    """Delete a stage; its contacts and stage rules move to `move_to_stage_id`.

    The target is required when the stage has contacts. Stage rules of a stage without
    contacts go to the chosen stage, or else to the first remaining one.
    Returns {"removed": name, "moved_contacts": n, "moved_to": name or ""}.
    """
    agent = require_agent(session, actor, agent_id, minimum="Admin")
    lock_agent(session, agent.id)
    stage = _stage_of(session, agent.id, stage_id)
    others = [s for s in _stages(session, agent.id) if s.id != stage.id]
    if not others:
        raise ValidationError("An agent needs at least one stage.")
    contact_count = _counts(session, agent.id).get(stage.id, 0)
    target: Stage | None = None
    if move_to_stage_id is not None:
        if move_to_stage_id == stage.id:
            raise ValidationError(
                "Choose a different stage to move its contacts to.", field="move_to"
            )
        try:
            target = _stage_of(session, agent.id, move_to_stage_id)
        except NotFound:
            raise ValidationError(
                "Choose a stage of this agent to move its contacts to.", field="move_to"
            ) from None
    elif contact_count:
        raise ValidationError(
            f"This stage has {contact_count} contact{'s' if contact_count != 1 else ''}. "
            "Choose the stage they move to.",
            field="move_to",
        )
    rules_target = target or others[0]
    if contact_count:
        in_stage = and_(Contact.agent_id == agent.id, Contact.stage_id == stage.id)
        # Each moved contact's timeline says why, as a stage change by hand would (one statement).
        message = (
            f"Stage changed from {stage.name} to {target.name} by {actor.display_name} "
            f"(stage {stage.name} was removed)"
        )[:1000]
        line = {
            "contact_id": Contact.id,
            "kind": literal("stage"),
            "actor_type": literal(actor.activity_type),
            "actor_id": literal(actor.activity_id, Integer),
            "actor_label": literal(actor.display_name),
            "message": literal(message),
            "data": literal({"from": stage.id, "to": target.id}, JSON),
            "created_at": literal(utcnow(), UTCDateTime()),
        }
        session.exec(
            insert(Activity).from_select(list(line), select(*line.values()).where(in_stage))
        )
        session.exec(
            update(Contact).where(in_stage).values(stage_id=target.id, updated_at=utcnow())
        )
    session.exec(
        update(StageRule)
        .where(StageRule.agent_id == agent.id, StageRule.stage_id == stage.id)
        .values(stage_id=rules_target.id)
    )
    session.delete(stage)
    for position, other in enumerate(others):
        if other.position != position:
            other.position = position
            session.add(other)
    session.flush()
    moved = f"; {contact_count} contact(s) moved to '{target.name}'" if contact_count else ""
    audit.record(
        session,
        actor,
        "Delete",
        RESOURCE,
        f"Removed stage '{stage.name}' from agent '{agent.name}'{moved}",
    )
    return {
        "removed": stage.name,
        "moved_contacts": contact_count,
        "moved_to": target.name if target else "",
    }


# ---------------------------------------------------------------- agent CRM defaults


def region_name(code: str) -> str:
    # Imported here: the geocoder loads ~0.6 s of place-name data that only this screen uses.
    from phonenumbers import geocoder

    return geocoder._region_display_name(code, "en") or _REGION_NAME_FALLBACK.get(code, code)


def region_choices() -> list[dict]:
    """Every phone region phonenumbers knows, as {"code", "label"} sorted by name."""
    choices = [
        {"code": c, "label": f"{c} — {region_name(c)}"} for c in phonenumbers.SUPPORTED_REGIONS
    ]
    return sorted(choices, key=lambda c: c["label"][5:])


def get_crm_defaults(session: Session, actor: Actor, agent_id: int) -> dict:
    agent = require_agent(session, actor, agent_id)
    return {"phone_region": agent.phone_region, "duplicate_policy": agent.duplicate_policy}


def update_crm_defaults(
    session: Session, actor: Actor, agent_id: int, phone_region: str, duplicate_policy: str
) -> dict:
    agent = require_agent(session, actor, agent_id, minimum="Admin")
    region = (phone_region or "").strip().upper()
    if region not in phonenumbers.SUPPORTED_REGIONS:
        raise ValidationError("Choose a phone region from the list.", field="phone_region")
    if duplicate_policy not in DUPLICATE_POLICIES:
        raise ValidationError("Choose skip, fill or overwrite.", field="duplicate_policy")
    changes = []
    if region != agent.phone_region:
        changes.append(f"phone region {agent.phone_region} → {region}")
        agent.phone_region = region
    if duplicate_policy != agent.duplicate_policy:
        changes.append(f"duplicate policy {agent.duplicate_policy} → {duplicate_policy}")
        agent.duplicate_policy = duplicate_policy
    if changes:
        session.add(agent)
        session.flush()
        audit.record(
            session,
            actor,
            "Update",
            "CRM Settings",
            f"Updated CRM defaults of agent '{agent.name}': " + ", ".join(changes),
        )
    return {"phone_region": agent.phone_region, "duplicate_policy": agent.duplicate_policy}
