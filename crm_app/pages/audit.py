"""Placeholder until its issue work lands."""

import reflex as rx

from crm_app import routes
from crm_app.components.layout import dashboard, page_header
from crm_app.state.base import AppState


def page() -> rx.Component:
    return dashboard(page_header("Audit Logs", ""))


def register(app: rx.App) -> None:
    app.add_page(page, route=routes.AUDIT, title="Audit Logs · Agent CRM", on_load=AppState.load_shell)
