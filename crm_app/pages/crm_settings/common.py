"""Pieces the CRM settings tabs share: cards, section titles, rows, move buttons, labels."""

from __future__ import annotations

import reflex as rx

from crm_app.components.layout import ACCENT
from crm_app.state.crm_settings import CrmSettingsState as S


def section_title(title: str, text: str, *actions: rx.Component) -> rx.Component:
    return rx.hstack(
        rx.vstack(
            rx.heading(title, size="4", weight="bold"),
            rx.text(text, size="2", color=rx.color("gray", 11)),
            spacing="1",
            flex="1 1 260px",
            min_width="0",
        ),
        *actions,
        width="100%",
        align="center",
        spacing="4",
        wrap="wrap",
        padding_bottom="12px",
    )


def row_style() -> dict:
    return {
        "background": rx.color("gray", 1),
        "border": f"1px solid {rx.color('gray', 5)}",
        "border_radius": "10px",
        "padding": "8px 10px 8px 6px",
    }


# ---------------------------------------------------------------- contact fields


def switch(label: str, checked, on_change, aria) -> rx.Component:
    return rx.el.label(
        rx.hstack(
            rx.switch(
                checked=checked,
                on_change=on_change,
                disabled=~S.can_edit,
                size="1",
                aria_label=aria,
                color_scheme=ACCENT,
            ),
            rx.text(label, size="1", color=rx.color("gray", 11), white_space="nowrap"),
            spacing="1",
            align="center",
        ),
    )
