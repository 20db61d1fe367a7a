"""CRM → Contacts → Pipeline: the contacts as a kanban board by stage."""

from __future__ import annotations

import reflex as rx

from crm_app import routes
from crm_app.components.dnd.kanban import kanban_board
from crm_app.components.kit import search_input
from crm_app.components.layout import dashboard, empty_state, page_header
from crm_app.state.pipeline import SEARCH_ID
from crm_app.state.pipeline import PipelineState as S


def _toolbar() -> rx.Component:
    return rx.hstack(
        search_input(
            S.search, S.set_search, "Search contacts", "Search name, email or phone", id=SEARCH_ID
        ),
        rx.cond(
            S.list_filters > 0,
            rx.hstack(
                rx.badge(
                    rx.icon("filter", size=12),
                    rx.cond(
                        S.list_filters == 1,
                        "1 filter from the list",
                        S.list_filters.to_string() + " filters from the list",
                    ),
                    variant="soft",
                    size="2",
                ),
                rx.button("Clear filters", variant="ghost", size="1", on_click=S.clear_filters),
                align="center",
                spacing="2",
            ),
        ),
        rx.spacer(),
        rx.cond(S.loaded & ~S.not_found, rx.text(S.summary, size="2", color=rx.color("gray", 11))),
        width="100%",
        align="center",
        padding_bottom="14px",
    )


def _board() -> rx.Component:
    return kanban_board(
        columns=S.columns,
        href_base=S.card_href,
        revision=S.revision,
        on_move=S.move_card,
        on_load_more=S.load_more,
    )


def _content() -> rx.Component:
    return rx.cond(
        ~S.loaded,
        rx.center(rx.spinner(size="3"), padding="80px"),
        rx.cond(
            S.not_found,
            empty_state(
                "search-x",
                "Agent not found",
                "This agent does not exist or you do not have access to it.",
                rx.link(rx.button("Back to agents", variant="soft"), href=routes.AGENTS),
            ),
            rx.cond(
                S.total > 0,
                _board(),
                rx.cond(
                    (S.search != "") | (S.list_filters > 0),
                    empty_state(
                        "search-x",
                        "No matching contacts",
                        "Try another search or clear the filters.",
                        rx.button("Clear filters", variant="soft", on_click=S.clear_filters),
                    ),
                    empty_state(
                        "kanban",
                        "No contacts yet",
                        "No contacts yet. Add your first contact to get started.",
                        rx.link(
                            rx.button(rx.icon("plus", size=15), "Add Contact"), href=S.contacts_href
                        ),
                    ),
                ),
            ),
        ),
    )


def page() -> rx.Component:
    return dashboard(
        page_header(
            "Pipeline",
            "Drag a contact to move it to another stage.",
            rx.link(
                rx.button(rx.icon("list", size=15), "List", variant="soft", color_scheme="gray"),
                href=S.contacts_href,
            ),
        ),
        _toolbar(),
        _content(),
    )


def register(app: rx.App) -> None:
    app.add_page(page, route=routes.PIPELINE, title="Pipeline · Agent CRM", on_load=S.load_page)
