"""CRM → Automations. The rules are issue #4's; until then its empty state."""

import reflex as rx

from crm_app import routes
from crm_app.components.layout import dashboard, empty_state, page_header
from crm_app.state.base import AppState


def page() -> rx.Component:
    return dashboard(
        page_header("CRM Automations", "Configure what happens automatically when a contact is created."),
        empty_state("zap", "No automations yet",
                    "New contacts go to the organization owner until you set up assignment rules."),
    )


def register(app: rx.App) -> None:
    app.add_page(page, route=routes.AUTOMATIONS, title="Automations · Agent CRM", on_load=AppState.load_shell)
