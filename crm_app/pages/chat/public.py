"""/a/<slug>: the agent's public chat, on its own page (phones and desktops) or, with
`?embed=1`, inside the widget's iframe on another site (compact header, close button).
A Restrict or Pay for Access agent shows its gate first (components/chat/gate.py)."""

from __future__ import annotations

import reflex as rx

from crm_app import routes
from crm_app.components.chat import avatar, chat_panel, chats_menu, new_chat_button
from crm_app.components.chat.gate import sign_in_card, signed_in_bar
from crm_app.components.chat.paywall import pass_line, paywall
from crm_app.state.chat.public import PublicChatState as S


def _header() -> rx.Component:
    return rx.hstack(
        avatar(S, size="3"),
        rx.vstack(
            rx.heading(S.agent_name, as_="h1", size="4", weight="bold", trim="both"),
            rx.hstack(
                rx.box(
                    width="7px", height="7px", border_radius="50%", background=rx.color("grass", 9)
                ),
                rx.text("Online · replies in seconds", size="1", color=rx.color("gray", 10)),
                spacing="1",
                align="center",
            ),
            pass_line(S),
            spacing="1",
            min_width="0",
            flex="1",
        ),
        chats_menu(S),
        new_chat_button(S),
        width="100%",
        align="center",
        spacing="3",
        padding=["10px 12px", "14px 20px"],
        border_bottom=f"1px solid {rx.color('gray', 4)}",
        background=rx.color("gray", 1),
        flex_shrink="0",
    )


def _embed_header() -> rx.Component:
    return rx.hstack(
        avatar(S, size="2"),
        rx.vstack(
            rx.text(S.agent_name, size="3", weight="bold", trim="both"),
            pass_line(S),
            spacing="0",
            flex="1",
            min_width="0",
        ),
        chats_menu(S),
        rx.tooltip(
            rx.icon_button(
                rx.icon("square-pen", size=16),
                variant="ghost",
                color_scheme="gray",
                on_click=S.new_chat,
                disabled=S.replying,
                aria_label="New chat",
            ),
            content="New chat",
        ),
        rx.cond(
            S.closable,
            rx.icon_button(
                rx.icon("x", size=18),
                variant="ghost",
                color_scheme="gray",
                on_click=S.close_embed,
                aria_label="Close chat",
            ),
        ),
        width="100%",
        align="center",
        spacing="3",
        padding="8px 12px",
        border_bottom=f"1px solid {rx.color('gray', 4)}",
        background=rx.color("gray", 1),
        flex_shrink="0",
    )


def _notice(icon: str, title, text) -> rx.Component:
    return rx.center(
        rx.vstack(
            rx.cond(
                S.agent_name != "",
                avatar(S, size="5"),
                rx.center(
                    rx.icon(icon, size=26, color=rx.color("gray", 10)),
                    width="56px",
                    height="56px",
                    border_radius="999px",
                    background=rx.color("gray", 3),
                ),
            ),
            rx.heading(title, size="5", text_align="center"),
            rx.text(
                text, size="3", color=rx.color("gray", 11), text_align="center", max_width="420px"
            ),
            rx.cond(
                S.closable,
                rx.button(
                    "Close", variant="soft", color_scheme="gray", on_click=S.close_embed, size="2"
                ),
            ),
            align="center",
            spacing="3",
            padding="32px 20px",
            role="status",
        ),
        flex="1",
        width="100%",
    )


def _gate_view(card: rx.Component) -> rx.Component:
    """A gate card (sign in, paywall); inside the widget's panel, its close button on top."""
    return rx.flex(
        rx.cond(
            S.closable,
            rx.hstack(
                rx.icon_button(
                    rx.icon("x", size=18),
                    variant="ghost",
                    color_scheme="gray",
                    on_click=S.close_embed,
                    aria_label="Close chat",
                ),
                justify="end",
                width="100%",
                padding="8px 12px 0",
            ),
        ),
        card,
        direction="column",
        flex="1",
        width="100%",
        min_height="0",
    )


def _frame(*children) -> rx.Component:
    """Full height; on wide screens a centred column with a border."""
    return rx.box(
        rx.flex(
            *children,
            direction="column",
            width="100%",
            max_width=rx.cond(S.embed, "100%", "880px"),
            height="100dvh",
            margin_x="auto",
            background=rx.color("gray", 1),
            border_x=rx.cond(S.embed, "none", f"1px solid {rx.color('gray', 4)}"),
        ),
        background=rx.color("gray", 2),
        min_height="100dvh",
        width="100%",
    )


def page() -> rx.Component:
    return _frame(
        rx.match(
            S.view,
            (
                "open",
                chat_panel(
                    S,
                    header=rx.cond(S.embed, _embed_header(), _header()),
                    banner=signed_in_bar(S),
                    flex="1",
                ),
            ),
            ("sign_in", _gate_view(sign_in_card(S))),
            ("paywall", paywall(S)),
            ("not_found", _notice("search-x", "Agent not found", S.message)),
            ("private", _notice("lock", S.agent_name, S.message)),
            rx.center(rx.spinner(size="3"), flex="1"),
        ),
    )


def register(app: rx.App) -> None:
    app.add_page(page, route=routes.PUBLIC_CHAT, title="Chat", on_load=S.load)
