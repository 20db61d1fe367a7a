"""The conversation: visitor and agent bubbles (with copy / like / dislike), the typing dots,
the reply being streamed, and the scrolling list that holds them."""

from __future__ import annotations

import reflex as rx

from crm_app.components.chat.markdown import safe_markdown
from crm_app.state.chat.core import LIST_ID

ACCENT = "teal"


def avatar(S, size: str = "2") -> rx.Component:
    return rx.avatar(
        src=S.avatar_url,
        fallback=S.agent_initial,
        size=size,
        radius="full",
        color_scheme=ACCENT,
        variant="solid",
        flex_shrink="0",
    )


def _bubble(*children, mine: bool, **props) -> rx.Component:
    return rx.box(
        *children,
        padding="8px 12px",
        border_radius="16px",
        border_bottom_right_radius="4px" if mine else "16px",
        border_bottom_left_radius="16px" if mine else "4px",
        background=rx.color(ACCENT, 9) if mine else rx.color("gray", 3),
        color="white" if mine else rx.color("gray", 12),
        max_width="100%",
        min_width="0",
        overflow_wrap="anywhere",
        **props,
    )


def _action(icon: str, label: str, on_click, active=None) -> rx.Component:
    return rx.tooltip(
        rx.icon_button(
            rx.icon(icon, size=14),
            size="1",
            variant=rx.cond(active, "soft", "ghost") if active is not None else "ghost",
            color_scheme=ACCENT if active is not None else "gray",
            on_click=on_click,
            aria_label=label,
            aria_pressed=active if active is not None else None,
        ),
        content=label,
    )


def _visitor_line(line) -> rx.Component:
    return rx.vstack(
        _bubble(
            rx.text(line.content, size="2", white_space="pre-wrap", as_="p"),
            mine=True,
        ),
        rx.text(line.time, size="1", color=rx.color("gray", 9)),
        align="end",
        spacing="1",
        max_width="min(85%, 620px)",
        margin_left="auto",
        class_name="crm-chat-visitor",
    )


def _agent_line(S, line) -> rx.Component:
    return rx.hstack(
        avatar(S),
        rx.vstack(
            _bubble(
                safe_markdown(line.content),
                mine=False,
                border=rx.cond(line.status == "error", f"1px solid {rx.color('red', 7)}", "none"),
            ),
            rx.cond(
                line.id > 0,
                rx.hstack(
                    _action("copy", "Copy", S.copy(line.id)),
                    _action(
                        "thumbs-up", "Like", S.feedback(line.id, "like"), line.feedback == "like"
                    ),
                    _action(
                        "thumbs-down",
                        "Dislike",
                        S.feedback(line.id, "dislike"),
                        line.feedback == "dislike",
                    ),
                    rx.text(line.time, size="1", color=rx.color("gray", 9), padding_left="4px"),
                    spacing="2",
                    align="center",
                    padding_left="4px",
                ),
            ),
            spacing="1",
            align="start",
            min_width="0",
        ),
        spacing="2",
        align="start",
        max_width="min(92%, 680px)",
        class_name="crm-chat-agent",
    )


def _line(S, line) -> rx.Component:
    return rx.cond(line.role == "visitor", _visitor_line(line), _agent_line(S, line))


def _typing(S) -> rx.Component:
    return rx.hstack(
        avatar(S),
        _bubble(
            rx.hstack(
                rx.box(class_name="crm-dot"),
                rx.box(class_name="crm-dot"),
                rx.box(class_name="crm-dot"),
                spacing="1",
                align="center",
                height="20px",
            ),
            mine=False,
        ),
        spacing="2",
        align="start",
        aria_label=S.agent_name + " is typing",
        role="status",
        class_name="crm-chat-typing",
    )


def _streaming(S) -> rx.Component:
    return rx.hstack(
        avatar(S),
        _bubble(safe_markdown(S.streaming), mine=False),
        spacing="2",
        align="start",
        max_width="min(92%, 680px)",
        class_name="crm-chat-agent crm-chat-streaming",
    )


def message_list(S) -> rx.Component:
    return rx.box(
        rx.vstack(
            rx.foreach(S.lines, lambda line: _line(S, line)),
            rx.cond(S.typing, _typing(S)),
            rx.cond(S.streaming != "", _streaming(S)),
            spacing="4",
            width="100%",
            max_width="820px",
            margin_x="auto",
            padding=["14px 12px", "20px 20px"],
        ),
        id=LIST_ID,
        flex="1",
        min_height="0",
        overflow_y="auto",
        width="100%",
        aria_live="polite",
        role="log",
        aria_label="Conversation",
    )
