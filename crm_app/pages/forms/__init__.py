"""CRM → Forms: the list, the drag-and-drop builder and the submissions view."""

from __future__ import annotations

import reflex as rx

from crm_app import routes
from crm_app.pages.forms.builder import builder_page
from crm_app.pages.forms.list import list_page
from crm_app.pages.forms.submissions import submissions_page
from crm_app.state.base import AppState
from crm_app.state.forms import FormBuilderState, FormsListState, SubmissionsState


def register(app: rx.App) -> None:
    app.add_page(
        list_page,
        route=routes.FORMS,
        title="Forms · Agent CRM",
        on_load=[AppState.load_shell, FormsListState.load],
    )
    app.add_page(
        builder_page,
        route=routes.FORM_BUILDER,
        title="Form builder · Agent CRM",
        on_load=[AppState.load_shell, FormBuilderState.load],
    )
    app.add_page(
        submissions_page,
        route=routes.FORM_SUBMISSIONS,
        title="Form submissions · Agent CRM",
        on_load=[AppState.load_shell, SubmissionsState.load],
    )
