"""/agents/<id>/playground: members try the agent's chat; nothing is saved to contacts."""

from __future__ import annotations

import reflex as rx

from crm_app import routes
from crm_app.components.chat import avatar, chat_panel, chats_menu, new_chat_button
from crm_app.components.kit import agent_screen
from crm_app.components.layout import dashboard, page_header
from crm_app.state.base import AppState
from crm_app.state.chat.playground import PlaygroundState as S


def _header() -> rx.Component:
    return rx.hstack(
        avatar(S, size="2"),
        rx.text(S.agent_name, size="3", weight="bold", trim="both", flex="1", min_width="0"),
        chats_menu(S),
        new_chat_button(S),
        width="100%",
        align="center",
        spacing="3",
        padding="10px 14px",
        border_bottom=f"1px solid {rx.color('gray', 4)}",
        flex_shrink="0",
    )


def _banner() -> rx.Component:
    return rx.vstack(
        rx.callout(
            "Test conversation — nothing is saved to contacts.",
            icon="flask-conical",
            color_scheme="amber",
            size="1",
            width="100%",
        ),
        rx.cond(
            S.captured.length() > 0,
            rx.box(
                rx.text("The agent would capture", size="1", weight="bold"),
                rx.hstack(
                    rx.foreach(
                        S.captured, lambda c: rx.badge(c, variant="soft", color_scheme="teal")
                    ),
                    spacing="1",
                    wrap="wrap",
                    padding_top="4px",
                ),
                width="100%",
                padding="8px 10px",
                border_radius="8px",
                background=rx.color("teal", 2),
                border=f"1px solid {rx.color('teal', 5)}",
                role="status",
                aria_label="What the agent would capture",
            ),
        ),
        spacing="2",
        width="100%",
        padding="10px 14px 0",
        flex_shrink="0",
    )


def page() -> rx.Component:
    return dashboard(
        page_header("Playground", "Chat with your agent the way a visitor would."),
        agent_screen(
            S.loaded,
            S.load_error,
            chat_panel(
                S,
                header=_header(),
                banner=_banner(),
                height=["calc(100dvh - 190px)", "calc(100dvh - 170px)"],
                min_height="420px",
                background=rx.color("gray", 1),
                border=f"1px solid {rx.color('gray', 5)}",
                border_radius="12px",
                overflow="hidden",
            ),
        ),
    )


def register(app: rx.App) -> None:
    app.add_page(
        page,
        route=routes.PLAYGROUND,
        title="Playground · Agent CRM",
        on_load=[AppState.load_shell, S.load],
    )
