"""CRM → Contacts. The full screen is issue #3's; until then its honest empty state."""

import reflex as rx

from crm_app import routes
from crm_app.components.layout import dashboard, empty_state, page_header
from crm_app.state.base import AppState


def page() -> rx.Component:
    return dashboard(
        page_header("Contacts", "You have 0 contacts. Click any contact to view its details."),
        empty_state("users", "No contacts yet", "No contacts yet. Add your first contact to get started."),
    )


def register(app: rx.App) -> None:
    app.add_page(page, route=routes.CONTACTS, title="Contacts · Agent CRM", on_load=AppState.load_shell)
