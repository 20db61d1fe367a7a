"""A per-process cache of the agent settings every new contact needs: the contact fields,
the pipeline stages with their Contact Stage rules, the Admin Assignment rules and the
members who may own contacts.

The public form path (and the chat, API and import paths) read these for every contact they
create, although they change only when someone edits Settings or the team. Each agent row
carries `settings_rev`, which a flush listener bumps in the same transaction as any change
to those settings (a field, stage, stage rule or assignment rule of the agent — a round-robin
turn excepted —; a membership or user of its organization). A snapshot is used only while its revision equals the revision of the agent
row the caller read in its own transaction, so a committed change is seen by every worker
process on its next request, and a transaction that changed settings itself never reads or
fills the cache (its changes may still roll back).

Snapshots hold transient copies: callers read them and must not add them to a session.
A round-robin rule's pointer moves with every contact, so automations reads those rows again
under lock; the snapshot only tells it whether there is a rotation at all.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from itertools import chain

from sqlalchemy import event, or_, update
from sqlalchemy import inspect as sa_inspect
from sqlalchemy import select as sa_select
from sqlalchemy.orm import attributes
from sqlalchemy.orm.util import identity_key
from sqlmodel import Session, select

from crm_app.models import Agent, AssignmentRule, ContactField, Membership, Stage, StageRule, User
from crm_app.services.members import eligible_members

_CHANGED = "crm_settings_changed"  # session.info flag: this transaction changed settings
_AGENT_SCOPED = (ContactField, Stage, StageRule, AssignmentRule)
_TURN_ONLY = {"pointer", "updated_at"}  # a round-robin turn: not a settings change
_MAX_AGENTS = 1000


@dataclass(frozen=True)
class AgentSettings:
    rev: int
    created_at: object  # of the agent row: another agent that got the same id is not this one
    fields: dict[str, ContactField]  # key -> field (archived fields left out)
    stages: list[Stage]  # pipeline order
    stage_rules: dict[str, int]  # source (e.g. "Form") -> stage id of its Contact Stage rule
    assignment: dict[str, dict[str, AssignmentRule]]  # method -> slot -> rule
    members: dict[int, dict]  # user id -> {"id", "name", "email", "role"}, Owner first


_cache: dict[tuple[str, int], AgentSettings] = {}  # (database URL, agent id) -> snapshot
_lock = threading.Lock()


def for_agent(session: Session, agent: Agent) -> AgentSettings:
    """The agent's settings as of `agent.settings_rev` (read in the caller's transaction)."""
    rev = agent.settings_rev or 0
    key = (str(session.get_bind().url), agent.id)
    if not session.info.get(_CHANGED):
        cached = _cache.get(key)
        if cached is not None and cached.rev == rev and cached.created_at == agent.created_at:
            return cached
    snapshot = _load(session, agent, rev)
    if not session.info.get(_CHANGED):
        with _lock:
            current = _cache.get(key)
            if current is None or current.rev <= rev or current.created_at != agent.created_at:
                if len(_cache) >= _MAX_AGENTS and key not in _cache:
                    _cache.clear()
                _cache[key] = snapshot
    return snapshot


def _copy(obj):
    return type(obj).model_validate(obj.model_dump())


def _load(session: Session, agent: Agent, rev: int) -> AgentSettings:
    fields = session.exec(
        select(ContactField).where(
            ContactField.agent_id == agent.id, ContactField.archived_at.is_(None)
        )
    ).all()
    stages = session.exec(
        select(Stage).where(Stage.agent_id == agent.id).order_by(Stage.position, Stage.id)
    ).all()
    rules = session.exec(
        select(StageRule.method, StageRule.stage_id).where(StageRule.agent_id == agent.id)
    ).all()
    assignment: dict[str, dict[str, AssignmentRule]] = {}
    for rule in session.exec(select(AssignmentRule).where(AssignmentRule.agent_id == agent.id)):
        assignment.setdefault(rule.method, {})[rule.slot] = _copy(rule)
    return AgentSettings(
        rev=rev,
        created_at=agent.created_at,
        fields={f.key: _copy(f) for f in fields},
        stages=[_copy(s) for s in stages],
        stage_rules={method: stage_id for method, stage_id in rules},
        assignment=assignment,
        members=eligible_members(session, agent),
    )


@event.listens_for(Session, "before_flush")
def _bump_on_change(session: Session, _context, _instances) -> None:
    """Bump `settings_rev` of every agent whose cached settings this flush changes."""
    agent_ids: set[int] = set()
    org_ids: set[int] = set()
    user_ids: set[int] = set()
    for obj in chain(
        session.new, session.deleted, (o for o in session.dirty if session.is_modified(o))
    ):
        if isinstance(obj, AssignmentRule) and obj in session.dirty and _only_a_turn(obj):
            continue
        if isinstance(obj, _AGENT_SCOPED):
            agent_ids.add(obj.agent_id)
        elif isinstance(obj, Membership):
            org_ids.add(obj.org_id)
        elif isinstance(obj, User) and obj.id is not None:
            user_ids.add(obj.id)
    if agent_ids or org_ids or user_ids:
        bump(session, agent_ids=agent_ids, org_ids=org_ids, user_ids=user_ids)


def _only_a_turn(rule: AssignmentRule) -> bool:
    state = sa_inspect(rule)
    changed = {attr.key for attr in state.attrs if attr.history.has_changes()}
    return changed <= _TURN_ONLY


_SCOPE = {
    ContactField: "agent_ids",
    Stage: "agent_ids",
    StageRule: "agent_ids",
    AssignmentRule: "agent_ids",
    Membership: "org_ids",
    User: "user_ids",
}


@event.listens_for(Session, "do_orm_execute")
def _bump_on_bulk(state) -> None:
    """The same for `session.execute(update(Stage)…)` / `delete(Membership)…` statements:
    the rows they will touch are looked up with the statement's own WHERE first."""
    if not (state.is_update or state.is_delete) or state.bind_mapper is None:
        return
    entity = state.bind_mapper.class_
    scope = _SCOPE.get(entity)
    if scope is None:
        return
    column = {"agent_ids": "agent_id", "org_ids": "org_id", "user_ids": "id"}[scope]
    query = sa_select(entity.__table__.c[column]).distinct()
    if state.statement.whereclause is not None:
        query = query.where(state.statement.whereclause)
    ids = set(state.session.connection().execute(query).scalars())
    if ids:
        bump(state.session, **{scope: ids})


def bump(session: Session, *, agent_ids=(), org_ids=(), user_ids=()) -> None:
    """Mark these agents' settings (or all agents of these organizations / of these users'
    organizations) as changed, in the caller's transaction."""
    session.info[_CHANGED] = True
    conditions = []
    if agent_ids:
        conditions.append(Agent.id.in_(sorted(agent_ids)))
    if org_ids:
        conditions.append(Agent.org_id.in_(sorted(org_ids)))
    if user_ids:
        conditions.append(
            Agent.org_id.in_(
                sa_select(Membership.org_id).where(Membership.user_id.in_(sorted(user_ids)))
            )
        )
    if not conditions:
        return
    table = Agent.__table__
    rows = (
        session.connection()
        .execute(
            update(table)
            .where(or_(*conditions))
            .values(settings_rev=table.c.settings_rev + 1)
            .returning(table.c.id, table.c.settings_rev)
        )
        .all()
    )
    # Agents already loaded in this session see their new revision without a refresh.
    for agent_id, rev in rows:
        loaded = session.identity_map.get(identity_key(Agent, agent_id))
        if loaded is not None:
            attributes.set_committed_value(loaded, "settings_rev", rev)


@event.listens_for(Session, "after_commit")
@event.listens_for(Session, "after_rollback")
def _end_of_transaction(session: Session) -> None:
    session.info.pop(_CHANGED, None)
