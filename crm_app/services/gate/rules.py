"""A Restrict agent's rule: which of its contacts may chat.

`Agent.gate_rule` is {"statuses": [...], "stage_ids": [...]}; {} means every Active
contact. Archived contacts and Blocked ones never chat, whatever the rule says. The rule
is read on every visitor message, so a contact moved out of it loses access at once.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlmodel import Session, select

from crm_app.models import Agent, Contact, Stage
from crm_app.services.errors import ValidationError

ALLOWED_STATUSES = ("Active", "Inactive")  # Blocked never chats
DEFAULT_STATUSES = ("Active",)


@dataclass(frozen=True)
class GateRule:
    statuses: tuple[str, ...]
    stage_ids: tuple[int, ...]  # () = any stage


def rule_of(agent: Agent) -> GateRule:
    raw = agent.gate_rule if isinstance(agent.gate_rule, dict) else {}
    statuses = tuple(s for s in raw.get("statuses") or () if s in ALLOWED_STATUSES)
    stage_ids = tuple(int(i) for i in raw.get("stage_ids") or () if isinstance(i, int))
    return GateRule(statuses=statuses or DEFAULT_STATUSES, stage_ids=stage_ids)


def clean_rule(
    session: Session, agent: Agent, statuses: Iterable[str], stage_ids: Iterable[int]
) -> dict:
    """The stored form of a rule the team chose, or ValidationError naming the input."""
    statuses = [s for s in ALLOWED_STATUSES if s in set(statuses)]
    if not statuses:
        raise ValidationError("Choose at least one contact status.", field="statuses")
    wanted = {int(i) for i in stage_ids}
    known = set(
        session.exec(select(Stage.id).where(Stage.agent_id == agent.id, Stage.id.in_(wanted)))
    )
    if wanted - known:
        raise ValidationError("One of the chosen stages no longer exists.", field="stage_ids")
    return {"statuses": statuses, "stage_ids": sorted(known)}


def allows(rule: GateRule, contact: Contact | None) -> bool:
    return (
        contact is not None
        and contact.archived is False
        and contact.status in rule.statuses
        and (not rule.stage_ids or contact.stage_id in rule.stage_ids)
    )


def contact_allowed(agent: Agent, contact: Contact | None) -> bool:
    return contact is not None and contact.agent_id == agent.id and allows(rule_of(agent), contact)


def _join(words: list[str], last: str = "or") -> str:
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} {last} {words[-1]}"


def describe(session: Session, agent: Agent) -> str:
    """The rule in plain words: "Only Active contacts in stage Customer can chat."."""
    rule = rule_of(agent)
    names: list[str] = []
    if rule.stage_ids:
        names = list(
            session.exec(
                select(Stage.name)
                .where(Stage.agent_id == agent.id, Stage.id.in_(rule.stage_ids))
                .order_by(Stage.position, Stage.id)
            )
        )
        if not names:  # every chosen stage was deleted since: nobody matches
            return "No contact can chat: the chosen stages no longer exist."
    return describe_choice(rule.statuses, names)


def describe_choice(statuses: Iterable[str], stage_names: Iterable[str]) -> str:
    """A rule being edited in plain words (statuses in ALLOWED_STATUSES order, stage names in
    pipeline order): what `describe` says once it is saved. No status: a prompt to pick one."""
    chosen = set(statuses)
    words = [s for s in ALLOWED_STATUSES if s in chosen]
    if not words:
        return "No one can chat: choose at least one contact status."
    who = f"Only {_join(words)} contacts"
    names = list(stage_names)
    if names:
        who += f" in stage{'s' if len(names) > 1 else ''} {_join(names)}"
    return f"{who} can chat."
