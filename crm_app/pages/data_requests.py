"""CRM → Data requests: visitors signed in to a gated agent who asked to have their data
erased. Open requests with one-click Erase (confirmed) and Dismiss; handled ones below a
tab, for the record. The sidebar link with its badge and the Contacts page callout are in
components/data_requests.py."""

from __future__ import annotations

import reflex as rx

from crm_app import routes
from crm_app.components.kit import agent_screen, card, confirm_dialog
from crm_app.components.layout import dashboard, empty_state, page_header
from crm_app.state.base import AppState
from crm_app.state.data_requests import DataRequestsState as S

ERASE_TEXT = (
    "Everything the CRM holds about this contact goes for good: details and custom values, "
    "notes, files, form submissions, conversations and access passes; they are signed out. "
    "The audit log keeps an entry without personal data."
)


def _who(row) -> rx.Component:
    name = rx.text(row.name, size="3", weight="medium", trim="both")
    return rx.vstack(
        rx.cond(
            row.contact_id != "",
            rx.link(
                name,
                href=routes.agent_path(routes.CONTACTS, S.current_agent_key) + "/" + row.contact_id,
            ),
            name,
        ),
        rx.cond(row.email != "", rx.text(row.email, size="2", color=rx.color("gray", 11))),
        rx.text("Asked " + row.requested, size="1", color=rx.color("gray", 10)),
        spacing="1",
        flex="1 1 220px",
        min_width="0",
    )


def _status(row) -> rx.Component:
    return rx.vstack(
        rx.match(
            row.status,
            ("erased", rx.badge("Erased", color_scheme="red", variant="soft")),
            ("dismissed", rx.badge("Dismissed", color_scheme="gray", variant="soft")),
            rx.badge("Open", color_scheme="amber", variant="soft"),
        ),
        rx.cond(
            row.handled != "",
            rx.text(
                row.handled + " · " + row.handled_by,
                size="1",
                color=rx.color("gray", 10),
            ),
        ),
        spacing="1",
        # Right of the name; under it, left-aligned, when a phone wraps the row.
        align_items=["flex-start", "flex-end"],
        margin_left=["0", "auto"],
    )


def _row(row) -> rx.Component:
    return card(
        rx.hstack(
            _who(row),
            rx.cond(
                row.status == "open",
                rx.hstack(
                    rx.button(
                        "Dismiss",
                        variant="soft",
                        color_scheme="gray",
                        on_click=S.dismiss(row.id),
                        aria_label="Dismiss the request of " + row.name,
                    ),
                    rx.button(
                        rx.icon("trash-2", size=15),
                        "Erase contact",
                        color_scheme="red",
                        on_click=S.ask_erase(row.id, row.name),
                        aria_label="Erase " + row.name,
                    ),
                    spacing="2",
                ),
                _status(row),
            ),
            width="100%",
            align="center",
            wrap="wrap",
            spacing="3",
        ),
        padding="14px 16px",
    )


def _tabs() -> rx.Component:
    return rx.segmented_control.root(
        rx.segmented_control.item(
            rx.cond(S.open_total > 0, "Open (" + S.open_total.to_string() + ")", "Open"),
            value="open",
        ),
        rx.segmented_control.item("Handled", value="handled"),
        value=S.tab,
        on_change=S.set_tab,
        size="2",
    )


def _list() -> rx.Component:
    return rx.vstack(
        _tabs(),
        rx.cond(
            S.rows.length() > 0,
            rx.vstack(rx.foreach(S.rows, _row), spacing="2", width="100%"),
            rx.cond(
                S.tab == "open",
                empty_state(
                    "shield-check",
                    "No open requests",
                    "When a visitor signed in to this agent asks to have their data erased, "
                    "the request shows here and Owners and Admins get an email.",
                ),
                empty_state("history", "Nothing handled yet", "Erased and dismissed requests."),
            ),
        ),
        spacing="3",
        width="100%",
    )


def _erase_dialog() -> rx.Component:
    return confirm_dialog(
        "Erase " + S.erase_name + "?",
        ERASE_TEXT,
        rx.button("Erase contact", color_scheme="red", loading=S.busy, on_click=S.erase),
        open=S.erase_open,
        on_open_change=S.set_open("erase_open"),
    )


def page() -> rx.Component:
    return dashboard(
        page_header(
            "Data requests",
            "Visitors signed in to this agent who asked to have their data erased.",
        ),
        agent_screen(S.loaded, S.load_error, _list()),
        _erase_dialog(),
    )


def register(app: rx.App) -> None:
    app.add_page(
        page,
        route=routes.DATA_REQUESTS,
        title="Data requests · Agent CRM",
        on_load=[AppState.load_shell, S.load],
    )
