"""Agent → History (PRODUCT §8): users → "<Name>'s Chats" → the transcript, side by side
from 992 px; below that one pane at a time with a way back."""

from __future__ import annotations

import reflex as rx

from crm_app import routes
from crm_app.components.kit import MUTED, SUBTLE, agent_screen, card, form_dialog, labelled
from crm_app.components.layout import ACCENT, dashboard, page_header
from crm_app.components.transcript import transcript_messages
from crm_app.state.base import AppState
from crm_app.state.history import HistoryState as S

PANE_HEIGHT = ["auto", "auto", "auto", "calc(100dvh - 190px)"]


def _shown(pane: str) -> list:
    """A pane's display: on phones only the current one, all three from 992 px."""
    one = rx.cond(S.pane == pane, "flex", "none")
    return [one, one, one, "flex"]


def _pane(name: str, label: str, header: rx.Component, body: rx.Component, **props) -> rx.Component:
    return rx.flex(
        rx.flex(
            header,
            align="center",
            min_height="64px",
            padding="10px 14px",
            border_bottom=f"1px solid {rx.color('gray', 5)}",
        ),
        rx.box(body, padding="8px", overflow_y="auto", flex="1", min_height="0"),
        direction="column",
        display=_shown(name),
        height=PANE_HEIGHT,
        min_height=["auto", "auto", "auto", "480px"],
        min_width="0",
        role="region",
        aria_label=label,
        **props,
    )


def _quiet(icon: str, title: str, text) -> rx.Component:
    """A pane's empty state."""
    return rx.center(
        rx.vstack(
            rx.center(
                rx.icon(icon, size=22, color=rx.color(ACCENT, 10)),
                width="44px",
                height="44px",
                border_radius="999px",
                background=rx.color(ACCENT, 3),
            ),
            rx.text(title, weight="bold", size="2"),
            rx.text(text, size="1", color=MUTED, text_align="center", max_width="240px"),
            align="center",
            spacing="2",
        ),
        padding="40px 12px",
        width="100%",
    )


def _back(label: str, pane: str) -> rx.Component:
    return rx.button(
        rx.icon("arrow-left", size=14),
        label,
        variant="ghost",
        color_scheme="gray",
        size="1",
        on_click=S.show_pane(pane),
        display=["inline-flex", "inline-flex", "inline-flex", "none"],
        margin_bottom="6px",
    )


def _row(selected, on_click, label, *children: rx.Component) -> rx.Component:
    return rx.box(
        rx.hstack(*children, align="center", spacing="3", width="100%"),
        padding="10px 10px",
        border_radius="10px",
        cursor="pointer",
        background=rx.cond(selected, rx.color(ACCENT, 4), "transparent"),
        _hover={"background": rx.cond(selected, rx.color(ACCENT, 4), rx.color("gray", 3))},
        on_click=on_click,
        role="button",
        tab_index=0,
        aria_label=label,
        aria_pressed=rx.cond(selected, "true", "false"),
        width="100%",
    )


# ---------------------------------------------------------------- users


def _user(u) -> rx.Component:
    return _row(
        S.user.key == u.key,
        S.select_user(u.key),
        u.name,
        rx.cond(
            u.contact_id != "",
            rx.avatar(fallback=u.name[:1].upper(), size="2", radius="full", color_scheme=ACCENT),
            rx.center(
                rx.icon(rx.cond(u.test, "flask-conical", "user-round"), size=16, color=SUBTLE),
                width="32px",
                height="32px",
                border_radius="999px",
                background=rx.color("gray", 4),
                flex_shrink="0",
            ),
        ),
        rx.vstack(
            rx.hstack(
                rx.text(u.name, size="2", weight="medium", trim="both", truncate=True),
                rx.cond(u.test, rx.badge("Playground", size="1", color_scheme="violet")),
                spacing="2",
                align="center",
                min_width="0",
                height="20px",
            ),
            rx.text(
                u.time + " · " + u.chats.to(str) + rx.cond(u.chats == 1, " chat", " chats"),
                size="1",
                color=SUBTLE,
            ),
            spacing="1",
            min_width="0",
        ),
    )


def _users_pane() -> rx.Component:
    header = rx.box(
        rx.input(
            rx.input.slot(rx.icon("search", size=15)),
            placeholder="Search Users",
            aria_label="Search Users",
            default_value=S.search,
            on_change=S.set_search.debounce(300),
            width="100%",
        ),
        width="100%",
    )
    body = rx.cond(
        S.users.length() > 0,
        rx.vstack(
            rx.foreach(S.users, _user),
            rx.cond(
                S.more,
                rx.button(
                    "Show more", variant="soft", size="1", width="100%", on_click=S.show_more
                ),
            ),
            spacing="1",
            width="100%",
        ),
        rx.cond(
            S.search != "",
            _quiet("search-x", "No users found", "No one who chatted matches your search."),
            _quiet(
                "message-circle",
                "No users yet",
                "People who chat with this agent (and your Playground tests) appear here.",
            ),
        ),
    )
    return _pane(
        "users",
        "Users",
        header,
        body,
        width=["100%", "100%", "100%", "280px"],
        flex_shrink="0",
        border_right=["none", "none", "none", f"1px solid {rx.color('gray', 5)}"],
    )


# ---------------------------------------------------------------- chats


def _chat(c) -> rx.Component:
    return _row(
        S.chat.id == c.id,
        S.select_chat(c.id),
        c.title,
        rx.icon("messages-square", size=16, color=rx.color(ACCENT, 10), flex_shrink="0"),
        rx.vstack(
            rx.hstack(
                rx.text(
                    c.title,
                    size="2",
                    weight="medium",
                    white_space="nowrap",
                    overflow="hidden",
                    text_overflow="ellipsis",
                    min_width="0",
                ),
                rx.cond(c.test, rx.badge("Playground", size="1", color_scheme="violet")),
                spacing="2",
                align="center",
                min_width="0",
                width="100%",
                overflow="hidden",
                height="20px",
            ),
            rx.text(
                c.time
                + " · "
                + c.messages.to(str)
                + rx.cond(c.messages == 1, " message", " messages"),
                size="1",
                color=SUBTLE,
            ),
            spacing="1",
            min_width="0",
        ),
    )


def _chats_pane() -> rx.Component:
    header = rx.vstack(
        _back("Users", "users"),
        rx.text(
            rx.cond(S.user.name != "", S.user.name + "'s Chats", "Chats"),
            size="2",
            weight="bold",
            overflow_wrap="anywhere",
        ),
        rx.cond(
            S.contact_href != "",
            rx.link(
                rx.hstack(rx.icon("user", size=13), "View contact", spacing="1", align="center"),
                href=S.contact_href,
                size="1",
            ),
        ),
        spacing="1",
        width="100%",
    )
    body = rx.cond(
        S.user.key == "",
        _quiet(
            "mouse-pointer-click", "Select a user", "Pick someone on the left to see their chats."
        ),
        rx.vstack(rx.foreach(S.chats, _chat), spacing="1", width="100%"),
    )
    return _pane(
        "chats",
        "Chats",
        header,
        body,
        width=["100%", "100%", "100%", "280px"],
        flex_shrink="0",
        border_right=["none", "none", "none", f"1px solid {rx.color('gray', 5)}"],
    )


# ---------------------------------------------------------------- transcript


def _transcript_pane() -> rx.Component:
    header = rx.vstack(
        _back(rx.cond(S.user.name != "", S.user.name + "'s Chats", "Chats"), "chats"),
        rx.hstack(
            rx.text(
                rx.cond(S.chat.id != "", S.chat.title, "Transcript"),
                size="2",
                weight="bold",
                trim="both",
                truncate=True,
            ),
            rx.cond(S.chat.test, rx.badge("Playground test", size="1", color_scheme="violet")),
            rx.spacer(),
            rx.button(
                rx.icon("refresh-cw", size=14),
                "Refresh",
                size="1",
                variant="soft",
                on_click=S.refresh,
                disabled=S.chat.id == "",
            ),
            width="100%",
            align="center",
            spacing="2",
        ),
        spacing="0",
        width="100%",
    )
    body = rx.cond(
        S.chat.id == "",
        _quiet(
            "messages-square",
            "No chat selected",
            "Pick a user, then one of their chats, to read the conversation.",
        ),
        rx.cond(
            S.messages.length() > 0,
            rx.box(
                transcript_messages(S.messages, on_revise=S.open_revise, can_revise=S.can_revise),
                padding="8px 6px",
            ),
            _quiet("message-circle", "No messages yet", "This chat has no messages yet."),
        ),
    )
    return _pane("transcript", "Transcript", header, body, flex="1")


def _revise_dialog() -> rx.Component:
    return form_dialog(
        "Revise Answer",
        labelled(
            "Question",
            rx.text(S.revise_question, size="2", white_space="pre-wrap", color=MUTED),
        ),
        labelled(
            "Current answer",
            rx.text(S.revise_current, size="2", white_space="pre-wrap", color=MUTED),
        ),
        labelled(
            "Revised answer",
            rx.text_area(
                name="answer",
                id="revise-answer",
                default_value=S.revise_draft,
                rows="6",
                max_length=4000,
                width="100%",
                auto_focus=True,
            ),
            S.revise_error,
            hint="Up to 4,000 characters. The agent uses it when this question is asked again.",
            html_for="revise-answer",
        ),
        submit=rx.button("Save revision", type="submit"),
        on_submit=S.submit_revise,
        open=S.revise_open,
        on_open_change=S.set_open("revise_open"),
        max_width="600px",
    )


def history_page() -> rx.Component:
    return dashboard(
        page_header("History", "Review past conversations between your users and your agent."),
        agent_screen(
            S.loaded,
            S.load_error,
            card(
                rx.flex(
                    _users_pane(),
                    _chats_pane(),
                    _transcript_pane(),
                    flex_direction=["column", "column", "column", "row"],
                    width="100%",
                ),
                padding="0",
                overflow="hidden",
            ),
        ),
        _revise_dialog(),
    )


def register(app: rx.App) -> None:
    app.add_page(
        history_page,
        route=routes.HISTORY,
        title="History · Agent CRM",
        on_load=[AppState.load_shell, S.load],
    )
