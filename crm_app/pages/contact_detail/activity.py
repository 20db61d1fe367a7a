"""Contact details → Activity: the contact's timeline."""

from __future__ import annotations

import reflex as rx

from crm_app.components.kit import SUBTLE, card
from crm_app.components.layout import ACCENT, empty_state
from crm_app.state.contact_detail import ContactDetailState as S


def _suggestion(item: rx.Var) -> rx.Component:
    """The agent's suggestion: Accept (one click), or who accepted it."""
    return rx.match(
        item.suggestion,
        (
            "open",
            rx.button(
                rx.icon("check", size=13),
                "Accept",
                size="1",
                variant="soft",
                on_click=S.accept_suggestion(item.id),
                aria_label="Accept: " + item.message,
            ),
        ),
        (
            "accepted",
            rx.badge(
                "Accepted" + rx.cond(item.accepted_by != "", " by " + item.accepted_by, ""),
                variant="soft",
                color_scheme="green",
            ),
        ),
        rx.fragment(),
    )


def _chat_link(item: rx.Var) -> rx.Component:
    return rx.cond(
        item.conversation_id != "",
        rx.button(
            "View chat",
            size="1",
            variant="ghost",
            on_click=S.open_conversation(item.conversation_id),
        ),
    )


def _activity_item(item: rx.Var) -> rx.Component:
    return rx.hstack(
        rx.center(
            rx.icon(item.icon, size=15, color=rx.color(ACCENT, 11)),
            width="32px",
            height="32px",
            border_radius="999px",
            background=rx.color(ACCENT, 3),
            flex_shrink="0",
        ),
        rx.vstack(
            rx.text(item.message, size="2"),
            rx.text(
                item.who + " · " + item.actor_type + " · " + item.time,
                size="1",
                color=SUBTLE,
            ),
            rx.cond(
                (item.suggestion != "") | (item.conversation_id != ""),
                rx.hstack(_suggestion(item), _chat_link(item), spacing="3", align="center"),
            ),
            spacing="1",
            min_width="0",
        ),
        spacing="3",
        align="start",
        padding_y="10px",
        border_bottom=f"1px solid {rx.color('gray', 4)}",
        width="100%",
    )


def activity_tab() -> rx.Component:
    return rx.cond(
        S.activity.length() > 0,
        card(
            rx.vstack(rx.foreach(S.activity, _activity_item), spacing="0", width="100%"),
            padding="8px 20px",
        ),
        empty_state(
            "activity",
            "No activity yet",
            "Everything that happens to this contact is recorded here.",
        ),
    )
