"""CRM → Forms. The builder is issue #6's; until then its empty state."""

import reflex as rx

from crm_app import routes
from crm_app.components.layout import dashboard, empty_state, page_header
from crm_app.state.base import AppState


def page() -> rx.Component:
    return dashboard(
        page_header("Forms", "Build public forms whose submissions become contacts."),
        empty_state("file-text", "No forms yet", "Forms you create for this agent will be listed here."),
    )


def register(app: rx.App) -> None:
    app.add_page(page, route=routes.FORMS, title="Forms · Agent CRM", on_load=AppState.load_shell)
