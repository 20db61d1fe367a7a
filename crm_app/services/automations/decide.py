"""Running the rules for new contacts: starting stage, Primary and Secondary Admin, round robin."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session, select

from crm_app.models import Agent, AssignmentRule, Stage, utcnow
from crm_app.services import settings_cache
from crm_app.services.automations.rules import METHODS, SLOTS, STRATEGIES, label_of, method_of
from crm_app.services.members import member_name, org_owner_id


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
            self._names[user_id] = member["name"] if member else member_name(self.session, user_id)
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
