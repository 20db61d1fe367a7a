"""Settings → Audit Logs."""

from __future__ import annotations

import reflex as rx

from crm_app import routes
from crm_app.components.layout import ACCENT, dashboard, empty_state, page_header
from crm_app.state.audit import ACTION_CHOICES
from crm_app.state.audit import AuditState as S
from crm_app.state.base import AppState

_ACTION_COLORS = {
    "Create": "green",
    "Read": "gray",
    "Update": "blue",
    "Delete": "red",
    "Login": "teal",
    "Logout": "orange",
}


def _subtitle():
    return rx.cond(
        (AppState.role == "Owner") | (AppState.role == "Admin"),
        "Activity across your organization",
        "Your recent activity across the platform",
    )


def _action_badge(action) -> rx.Component:
    return rx.match(
        action,
        *[
            (name, rx.badge(name, color_scheme=color, variant="soft"))
            for name, color in _ACTION_COLORS.items()
        ],
        rx.badge(action, variant="soft"),
    )


def _status(status) -> rx.Component:
    return rx.cond(
        status == "Success",
        rx.hstack(
            rx.icon("circle-check", size=14, color=rx.color("green", 10)),
            rx.text("Success", size="2"),
            spacing="1",
            align="center",
        ),
        rx.hstack(
            rx.icon("circle-x", size=14, color=rx.color("red", 10)),
            rx.text(status, size="2"),
            spacing="1",
            align="center",
        ),
    )


def _description_part(part: rx.Var) -> rx.Component:
    return rx.cond(
        part.href != "",
        rx.link(part.text, href=part.href, weight="medium"),
        rx.text.span(part.text),
    )


def _row(entry: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.text(entry.user, size="2", weight="medium")),
        rx.table.cell(
            rx.text(
                rx.foreach(entry.description, _description_part),
                size="2",
            ),
            max_width="420px",
        ),
        rx.table.cell(_action_badge(entry.action)),
        rx.table.cell(rx.text(entry.resource, size="2")),
        rx.table.cell(_status(entry.status)),
        rx.table.cell(
            rx.text(
                entry.timestamp,
                size="2",
                color=rx.color("gray", 11),
                white_space="nowrap",
            )
        ),
        align="center",
    )


def _toolbar() -> rx.Component:
    return rx.hstack(
        rx.input(
            rx.input.slot(rx.icon("search", size=16)),
            placeholder="Search description or user",
            value=S.search,
            on_change=S.set_search.debounce(300),
            aria_label="Search audit log",
            width="320px",
        ),
        rx.select.root(
            rx.select.trigger(aria_label="Filter by action", min_width="160px"),
            rx.select.content(*[rx.select.item(a, value=a) for a in ACTION_CHOICES]),
            value=S.action_filter,
            on_change=S.set_action_filter,
        ),
        rx.cond(
            S.filtered,
            rx.button("Clear", variant="ghost", color_scheme="gray", on_click=S.clear_filters),
        ),
        rx.spacer(),
        rx.text(S.range_label, size="2", color=rx.color("gray", 11)),
        width="100%",
        align="center",
        spacing="3",
        padding_bottom="12px",
        wrap="wrap",
    )


def _pager() -> rx.Component:
    return rx.hstack(
        rx.text(
            "Page ",
            S.page.to_string(),
            " of ",
            S.page_count.to_string(),
            size="2",
            color=rx.color("gray", 11),
        ),
        rx.spacer(),
        rx.button(
            rx.icon("chevron-left", size=16),
            "Prev",
            variant="soft",
            color_scheme="gray",
            on_click=S.prev_page,
            disabled=~S.has_prev,
        ),
        rx.button(
            "Next",
            rx.icon("chevron-right", size=16),
            variant="soft",
            color_scheme="gray",
            on_click=S.next_page,
            disabled=~S.has_next,
        ),
        width="100%",
        align="center",
        spacing="2",
        padding_top="12px",
    )


def _table() -> rx.Component:
    return rx.table.root(
        rx.table.header(
            rx.table.row(
                *[
                    rx.table.column_header_cell(c)
                    for c in ("User", "Description", "Action", "Resource", "Status", "Timestamp")
                ]
            )
        ),
        rx.table.body(rx.foreach(S.entries, _row)),
        variant="surface",
        size="2",
        width="100%",
    )


def page() -> rx.Component:
    return dashboard(
        page_header("Audit Logs", _subtitle()),
        rx.cond(
            ~S.loaded,
            rx.center(rx.spinner(size="3"), padding="48px"),
            rx.vstack(
                _toolbar(),
                rx.cond(
                    S.entries.length() > 0,
                    rx.vstack(_table(), _pager(), width="100%", spacing="0"),
                    rx.cond(
                        S.filtered,
                        empty_state(
                            "search-x",
                            "No matching activity",
                            "Nothing matches this search or filter.",
                            rx.button(
                                "Clear filters",
                                variant="soft",
                                color_scheme=ACCENT,
                                on_click=S.clear_filters,
                            ),
                        ),
                        empty_state(
                            "scroll-text",
                            "No activity yet",
                            "Changes to contacts, forms, settings and your team will show up here.",
                        ),
                    ),
                ),
                width="100%",
                spacing="0",
            ),
        ),
    )


def register(app: rx.App) -> None:
    app.add_page(
        page,
        route=routes.AUDIT,
        title="Audit Logs · Agent CRM",
        on_load=[AppState.load_shell, S.load],
    )
