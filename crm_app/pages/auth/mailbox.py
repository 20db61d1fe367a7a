"""/dev/mailbox: the mail a development server sent, codes included (this machine only)."""

from __future__ import annotations

import reflex as rx

from crm_app.components.layout import ACCENT
from crm_app.pages.auth.common import (
    brand,
)
from crm_app.state.auth import MailboxState


def _email_card(mail: dict) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.text(mail["subject"].to(str), weight="bold", size="3"),
                rx.spacer(),
                rx.text(mail["sent"].to(str), size="1", color=rx.color("gray", 10)),
                width="100%",
                align="center",
            ),
            rx.text("To: ", mail["to"].to(str), size="2", color=rx.color("gray", 11)),
            rx.box(
                rx.el.pre(
                    mail["body"].to(str),
                    style={
                        "whiteSpace": "pre-wrap",
                        "margin": 0,
                        "fontFamily": "var(--code-font-family)",
                        "fontSize": "13px",
                    },
                ),
                background=rx.color("gray", 2),
                border=f"1px solid {rx.color('gray', 5)}",
                border_radius="8px",
                padding="12px",
                width="100%",
            ),
            spacing="2",
            width="100%",
        ),
        width="100%",
    )


def mailbox() -> rx.Component:
    return rx.box(
        rx.vstack(
            rx.hstack(
                brand(),
                rx.spacer(),
                rx.cond(
                    MailboxState.enabled,
                    rx.button(
                        rx.icon("refresh-cw", size=14),
                        "Refresh",
                        variant="soft",
                        on_click=MailboxState.refresh,
                    ),
                ),
                width="100%",
                align="center",
            ),
            rx.vstack(
                rx.heading("Mailbox", size="6", weight="bold"),
                rx.cond(
                    MailboxState.enabled,
                    rx.text(
                        "Emails this development server sent in the last 24 hours, newest first. "
                        "Use it to read sign-in codes.",
                        size="2",
                        color=rx.color("gray", 11),
                    ),
                ),
                spacing="1",
            ),
            rx.cond(
                MailboxState.enabled,
                rx.cond(
                    MailboxState.emails.length() > 0,
                    rx.vstack(
                        rx.foreach(MailboxState.emails, _email_card), spacing="3", width="100%"
                    ),
                    rx.center(
                        rx.vstack(
                            rx.icon("inbox", size=28, color=rx.color(ACCENT, 10)),
                            rx.text("No emails yet", weight="bold"),
                            rx.text(
                                "Request a sign-in code and it will show up here.",
                                size="2",
                                color=rx.color("gray", 11),
                            ),
                            align="center",
                            spacing="2",
                        ),
                        padding="48px",
                        width="100%",
                        border=f"1px dashed {rx.color('gray', 6)}",
                        border_radius="12px",
                    ),
                ),
                rx.callout(
                    "The mailbox is only available in development mode (CRM_DEV_MODE=1, without "
                    "CRM_SMTP_URL), to a browser on the server's own machine. Codes are also "
                    "printed on the server's console.",
                    icon="circle-slash",
                    color_scheme="gray",
                    width="100%",
                ),
            ),
            spacing="5",
            width="100%",
            max_width="820px",
            margin="0 auto",
        ),
        padding="32px 16px",
        min_height="100vh",
        background=rx.color("gray", 2),
    )
