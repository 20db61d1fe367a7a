"""Pieces the automations screen shares: hints, icons and cards."""

from __future__ import annotations

import reflex as rx

from crm_app.components.layout import ACCENT

METHOD_HINTS = {
    "manual": (
        "hand",
        "Added by your team by hand or imported from a file (via Manual, via Import).",
    ),
    "captured": (
        "bot",
        "Captured by the agent from a chat, a form, the API or a payment "
        "(via Chat, via Form, via API, via Payment).",
    ),
}
STRATEGY_HINTS = {
    "creator": "The team member who adds or imports the contact.",
    "org_owner": "Always the owner of the organization.",
    "selected": "Always the member you choose below.",
    "round_robin": "Each new contact goes to the next member of the list, in order, wrapping around.",
    "none": "Leave this admin empty.",
}
SOURCE_HINTS = {
    "Manual": "Added by a team member with Add Contact",
    "Import": "Imported from a CSV file",
    "Chat": "Captured by the agent in a conversation",
    "Form": "Submitted through a published form",
    "API": "Created through the open API",
    "Payment": "Bought access to a paid agent",
}
SOURCE_ICONS = {
    "Manual": "user-plus",
    "Import": "upload",
    "Chat": "message-circle",
    "Form": "file-text",
    "API": "code",
    "Payment": "credit-card",
}
# Below 768 px the editors do not fit: show the notice instead (CSS media queries).
SMALL = ["block", "block", "none", "none"]
LARGE = ["none", "none", "block", "block"]


def icon_tile(icon: str, scheme: str = ACCENT) -> rx.Component:
    return rx.center(
        rx.icon(icon, size=18, color=rx.color(scheme, 11)),
        width="36px",
        height="36px",
        min_width="36px",
        border_radius="10px",
        background=rx.color(scheme, 3),
    )
