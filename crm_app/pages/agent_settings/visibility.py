"""Agent settings → Visibility: Private or Public, and a public agent's access mode."""

from __future__ import annotations

import reflex as rx

from crm_app.components.layout import field_error
from crm_app.pages.agent_settings.common import choice, section
from crm_app.state.agent_settings import AgentSettingsState as S


def _mode() -> rx.Component:
    return rx.vstack(
        rx.text("Access", size="2", weight="medium"),
        rx.radio_group.root(
            rx.vstack(
                choice("Use for Free", "Use for Free", "Anyone with the link can chat."),
                rx.cond(
                    S.gated_mode != "",
                    choice(
                        S.gated_mode,
                        S.gated_mode,
                        "Not available on this screen yet.",
                        disabled=True,
                    ),
                ),
                spacing="2",
            ),
            value=S.access_mode,
            on_change=S.set_value("access_mode"),
            disabled=~S.can_edit,
            name="access_mode",
        ),
        rx.cond(
            S.gated_mode != "",
            rx.callout(
                rx.text(
                    "This agent is set to ",
                    rx.text.strong(S.gated_mode),
                    ". Until that mode arrives, its public page tells visitors it is not open "
                    "to the public.",
                    rx.cond(S.can_edit, " Choose Use for Free to open it to anyone.", ""),
                ),
                icon="info",
                color_scheme="amber",
                size="1",
                width="100%",
            ),
        ),
        field_error(S.errors.get("access_mode", "")),
        spacing="2",
        width="100%",
        padding_left="26px",
    )


def visibility() -> rx.Component:
    return section(
        "Visibility",
        "Who can chat with this agent.",
        rx.radio_group.root(
            rx.vstack(
                choice("Private", "Private", "Only members, in the Playground."),
                choice("Public", "Public", "Visitors chat on the public chat link."),
                spacing="3",
            ),
            value=S.visibility,
            on_change=S.set_value("visibility"),
            disabled=~S.can_edit,
            name="visibility",
            aria_label="Visibility",
        ),
        field_error(S.errors.get("visibility", "")),
        rx.cond(S.visibility == "Public", _mode()),
        on_submit=S.save_visibility,
        label="Save visibility",
    )
