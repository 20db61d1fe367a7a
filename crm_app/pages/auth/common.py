"""Building blocks of the signed-out screens: the product mark, the centered card, inputs
with their errors, and the emailed-code step."""

from __future__ import annotations

import reflex as rx

from crm_app import routes
from crm_app.components.kit import labelled
from crm_app.components.layout import ACCENT


def brand() -> rx.Component:
    return rx.link(
        rx.hstack(
            rx.center(
                rx.icon("bot", size=20, color="white"),
                width="36px",
                height="36px",
                border_radius="10px",
                background=rx.color(ACCENT, 9),
            ),
            rx.text("Agent CRM", weight="bold", size="5", color=rx.color("gray", 12)),
            spacing="2",
            align="center",
        ),
        href=routes.LOGIN,
        underline="none",
    )


def auth_card(
    title,
    subtitle,
    *children: rx.Component,
    footer: rx.Component | None = None,
    width: str = "420px",
) -> rx.Component:
    return rx.center(
        rx.vstack(
            brand(),
            rx.card(
                rx.vstack(
                    rx.vstack(
                        rx.heading(title, size="6", weight="bold"),
                        rx.text(subtitle, size="2", color=rx.color("gray", 11)),
                        spacing="1",
                        width="100%",
                    ),
                    *children,
                    spacing="4",
                    width="100%",
                ),
                size="4",
                width="100%",
            ),
            footer if footer is not None else rx.fragment(),
            spacing="5",
            align="center",
            width="100%",
            max_width=width,
        ),
        min_height="100vh",
        width="100%",
        padding="32px 16px",
        background=f"radial-gradient(circle at 50% 0%, {rx.color(ACCENT, 3)}, {rx.color('gray', 2)} 60%)",
    )


def labelled_input(label: str, name: str, error, **input_props) -> rx.Component:
    field_id = f"auth-{name}"
    control = rx.input(
        id=field_id,
        name=name,
        size="3",
        width="100%",
        aria_invalid=rx.cond(error != "", "true", "false"),
        **input_props,
    )
    return labelled(label, control, error, html_for=field_id)


def callout(message, color: str, icon: str) -> rx.Component:
    return rx.cond(
        message != "",
        rx.callout(message, icon=icon, color_scheme=color, size="1", width="100%", role="alert"),
    )


def submit_button(label: str, loading) -> rx.Component:
    return rx.button(label, type="submit", size="3", width="100%", loading=loading)


def dev_mailbox_hint(enabled) -> rx.Component:
    return rx.cond(
        enabled,
        rx.callout.root(
            rx.callout.icon(rx.icon("mail", size=16)),
            rx.callout.text(
                "Development mode: the code is printed on the server's console and listed in the ",
                rx.link("mailbox", href=routes.MAILBOX, is_external=True, weight="medium"),
                ".",
            ),
            color_scheme="gray",
            variant="surface",
            size="1",
            width="100%",
        ),
    )


def code_step(state, button_label: str) -> rx.Component:
    """Second step of every flow: the 6-digit code, resend with countdown, change email."""
    return rx.form(
        rx.vstack(
            rx.text(
                "We sent a 6-digit code to ",
                rx.text.strong(state.email),
                ". It expires in 10 minutes.",
                size="2",
                color=rx.color("gray", 11),
            ),
            labelled_input(
                "6-digit code",
                "code",
                state.code_error,
                placeholder="123456",
                auto_complete="one-time-code",
                input_mode="numeric",
                max_length=9,
                auto_focus=True,
                style={"letterSpacing": "0.3em", "fontVariantNumeric": "tabular-nums"},
            ),
            submit_button(button_label, state.verifying),
            rx.hstack(
                rx.cond(
                    state.resend_in > 0,
                    rx.text(
                        "Resend in ",
                        state.resend_in.to_string(),
                        "s",
                        size="2",
                        color=rx.color("gray", 10),
                    ),
                    rx.button(
                        "Resend", type="button", variant="ghost", size="2", on_click=state.resend
                    ),
                ),
                rx.spacer(),
                rx.button(
                    "Change email",
                    type="button",
                    variant="ghost",
                    size="2",
                    color_scheme="gray",
                    on_click=state.change_email,
                ),
                width="100%",
                align="center",
            ),
            spacing="4",
            width="100%",
        ),
        on_submit=state.verify,
        reset_on_submit=False,
        width="100%",
    )


# ---------------------------------------------------------------- /login
