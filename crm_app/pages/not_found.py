"""The page for unknown addresses: says so plainly and offers the way back."""

from __future__ import annotations

import reflex as rx

from crm_app import routes
from crm_app.components.layout import ACCENT


def page() -> rx.Component:
    return rx.center(
        rx.vstack(
            rx.center(
                rx.icon("map-pin-off", size=26, color=rx.color(ACCENT, 10)),
                width="56px",
                height="56px",
                border_radius="999px",
                background=rx.color(ACCENT, 3),
            ),
            rx.text(
                "404", size="2", weight="bold", color=rx.color("gray", 10), letter_spacing="0.08em"
            ),
            rx.heading("Page not found", size="6", weight="bold"),
            rx.text(
                "The address may be mistyped, or the page was moved or deleted.",
                size="2",
                color=rx.color("gray", 11),
                text_align="center",
            ),
            rx.link(
                rx.button(
                    rx.icon("arrow-left", size=16),
                    "Back to the dashboard",
                    size="3",
                    margin_top="8px",
                ),
                href=routes.HOME,
            ),
            align="center",
            spacing="2",
            padding="40px 32px",
            max_width="440px",
            width="100%",
            border_radius="16px",
            background=rx.color("gray", 1),
            border=f"1px solid {rx.color('gray', 5)}",
        ),
        min_height="100vh",
        padding="16px",
        background=rx.color("gray", 2),
    )


def register(app: rx.App) -> None:
    app.add_page(page, route="404", title="Page not found · Agent CRM")
