"""The vocabulary of the automations: sources, creation methods, owner slots and strategies."""

from __future__ import annotations

from crm_app.models import AssignmentRule

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


def label_of(rule: AssignmentRule) -> str:
    return STRATEGIES.get(rule.strategy, rule.strategy)
