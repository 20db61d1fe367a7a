"""What happens automatically when a contact is created.

`decide_on_create` runs inside the single contact-creation transaction
(services/contacts.py `_create`) for every source, before the contact is inserted. It
decides the starting stage and the Primary/Secondary Admin of the new contact and one
Activity line per decision saying which rule (and which round-robin turn) chose it.

Rules are kept per agent and creation method: `manual` (sources Manual, Import — the
creating member is the "creator") and `captured` (Chat, Form, API, Payment). With no rule
the contact goes to the organization owner. Decisions, written down:

- Eligible owners are current members of the organization who can work in the agent
  (Owners, Admins, and Users given the agent). A member who left is skipped at run time;
  saving a rule that names a non-member is refused.
- Round robin keeps a `pointer` per agent+method+slot: the number of turns taken. The
  turn for sequence number `s` is `member_ids[s % n]`. The pointer advances in the same
  transaction as the contact insert, under a row lock on PostgreSQL (SELECT … FOR UPDATE)
  and under SQLite's single writer (our engine begins every transaction IMMEDIATE), so two
  concurrent contacts never share a turn.
- Primary and secondary never name the same member for one contact. The primary is chosen
  first; when the secondary's turn would be that member (or a member who left), the
  secondary moves on to the next eligible member of its list, and the rotation continues
  after the member it chose. A fixed secondary (selected, creator, org owner) that equals
  the primary leaves the secondary empty. Saving refuses a member in both slots.
- A primary rule that cannot choose anyone (selected member left, no eligible member in
  the rotation, no creator) falls back to the organization owner; a secondary stays empty.
- Starting stage: one rule per source (Manual, Import, Chat, Form, API, Payment); without
  a rule the agent's first pipeline stage (`Lead` by default).
- Saving rules affects only contacts created afterwards; saves are audited.

`apply_on_create_many` is the import's entry point: the same decisions for a whole chunk of
new contacts with the rules read (and the rotation rows locked) once; both entry points run
the same `_decide`, so a batch equals the contacts created one by one.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session, select

from crm_app.models import Agent, AssignmentRule, Membership, Stage, StageRule, User, utcnow
from crm_app.services import audit, settings_cache
from crm_app.services.access import Actor, require_agent
from crm_app.services.errors import ValidationError

RESOURCE = "Automation"
MANUAL_SOURCES = ("Manual", "Import")
SOURCES = ("Manual", "Import", "Chat", "Form", "API", "Payment")
METHODS = {"manual": "Manually created contact", "captured": "Agent captured contact"}
SLOTS = {"primary": "Primary Admin", "secondary": "Secondary Admin"}
STRATEGIES = {
    "creator": "Creator of the contact",
    "org_owner": "Owner of the Org",
    "selected": "Selected Admin",
    "round_robin": "Round Robin",
    "none": "None",
}
MAX_ROTATION = 50


def method_of(source: str) -> str:
    """Admin Assignment groups: `Manually created contact` vs `Agent captured contact`."""
    return "manual" if source in MANUAL_SOURCES else "captured"


def strategies_for(method: str) -> list[str]:
    return [s for s in STRATEGIES if method == "manual" or s != "creator"]


# ---------------------------------------------------------------- members


def _name(user: User) -> str:
    return f"{user.first_name} {user.last_name}".strip() or user.email


def eligible_members(session: Session, agent: Agent) -> dict[int, dict]:
    """Members of the agent's organization who can work in it: user id -> DTO, Owner first."""
    rows = session.exec(
        select(Membership, User).where(
            Membership.org_id == agent.org_id, Membership.user_id == User.id
        )
    ).all()
    rank = {"Owner": 0, "Admin": 1, "User": 2}
    out = [
        (
            rank.get(m.role, 3),
            _name(u).lower(),
            u.id,
            {"id": u.id, "name": _name(u), "email": u.email, "role": m.role},
        )
        for m, u in rows
        if m.role in ("Owner", "Admin") or agent.id in (m.agent_ids or [])
    ]
    return {row[2]: row[3] for row in sorted(out)}


def org_owner_id(session: Session, org_id: int) -> int | None:
    row = session.exec(
        select(Membership).where(Membership.org_id == org_id, Membership.role == "Owner")
    ).first()
    return row.user_id if row else None


def _user_name(session: Session, user_id: int | None) -> str:
    user = session.get(User, user_id) if user_id else None
    return _name(user) if user else "a former member"


# ---------------------------------------------------------------- running the rules


@dataclass
class _Choice:
    user_id: int | None
    how: str  # e.g. "Round Robin (turn 2 of 3)"
    data: dict = field(default_factory=dict)
    note: str = ""  # why the rule could not choose (for fallbacks)


@dataclass
class Decision:
    """What the automations decided for one new contact: the values to store and the
    timeline lines (kind, message, data) to write, in order."""

    stage_id: int | None = None
    primary_owner_id: int | None = None
    secondary_owner_id: int | None = None
    lines: list[tuple[str, str, dict]] = field(default_factory=list)
    context: Any = field(
        default=None, repr=False, compare=False
    )  # decide_on_create: for undo_decision

    def activity_rows(self, contact_id: str, created_at) -> list[dict]:
        """The lines as Activity insert values (Core executemany)."""
        return [
            {
                "contact_id": contact_id,
                "kind": kind,
                "actor_type": "automation",
                "actor_id": None,
                "actor_label": "Automation",
                "message": message[:1000],
                "data": data,
                "created_at": created_at,
            }
            for kind, message, data in self.lines
        ]


class _Context:
    """The rules of one agent and source, read once (lazily) and reused for every contact
    of a batch; the round-robin rows are locked on first use and their pointers advance in
    memory (the caller's flush writes each rule once)."""

    def __init__(self, session: Session, agent: Agent, source: str, creator_id: int | None):
        self.session, self.agent, self.source, self.creator_id = session, agent, source, creator_id
        self.method = method_of(source)
        self._stage: tuple | None = None
        self._rules: dict[str, AssignmentRule] | None = None
        self._members: dict[int, dict] | None = None
        self._owner: tuple[int | None] | None = None
        self._names: dict[int | None, str] = {}
        self._turns: dict[str, tuple] = {}

    def stage(self) -> tuple[Stage | None, str]:
        if self._stage is None:
            # The agent's stages in pipeline order and the one the source's rule names.
            settings = settings_cache.for_agent(self.session, self.agent)
            ruled_id = settings.stage_rules.get(self.source)
            ruled = next((stage for stage in settings.stages if stage.id == ruled_id), None)
            if ruled is not None:
                self._stage = (ruled, f"Contact Stage rule for via {self.source}")
            else:
                first = settings.stages[0] if settings.stages else None
                self._stage = (first, "the first pipeline stage; no Contact Stage rule")
        return self._stage

    def rules(self) -> dict[str, AssignmentRule]:
        if self._rules is None:
            cached = settings_cache.for_agent(self.session, self.agent).assignment.get(
                self.method, {}
            )
            if any(r.strategy == "round_robin" for r in cached.values()):
                # A rotation: take its rows' locks (in slot order, so callers never deadlock)
                # and read them again: the pointer we advance is the one the last creator committed.
                query = (
                    select(AssignmentRule)
                    .where(
                        AssignmentRule.agent_id == self.agent.id,
                        AssignmentRule.method == self.method,
                    )
                    .order_by(AssignmentRule.slot)
                    .with_for_update()
                    .execution_options(populate_existing=True)
                )
                self._rules = {r.slot: r for r in self.session.exec(query)}
                self._turns = {slot: (r.pointer, r.updated_at) for slot, r in self._rules.items()}
            else:
                self._rules = cached  # read-only copies: nothing in them changes
        return self._rules

    def locked_rules(self) -> list[AssignmentRule]:
        """The rotation rows read under lock, whose advanced pointers the caller writes."""
        return [rule for slot, rule in (self._rules or {}).items() if slot in self._turns]

    def undo_turns(self) -> None:
        """Put the round-robin pointers back where they were read (nothing was created)."""
        for slot, rule in (self._rules or {}).items():
            if slot in self._turns:
                rule.pointer, rule.updated_at = self._turns[slot]

    def members(self) -> dict[int, dict]:
        if self._members is None:
            self._members = settings_cache.for_agent(self.session, self.agent).members
        return self._members

    def org_owner(self) -> int | None:
        if self._owner is None:
            # An organization has exactly one Owner, and the Owner is always eligible: take
            # it from the members already read (a query only if that ever stops holding).
            owners = [uid for uid, m in self.members().items() if m["role"] == "Owner"]
            self._owner = (
                owners[0] if len(owners) == 1 else org_owner_id(self.session, self.agent.org_id),
            )
        return self._owner[0]

    def user_name(self, user_id: int | None) -> str:
        if user_id not in self._names:
            member = self.members().get(user_id) if user_id else None
            self._names[user_id] = member["name"] if member else _user_name(self.session, user_id)
        return self._names[user_id]


def decide_on_create(
    session: Session, agent: Agent, *, source: str, creator_id: int | None
) -> Decision:
    """Stage, owners and timeline lines for one new contact (no stage or owner yet), decided
    *before* the contact is inserted so the insert carries the values (contacts.save_contact).
    Round-robin turns are taken under the same lock and advance the rule in the session;
    if the insert then finds the person already exists, `undo_decision` gives the turn back.
    The caller writes `decision.lines` as Activity rows."""
    context = _Context(session, agent, source, creator_id)
    decision = _decide(context, None, None, None)
    decision.context = context
    for rule in context.locked_rules():
        session.add(rule)
    return decision


def undo_decision(decision: Decision) -> None:
    """Nothing was created after all: round-robin pointers go back to what was read."""
    if decision.context is not None:
        decision.context.undo_turns()


def apply_on_create_many(
    session: Session, agent: Agent, count: int, *, source: str, creator_id: int | None
) -> list[Decision]:
    """decide_on_create for `count` new contacts (in creation order), reading the rules
    once: one Decision each, exactly what decide_on_create called contact by contact
    would have decided. Round-robin turns are taken under the
    same lock (SELECT … FOR UPDATE on PostgreSQL; SQLite's BEGIN IMMEDIATE) and the
    pointers advance in memory — the caller's transaction writes each rule once. The
    caller inserts the contacts with the decided values and the Activity rows."""
    if count <= 0:
        return []
    context = _Context(session, agent, source, creator_id)
    decisions = [_decide(context, None, None, None) for _ in range(count)]
    for rule in context.locked_rules():
        session.add(rule)
    return decisions


def _decide(
    context: _Context, stage_id: int | None, primary: int | None, secondary: int | None
) -> Decision:
    decision = Decision(stage_id, primary, secondary)
    if stage_id is None:
        _set_starting_stage(context, decision)
    if primary is None and secondary is None:
        assign_owners(context, decision)
    return decision


def _set_starting_stage(context: _Context, decision: Decision) -> None:
    stage, why = context.stage()
    if stage is None:
        return
    decision.stage_id = stage.id
    decision.lines.append(
        (
            "stage",
            f"Started in stage {stage.name} ({why})",
            {"rule": "stage", "source": context.source, "stage_id": stage.id},
        )
    )


def assign_owners(context: _Context, decision: Decision) -> None:
    method = context.method
    rules = context.rules()
    members = context.members()
    label = f"{METHODS[method]}, "
    primary_rule = rules.get("primary")
    if primary_rule is None:
        owner = context.org_owner()
        decision.primary_owner_id = owner
        decision.lines.append(
            (
                "owner",
                f"Assigned to {context.user_name(owner)}, the organization owner (no assignment rule) — "
                f"{label}Primary Admin",
                {"rule": "default", "method": method, "slot": "primary", "user_id": owner},
            )
        )
    else:
        _apply_slot(context, decision, primary_rule, members, None, label)
    secondary_rule = rules.get("secondary")
    if secondary_rule is not None and secondary_rule.strategy != "none":
        _apply_slot(context, decision, secondary_rule, members, decision.primary_owner_id, label)


def _apply_slot(
    context: _Context,
    decision: Decision,
    rule: AssignmentRule,
    members: dict[int, dict],
    exclude: int | None,
    label: str,
) -> None:
    slot_label = SLOTS[rule.slot]
    data = {"rule": rule.strategy, "method": rule.method, "slot": rule.slot}
    if rule.strategy == "none":
        decision.lines.append(
            (
                "owner",
                f"No {slot_label} assigned (rule: None) — {label}{slot_label}",
                data | {"user_id": None},
            )
        )
        return
    choice = _choose(context, rule, members, exclude)
    if choice.user_id is None and rule.slot == "primary":
        owner = context.org_owner()
        reason = f"{label_of(rule)}: {choice.note}"
        choice = _Choice(owner, "default", {"fallback": True, "reason": reason})
        message = (
            f"Assigned to {context.user_name(owner)}, the organization owner ({reason}) — "
            f"{label}{slot_label}"
        )
    elif choice.user_id is None:
        message = f"No {slot_label} assigned ({choice.note}) — {label}{slot_label}"
    else:
        message = (
            f"Assigned to {members[choice.user_id]['name']} by {choice.how} — {label}{slot_label}"
        )
        if choice.note:
            message += f" ({choice.note})"
    if rule.slot == "primary":
        decision.primary_owner_id = choice.user_id
    else:
        decision.secondary_owner_id = choice.user_id
    decision.lines.append(("owner", message, data | choice.data | {"user_id": choice.user_id}))


def _choose(
    context: _Context, rule: AssignmentRule, members: dict[int, dict], exclude: int | None
) -> _Choice:
    label = STRATEGIES[rule.strategy]

    def fixed(user_id: int | None, missing: str) -> _Choice:
        if user_id is None or user_id not in members:
            return _Choice(None, label, note=missing)
        if user_id == exclude:
            return _Choice(
                None, label, note=f"{members[user_id]['name']} is already the Primary Admin"
            )
        return _Choice(user_id, label)

    if rule.strategy == "creator":
        return fixed(
            context.creator_id if rule.method == "manual" else None,
            "the creator is not a member of this agent",
        )
    if rule.strategy == "org_owner":
        return fixed(context.org_owner(), "the organization has no owner")
    if rule.strategy == "selected":
        selected = rule.member_ids[0] if rule.member_ids else None
        return fixed(selected, f"{context.user_name(selected)} is no longer a member")
    if rule.strategy == "round_robin":
        return _next_turn(rule, members, exclude)
    return _Choice(None, label, note=f"unknown rule {rule.strategy!r}")


def _next_turn(rule: AssignmentRule, members: dict[int, dict], exclude: int | None) -> _Choice:
    """The next eligible member of the rotation; advances the (locked) pointer past it."""
    order = list(rule.member_ids or [])
    n = len(order)
    left = 0
    passed_primary = False
    for step in range(n):
        sequence = rule.pointer + step
        user_id = order[sequence % n]
        if user_id not in members:
            left += 1
            continue
        if user_id == exclude:
            passed_primary = True
            continue
        rule.pointer = sequence + 1
        rule.updated_at = utcnow()
        notes = []
        if left:
            notes.append(
                f"skipped {left} member{'s' if left != 1 else ''} who left the organization"
            )
        if passed_primary:
            notes.append(f"skipped {members[exclude]['name']}, the Primary Admin")
        turn = sequence % n + 1
        return _Choice(
            user_id,
            f"Round Robin (turn {turn} of {n})",
            {"turn": turn, "of": n, "sequence": sequence},
            note="; ".join(notes),
        )
    return _Choice(None, "Round Robin", note="no member of the Round Robin can take it")


def label_of(rule: AssignmentRule) -> str:
    return STRATEGIES.get(rule.strategy, rule.strategy)


# ---------------------------------------------------------------- the Automations screen


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
        {"id": uid, "name": _user_name(session, uid)}
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
