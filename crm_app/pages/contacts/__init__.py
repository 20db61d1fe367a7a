"""CRM → Contacts: the list (search, filters, columns, saved views, pages) and Add Contact."""

from __future__ import annotations

import reflex as rx

from crm_app import routes
from crm_app.components.data_requests import contacts_callout
from crm_app.components.kit import download_button, search_input
from crm_app.components.layout import dashboard, empty_state, page_header
from crm_app.pages.contacts.add_dialog import add_dialog
from crm_app.pages.contacts.table import bulk_bar, delete_dialog, pager, table
from crm_app.pages.contacts.toolbar import columns_menu, filters_popover, views_bar
from crm_app.state.contacts import ContactsState as S


def page() -> rx.Component:
    return dashboard(
        page_header(
            "Contacts",
            S.subtitle,
            rx.link(
                rx.button(
                    rx.icon("kanban", size=15), "Pipeline", variant="soft", color_scheme="gray"
                ),
                href=routes.agent_path(routes.PIPELINE, S.current_agent_key),
            ),
            rx.button(rx.icon("plus", size=15), "Add Contact", on_click=S.open_add),
        ),
        contacts_callout(),  # visitors' open erasure requests
        rx.hstack(
            search_input(S.search, S.set_search, "Search contacts", "Search name, email or phone"),
            filters_popover(),
            columns_menu(),
            rx.spacer(),
            rx.cond(
                S.is_admin & (S.selection_count == 0),
                download_button("Export", S.export_href, color_scheme="gray"),
            ),
            views_bar(),
            width="100%",
            align="center",
            padding_bottom="14px",
            wrap="wrap",
        ),
        rx.cond(
            S.agent_total == 0,
            empty_state(
                "users",
                "No contacts yet",
                "No contacts yet. Add your first contact to get started.",
                rx.button(rx.icon("plus", size=15), "Add Contact", on_click=S.open_add),
            ),
            rx.cond(
                S.total == 0,
                empty_state(
                    "search-x",
                    "No matching contacts",
                    "Try another search or clear the filters.",
                    rx.button("Clear filters", variant="soft", on_click=S.clear_filters),
                ),
                rx.vstack(bulk_bar(), table(), pager(), width="100%", spacing="0"),
            ),
        ),
        add_dialog(),
        delete_dialog(),
    )


def register(app: rx.App) -> None:
    app.add_page(page, route=routes.CONTACTS, title="Contacts · Agent CRM", on_load=S.load_page)
