"""What happens automatically when a contact is created (PRODUCT.md §6).

`apply_on_create` runs inside the single contact-creation transaction
(services/contacts.py `_create`) for every source. It sets the starting stage and the
Primary/Secondary Admin of the new contact and writes one Activity line per decision
saying which rule (and which round-robin turn) chose it.

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
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

from sqlmodel import Session, select

from crm_app.models import Activity, Agent, AssignmentRule, Contact, Membership, Stage, StageRule, User, utcnow
from crm_app.services import audit
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
        select(Membership, User).where(Membership.org_id == agent.org_id, Membership.user_id == User.id)
    ).all()
    rank = {"Owner": 0, "Admin": 1, "User": 2}
    out = [
        (rank.get(m.role, 3), _name(u).lower(), u.id, {"id": u.id, "name": _name(u), "email": u.email, "role": m.role})
        for m, u in rows
        if m.role in ("Owner", "Admin") or agent.id in (m.agent_ids or [])
    ]
    return {row[2]: row[3] for row in sorted(out)}


def org_owner_id(session: Session, org_id: int) -> int | None:
    row = session.exec(select(Membership).where(Membership.org_id == org_id, Membership.role == "Owner")).first()
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


def apply_on_create(session: Session, agent: Agent, contact: Contact, *, source: str, creator_id: int | None) -> None:
    """Starting stage and owners of a just-inserted contact, in the caller's transaction."""
    if contact.stage_id is None:
        _set_starting_stage(session, agent, contact, source)
    if contact.primary_owner_id is None and contact.secondary_owner_id is None:
        assign_owners(session, agent, contact, method_of(source), creator_id)
    session.add(contact)


def _set_starting_stage(session: Session, agent: Agent, contact: Contact, source: str) -> None:
    rule = session.exec(select(StageRule).where(StageRule.agent_id == agent.id, StageRule.method == source)).first()
    stage = session.get(Stage, rule.stage_id) if rule is not None else None
    why = f"Contact Stage rule for via {source}"
    if stage is None or stage.agent_id != agent.id:
        stage = _first_stage(session, agent.id)
        why = "the first pipeline stage; no Contact Stage rule"
    if stage is None:
        return
    contact.stage_id = stage.id
    _log(session, contact, "stage", f"Started in stage {stage.name} ({why})",
         {"rule": "stage", "source": source, "stage_id": stage.id})


def _first_stage(session: Session, agent_id: int) -> Stage | None:
    return session.exec(select(Stage).where(Stage.agent_id == agent_id).order_by(Stage.position, Stage.id)).first()


def starting_stage_id(session: Session, agent_id: int, source: str) -> int | None:
    rule = session.exec(select(StageRule).where(StageRule.agent_id == agent_id, StageRule.method == source)).first()
    if rule is not None:
        return rule.stage_id
    first = _first_stage(session, agent_id)
    return first.id if first else None


def _rules(session: Session, agent_id: int, method: str) -> dict[str, AssignmentRule]:
    query = select(AssignmentRule).where(AssignmentRule.agent_id == agent_id, AssignmentRule.method == method)
    rules = {r.slot: r for r in session.exec(query)}
    if any(r.strategy == "round_robin" for r in rules.values()):
        # Take the rotation rows' locks (in slot order, so callers never deadlock) and
        # re-read them: the pointer we advance is the one committed by the last creator.
        locked = query.order_by(AssignmentRule.slot).with_for_update().execution_options(populate_existing=True)
        rules = {r.slot: r for r in session.exec(locked)}
    return rules


def assign_owners(session: Session, agent: Agent, contact: Contact, method: str, creator_id: int | None) -> None:
    rules = _rules(session, agent.id, method)
    members = eligible_members(session, agent)
    context = f"{METHODS[method]}, "
    primary_rule = rules.get("primary")
    if primary_rule is None:
        owner = org_owner_id(session, agent.org_id)
        contact.primary_owner_id = owner
        _log(session, contact, "owner",
             f"Assigned to {_user_name(session, owner)}, the organization owner (no assignment rule) — "
             f"{context}Primary Admin",
             {"rule": "default", "method": method, "slot": "primary", "user_id": owner})
    else:
        _apply_slot(session, agent, contact, primary_rule, members, creator_id, None, context)
    secondary_rule = rules.get("secondary")
    if secondary_rule is not None and secondary_rule.strategy != "none":
        _apply_slot(session, agent, contact, secondary_rule, members, creator_id, contact.primary_owner_id, context)


def _apply_slot(session: Session, agent: Agent, contact: Contact, rule: AssignmentRule, members: dict[int, dict],
                creator_id: int | None, exclude: int | None, context: str) -> None:
    slot_label = SLOTS[rule.slot]
    data = {"rule": rule.strategy, "method": rule.method, "slot": rule.slot}
    if rule.strategy == "none":
        _log(session, contact, "owner", f"No {slot_label} assigned (rule: None) — {context}{slot_label}",
             data | {"user_id": None})
        return
    choice = _choose(session, agent, rule, members, creator_id, exclude)
    if choice.user_id is None and rule.slot == "primary":
        owner = org_owner_id(session, agent.org_id)
        reason = f"{label_of(rule)}: {choice.note}"
        choice = _Choice(owner, "default", {"fallback": True, "reason": reason})
        message = (f"Assigned to {_user_name(session, owner)}, the organization owner ({reason}) — "
                   f"{context}{slot_label}")
    elif choice.user_id is None:
        message = f"No {slot_label} assigned ({choice.note}) — {context}{slot_label}"
    else:
        message = f"Assigned to {members[choice.user_id]['name']} by {choice.how} — {context}{slot_label}"
        if choice.note:
            message += f" ({choice.note})"
    setattr(contact, "primary_owner_id" if rule.slot == "primary" else "secondary_owner_id", choice.user_id)
    _log(session, contact, "owner", message, data | choice.data | {"user_id": choice.user_id})


def _choose(session: Session, agent: Agent, rule: AssignmentRule, members: dict[int, dict],
            creator_id: int | None, exclude: int | None) -> _Choice:
    label = STRATEGIES[rule.strategy]

    def fixed(user_id: int | None, missing: str) -> _Choice:
        if user_id is None or user_id not in members:
            return _Choice(None, label, note=missing)
        if user_id == exclude:
            return _Choice(None, label, note=f"{members[user_id]['name']} is already the Primary Admin")
        return _Choice(user_id, label)

    if rule.strategy == "creator":
        return fixed(creator_id if rule.method == "manual" else None, "the creator is not a member of this agent")
    if rule.strategy == "org_owner":
        return fixed(org_owner_id(session, agent.org_id), "the organization has no owner")
    if rule.strategy == "selected":
        selected = rule.member_ids[0] if rule.member_ids else None
        return fixed(selected, f"{_user_name(session, selected)} is no longer a member")
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
            notes.append(f"skipped {left} member{'s' if left != 1 else ''} who left the organization")
        if passed_primary:
            notes.append(f"skipped {members[exclude]['name']}, the Primary Admin")
        turn = sequence % n + 1
        return _Choice(user_id, f"Round Robin (turn {turn} of {n})",
                       {"turn": turn, "of": n, "sequence": sequence}, note="; ".join(notes))
    return _Choice(None, "Round Robin", note="no member of the Round Robin can take it")


def label_of(rule: AssignmentRule) -> str:
    return STRATEGIES.get(rule.strategy, rule.strategy)


def _log(session: Session, contact: Contact, kind: str, message: str, data: dict) -> None:
    session.add(Activity(contact_id=contact.id, kind=kind, actor_type="automation", actor_label="Automation",
                         message=message[:1000], data=data))


# ---------------------------------------------------------------- the Automations screen


def _rule_dto(rule: AssignmentRule | None, slot: str, members: dict[int, dict], session: Session) -> dict:
    if rule is None:
        return {"strategy": "org_owner" if slot == "primary" else "none", "member_ids": [], "missing": [],
                "configured": False}
    missing = [{"id": uid, "name": _user_name(session, uid)} for uid in rule.member_ids if uid not in members]
    return {"strategy": rule.strategy, "member_ids": list(rule.member_ids), "missing": missing, "configured": True}


def get_automations(session: Session, actor: Actor, agent_id: int) -> dict:
    """Everything the screen shows. Any member of the agent may look; Admins may change it."""
    agent = require_agent(session, actor, agent_id)
    members = eligible_members(session, agent)
    rules = {(r.method, r.slot): r for r in session.exec(select(AssignmentRule).where(AssignmentRule.agent_id == agent.id))}
    stages = list(session.exec(select(Stage).where(Stage.agent_id == agent.id).order_by(Stage.position, Stage.id)))
    stage_rules = {r.method: r.stage_id for r in session.exec(select(StageRule).where(StageRule.agent_id == agent.id))}
    stage_ids = {s.id for s in stages}
    first = stages[0].id if stages else None
    return {
        "agent_name": agent.name,
        "can_edit": actor.is_admin,
        "members": list(members.values()),
        "assignment": {
            method: {slot: _rule_dto(rules.get((method, slot)), slot, members, session) for slot in SLOTS}
            for method in METHODS
        },
        "stages": [{"id": s.id, "name": s.name} for s in stages],
        "stage_rules": {src: (stage_rules[src] if stage_rules.get(src) in stage_ids else first) for src in SOURCES},
    }


def _clean_slot(method: str, slot: str, raw: Mapping[str, Any] | None, members: dict[int, dict]) -> tuple[str, list[int]]:
    raw = raw or {}
    strategy = raw.get("strategy") or ("org_owner" if slot == "primary" else "none")
    if strategy not in STRATEGIES:
        raise ValidationError("Choose how this admin is assigned.", field=slot)
    if strategy == "creator" and method != "manual":
        raise ValidationError("Creator of the contact is only available for manually created contacts.", field=slot)
    ids: list[int] = []
    for value in raw.get("member_ids") or []:
        uid = int(value) if isinstance(value, int) or (isinstance(value, str) and value.isdigit()) else None
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
            raise ValidationError(f"A Round Robin can have at most {MAX_ROTATION} members.", field=slot)
    else:
        ids = []
    gone = [uid for uid in ids if uid not in members]
    if gone:
        raise ValidationError(
            "Someone in this rule is no longer a member of this agent's team. Remove them and save again.", field=slot)
    return strategy, ids


def _describe(strategy: str, ids: list[int], members: dict[int, dict]) -> str:
    if strategy in ("selected", "round_robin"):
        return f"{STRATEGIES[strategy]} ({', '.join(members[i]['name'] for i in ids)})"
    return STRATEGIES[strategy]


def save_assignment(session: Session, actor: Actor, agent_id: int, method: str,
                    primary: Mapping[str, Any] | None, secondary: Mapping[str, Any] | None) -> dict:
    """Save the Primary and Secondary Admin rules of one creation method (Admin+).

    A rotation whose strategy and member order are unchanged keeps its place; a changed
    one starts again at its first member. Raises ValidationError with field primary|secondary.
    """
    agent = require_agent(session, actor, agent_id, minimum="Admin")
    if method not in METHODS:
        raise ValidationError("Unknown creation method.", field="method")
    members = eligible_members(session, agent)
    cleaned = {"primary": _clean_slot(method, "primary", primary, members),
               "secondary": _clean_slot(method, "secondary", secondary, members)}
    (p_strategy, p_ids), (s_strategy, s_ids) = cleaned["primary"], cleaned["secondary"]
    both = set(p_ids) & set(s_ids)
    if both:
        name = members[next(iter(both))]["name"]
        raise ValidationError(f"{name} is already chosen as Primary Admin. A member cannot be both.",
                              field="secondary")
    if s_strategy == p_strategy and s_strategy in ("creator", "org_owner"):
        raise ValidationError(f"Primary and Secondary Admin cannot both be {STRATEGIES[s_strategy]}.",
                              field="secondary")
    query = (select(AssignmentRule)
             .where(AssignmentRule.agent_id == agent.id, AssignmentRule.method == method)
             .order_by(AssignmentRule.slot).with_for_update())
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
        audit.record(session, actor, "Update", RESOURCE,
                     f"Admin Assignment of agent '{agent.name}' for {METHODS[method]} — " + "; ".join(changes))
    return {"changed": bool(changes), "method": method}


def save_stage_rules(session: Session, actor: Actor, agent_id: int, by_source: Mapping[str, Any]) -> dict:
    """Save the starting stage per source (Admin+). Sources left out keep their rule."""
    agent = require_agent(session, actor, agent_id, minimum="Admin")
    stages = {s.id: s for s in session.exec(select(Stage).where(Stage.agent_id == agent.id))}
    wanted: dict[str, int] = {}
    for source, value in (by_source or {}).items():
        if source not in SOURCES:
            raise ValidationError("Unknown contact source.", field="stages")
        sid = int(value) if isinstance(value, int) or (isinstance(value, str) and value.isdigit()) else None
        if sid is None or isinstance(value, bool) or sid not in stages:
            raise ValidationError(f"Choose a stage of this agent for contacts via {source}.", field=source)
        wanted[source] = sid
    current = {r.method: r for r in session.exec(select(StageRule).where(StageRule.agent_id == agent.id))}
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
        audit.record(session, actor, "Update", RESOURCE,
                     f"Contact Stage of agent '{agent.name}' — " + "; ".join(changes))
    return {"changed": bool(changes)}
