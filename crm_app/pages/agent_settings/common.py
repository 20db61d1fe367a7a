"""Pieces the agent-settings sections share: the section card, text input and radio choice."""

from __future__ import annotations

import reflex as rx

from crm_app.components.kit import MUTED, SUBTLE, card
from crm_app.state.agent_settings import AgentSettingsState as S


def section(title: str, text: str, *children: rx.Component, on_submit, label: str):
    return card(
        rx.form(
            rx.vstack(
                rx.vstack(
                    rx.heading(title, size="4", weight="bold", as_="h2"),
                    rx.text(text, size="2", color=MUTED),
                    spacing="1",
                    width="100%",
                ),
                *children,
                rx.cond(
                    S.can_edit,
                    rx.hstack(rx.button(label, type="submit"), justify="end", width="100%"),
                ),
                spacing="4",
                width="100%",
                align="start",
            ),
            on_submit=on_submit,
            reset_on_submit=False,
            width="100%",
            aria_label=title,
        ),
        padding=["16px", "20px", "24px"],
    )


def text_input(field: str, label: str, value, **props) -> rx.Component:
    return rx.input(
        value=value,
        on_change=S.set_value(field),
        name=field,
        width="100%",
        aria_label=label,
        read_only=~S.can_edit,
        **props,
    )


def choice(value: str, title: str, text, disabled=False) -> rx.Component:
    return rx.el.label(
        rx.hstack(
            rx.radio_group.item(value=value, disabled=disabled, aria_label=title),
            rx.vstack(
                rx.text(title, size="2", weight="medium"),
                rx.text(text, size="1", color=SUBTLE),
                spacing="0",
            ),
            align="start",
            spacing="2",
        ),
        cursor="default" if disabled else rx.cond(S.can_edit, "pointer", "default"),
    )
