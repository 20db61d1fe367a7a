"""Contact details → Form (the submissions) and Chat Conversation (with the transcript)."""

from __future__ import annotations

import reflex as rx

from crm_app.components.kit import MUTED, SUBTLE, card, dialog_footer
from crm_app.components.layout import ACCENT, empty_state
from crm_app.components.transcript import transcript_messages
from crm_app.state.contact_detail import ContactDetailState as S


def _answer(answer: rx.Var) -> rx.Component:
    return rx.hstack(
        rx.text(
            answer["label"].to(str), size="2", color=MUTED, min_width="180px", max_width="240px"
        ),
        rx.text(answer["value"].to(str), size="2", weight="medium", white_space="pre-wrap"),
        spacing="4",
        padding_y="6px",
        border_bottom=f"1px solid {rx.color('gray', 4)}",
        width="100%",
        align="start",
    )


def _submission(sub: rx.Var) -> rx.Component:
    return rx.accordion.item(
        header=rx.hstack(
            rx.icon("file-text", size=16, color=rx.color(ACCENT, 10)),
            rx.text(sub["form"].to(str), weight="medium", size="2"),
            rx.badge(sub["status"].to(str), variant="soft", color_scheme="gray"),
            rx.spacer(),
            rx.text(sub["time"].to(str), size="1", color=SUBTLE),
            width="100%",
            align="center",
            spacing="2",
            padding_right="8px",
        ),
        content=rx.vstack(
            rx.foreach(sub["answers"].to(list[dict]), _answer), spacing="0", width="100%"
        ),
        value=sub["id"].to(str),
    )


def form_tab() -> rx.Component:
    return rx.cond(
        S.submissions.length() > 0,
        card(
            rx.accordion.root(
                rx.foreach(S.submissions, _submission),
                type="multiple",
                collapsible=True,
                variant="ghost",
                color_scheme="gray",
                width="100%",
            ),
            padding="8px",
        ),
        empty_state(
            "file-text",
            "No form submissions yet",
            "When this contact fills in one of your forms, each submission and its answers appear here.",
        ),
    )


# ---------------------------------------------------------------- Chat Conversation


def _conversation(conv: rx.Var) -> rx.Component:
    return rx.box(
        rx.hstack(
            rx.center(
                rx.icon("message-circle", size=16, color=rx.color(ACCENT, 11)),
                width="34px",
                height="34px",
                border_radius="999px",
                background=rx.color(ACCENT, 3),
                flex_shrink="0",
            ),
            rx.vstack(
                rx.text(conv["title"].to(str), weight="medium", size="2", trim="both"),
                rx.text(
                    conv["messages"].to(str) + " messages · " + conv["time"].to(str),
                    size="1",
                    color=SUBTLE,
                ),
                spacing="1",
                min_width="0",
            ),
            rx.spacer(),
            rx.icon("chevron-right", size=16, color=SUBTLE),
            align="center",
            spacing="3",
            width="100%",
        ),
        padding="12px 14px",
        border_radius="10px",
        cursor="pointer",
        _hover={"background": rx.color("gray", 3)},
        on_click=S.open_transcript(conv["id"].to(str)),
        role="button",
        width="100%",
    )


def transcript_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(S.transcript_title),
            rx.scroll_area(
                rx.box(transcript_messages(S.transcript), padding_right="10px"),
                max_height="60vh",
                type="auto",
                scrollbars="vertical",
            ),
            dialog_footer(cancel="Close"),
            max_width="620px",
        ),
        open=S.transcript_open,
        on_open_change=S.set_open("transcript_open"),
    )


def chat_tab() -> rx.Component:
    return rx.cond(
        S.conversations.length() > 0,
        card(
            rx.vstack(rx.foreach(S.conversations, _conversation), spacing="1", width="100%"),
            padding="8px",
        ),
        empty_state(
            "message-circle",
            "No conversations yet",
            "Chats this contact has with your agent appear here. Click one to read the transcript.",
        ),
    )
