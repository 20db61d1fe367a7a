"""The "Your data" menu for the chat header of a gated agent: shown only to a visitor who
is signed in (state/chat/your_data.py checks it when the menu mounts and on every click).

- Download my data: a JSON file of what the CRM holds about them.
- Ask to erase my data: a confirmation that says what happens (the team is asked, erases
  everything with one click; the visitor is signed out then), then the request is filed.
"""

from __future__ import annotations

import reflex as rx

from crm_app.components.kit import confirm_dialog
from crm_app.state.chat.your_data import YourDataState as S

ERASE_TEXT = (
    "We will ask the team behind this agent to erase everything its CRM holds about you: "
    "your contact details, your conversations, your form answers and your access. "
    "An Owner or Admin of the team does it; once erased it cannot be undone and you are "
    "signed out. Download your data first if you want a copy."
)


def _erase_dialog() -> rx.Component:
    return confirm_dialog(
        "Erase your data?",
        ERASE_TEXT,
        rx.button(
            "Ask to erase",
            color_scheme="red",
            loading=S.sending,
            on_click=S.request_erasure,
        ),
        open=S.erase_open,
        on_open_change=S.set_erase_open,
    )


def _menu() -> rx.Component:
    return rx.dropdown_menu.root(
        rx.dropdown_menu.trigger(
            rx.button(
                rx.icon("shield-check", size=15),
                rx.text("Your data", display=["none", "inline"]),
                variant="soft",
                color_scheme="gray",
                size="2",
                aria_label="Your data",
            ),
        ),
        rx.dropdown_menu.content(
            rx.cond(
                S.email != "",
                rx.box(
                    rx.text("Signed in as", size="1", color=rx.color("gray", 10)),
                    rx.text(S.email, size="1", weight="medium", word_break="break-all"),
                    padding="4px 8px 6px",
                ),
            ),
            rx.dropdown_menu.item(
                rx.icon("download", size=14), "Download my data", on_select=S.download
            ),
            rx.cond(
                S.requested,
                rx.dropdown_menu.item(
                    rx.icon("clock", size=14), "Erasure requested", disabled=True
                ),
                rx.dropdown_menu.item(
                    rx.icon("trash-2", size=14),
                    "Ask to erase my data",
                    color="red",
                    on_select=S.set_erase_open(True),
                ),
            ),
            align="end",
            width="min(280px, calc(100vw - 24px))",
        ),
    )


def your_data_menu() -> rx.Component:
    """Place in the signed-in chat header; renders nothing for anyone else."""
    return rx.el.div(
        rx.cond(S.signed_in, rx.fragment(_menu(), _erase_dialog())),
        on_mount=S.load,
        style={"display": "contents"},
    )
