"""Agent settings → Visibility → "Who can sign in and chat": the team changes a Restrict
agent's rule (services/gate/rules.py), Owner/Admin only, audited in plain words. The screen
reads the rule back through services/agent_settings.get_agent_settings."""

from __future__ import annotations

from sqlmodel import Session

from crm_app.services import agent_settings, audit
from crm_app.services.access import Actor, require_agent
from crm_app.services.errors import ValidationError
from crm_app.services.gate import rules


def update_gate_rule(session: Session, actor: Actor, agent_id: int, *, statuses, stage_ids) -> dict:
    """Who of the agent's contacts may chat when it is Restrict (Admin+): contacts of the
    chosen statuses, in the chosen stages (none chosen: any stage). Audited in plain words;
    a contact outside the new rule loses access on their next message."""
    agent = require_agent(session, actor, agent_id, "Admin")
    try:
        ids = [int(i) for i in stage_ids or ()]
        wanted = [str(s) for s in statuses or ()]
    except (TypeError, ValueError):
        raise ValidationError(
            "One of the chosen stages no longer exists.", field="stage_ids"
        ) from None
    rule = rules.clean_rule(session, agent, wanted, ids)
    new = rules.GateRule(tuple(rule["statuses"]), tuple(rule["stage_ids"]))
    if rules.rule_of(agent) != new:
        agent.gate_rule = rule
        session.add(agent)
        session.flush()
        audit.record(
            session,
            actor,
            "Update",
            "Agent",
            f"Changed who may chat with the agent {agent.name} (Restrict): "
            + rules.describe(session, agent),
        )
    return agent_settings.view(session, agent, actor)
