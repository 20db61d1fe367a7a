"""CRM → Contacts → Import CSV: the wizard and the import history."""

from __future__ import annotations

import reflex as rx

from crm_app import routes
from crm_app.components.kit import download_button
from crm_app.components.layout import dashboard, page_header
from crm_app.pages.imports.common import stepper
from crm_app.pages.imports.preview import policy_step, preview_step
from crm_app.pages.imports.progress import history, import_step, undo_dialog
from crm_app.pages.imports.upload import map_step, new_field_dialog, upload_step
from crm_app.state.imports import ImportState as S


def page() -> rx.Component:
    return dashboard(
        page_header(
            "Import contacts",
            "Bring contacts in from a CSV file: map the columns, check the rows, then import.",
            download_button("Download template", S.template_href, color_scheme="gray"),
            rx.link(
                rx.button(rx.icon("arrow-left", size=15), "Back to Contacts", variant="soft"),
                href=S.contacts_href,
            ),
        ),
        stepper(),
        rx.match(
            S.step,
            ("map", map_step()),
            ("preview", preview_step()),
            ("policy", policy_step()),
            ("import", import_step()),
            upload_step(),
        ),
        history(),
        new_field_dialog(),
        undo_dialog(),
    )


def register(app: rx.App) -> None:
    app.add_page(
        page, route=routes.IMPORT, title="Import contacts · Agent CRM", on_load=S.load_page
    )
