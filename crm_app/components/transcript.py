"""A chat transcript as the team reads it (History and the contact's Chat Conversation tab):
messages in order as bubbles — the visitor on the left, the agent on the right — with the
visitor's like/dislike, the provider's error for members, and the team's revised answer.

    transcript_messages(S.messages)                                   # read only
    transcript_messages(S.messages, on_revise=S.open_revise, can_revise=S.can_revise)

`messages` is a list of state/dto.py `TranscriptMessage`.
"""

from __future__ import annotations

import reflex as rx

from crm_app.components.layout import ACCENT

SUBTLE = rx.color("gray", 10)


def _feedback(msg) -> rx.Component:
    return rx.match(
        msg.feedback,
        (
            "like",
            rx.hstack(
                rx.icon("thumbs-up", size=13, color=rx.color("green", 10)),
                rx.text("Liked", size="1", color=SUBTLE),
                spacing="1",
                align="center",
            ),
        ),
        (
            "dislike",
            rx.hstack(
                rx.icon("thumbs-down", size=13, color=rx.color("red", 10)),
                rx.text("Disliked", size="1", color=SUBTLE),
                spacing="1",
                align="center",
            ),
        ),
        rx.fragment(),
    )


def _revised(msg) -> rx.Component:
    return rx.cond(
        msg.revised != "",
        rx.box(
            rx.hstack(
                rx.badge(rx.icon("pencil-line", size=12), "Revised", color_scheme="amber"),
                rx.text("The agent now answers this question with:", size="1", color=SUBTLE),
                spacing="2",
                align="center",
                wrap="wrap",
            ),
            rx.text(msg.revised, size="2", white_space="pre-wrap", padding_top="4px"),
            border=f"1px dashed {rx.color('amber', 7)}",
            background=rx.color("amber", 2),
            padding="8px 12px",
            border_radius="10px",
            max_width="min(80%, 560px)",
        ),
    )


def _message(msg, on_revise, can_revise) -> rx.Component:
    visitor = msg.role != "agent"
    actions = rx.fragment()
    if on_revise is not None:
        actions = rx.cond(
            can_revise & (msg.role == "agent") & (msg.question != ""),
            rx.button(
                rx.icon("pencil", size=13),
                "Revise Answer",
                size="1",
                variant="ghost",
                color_scheme="gray",
                on_click=on_revise(msg.id),
            ),
        )
    return rx.vstack(
        rx.text(msg.who + " · " + msg.time, size="1", color=SUBTLE),
        rx.box(
            rx.text(
                rx.cond(
                    (msg.status == "pending") & (msg.content == ""), "Writing a reply…", msg.content
                ),
                size="2",
                white_space="pre-wrap",
                overflow_wrap="anywhere",
            ),
            background=rx.cond(
                msg.status == "error",
                rx.color("red", 3),
                rx.cond(visitor, rx.color("gray", 3), rx.color(ACCENT, 3)),
            ),
            padding="8px 12px",
            border_radius="12px",
            max_width="min(80%, 560px)",
        ),
        rx.cond(
            msg.error != "",
            rx.callout(
                "Provider error (only your team sees this): " + msg.error,
                icon="triangle-alert",
                color_scheme="red",
                size="1",
                max_width="min(80%, 560px)",
            ),
        ),
        _revised(msg),
        rx.hstack(_feedback(msg), actions, spacing="3", align="center"),
        align=rx.cond(visitor, "start", "end"),
        spacing="1",
        width="100%",
    )


def transcript_messages(messages, on_revise=None, can_revise=False) -> rx.Component:
    return rx.vstack(
        rx.foreach(messages, lambda m: _message(m, on_revise, can_revise)),
        spacing="3",
        width="100%",
    )
