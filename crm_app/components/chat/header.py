"""Header controls: the visitor's earlier chats menu and the New chat button."""

from __future__ import annotations

import reflex as rx

from crm_app.components.chat.messages import ACCENT

_ELLIPSIS = {
    "white_space": "nowrap",
    "overflow": "hidden",
    "text_overflow": "ellipsis",
    "max_width": "100%",
}


def chats_menu(S) -> rx.Component:
    """The visitor's earlier conversations (same browser), newest first."""
    return rx.cond(
        S.chats.length() > 0,
        rx.dropdown_menu.root(
            rx.dropdown_menu.trigger(
                rx.button(
                    rx.icon("history", size=15),
                    rx.text("Chats", display=["none", "inline"]),
                    variant="soft",
                    color_scheme="gray",
                    size="2",
                    aria_label="Earlier chats",
                ),
            ),
            rx.dropdown_menu.content(
                rx.text(
                    "Your conversations",
                    size="1",
                    weight="bold",
                    color=rx.color("gray", 10),
                    padding="4px 8px",
                ),
                rx.foreach(
                    S.chats,
                    lambda c: rx.dropdown_menu.item(
                        rx.box(
                            rx.el.div(c.title, style=_ELLIPSIS | {"font_weight": "500"}),
                            rx.el.div(
                                c.when + " · " + c.preview,
                                style=_ELLIPSIS
                                | {"font_size": "12px", "color": rx.color("gray", 10)},
                            ),
                            # A fixed width: Radix sizes menu items to their content.
                            width="min(280px, calc(100vw - 64px))",
                        ),
                        on_select=S.open_chat(c.id),
                        height="auto",
                        padding_y="6px",
                        background=rx.cond(
                            c.id == S.conversation_id, rx.color(ACCENT, 3), "transparent"
                        ),
                    ),
                ),
                width="min(320px, calc(100vw - 24px))",
                overflow_x="hidden",
                max_height="60vh",
                overflow_y="auto",
                align="end",
            ),
        ),
    )


def new_chat_button(S) -> rx.Component:
    return rx.button(
        rx.icon("square-pen", size=15),
        rx.text("New chat", display=["none", "inline"]),
        variant="soft",
        size="2",
        on_click=S.new_chat,
        disabled=S.replying,
        aria_label="New chat",
    )
