"""CRM → Forms: the list of an agent's forms with its create, share and delete dialogs."""

from __future__ import annotations

import reflex as rx

from crm_app.components.kit import (
    card,
    confirm_dialog,
    dialog,
    dialog_footer,
    form_dialog,
    icon_action,
    labelled,
)
from crm_app.components.layout import dashboard, empty_state, page_header
from crm_app.pages.forms.common import not_found, share_panel, status_badge
from crm_app.state.forms import FormsListState


def _form_row(f) -> rx.Component:
    S = FormsListState
    agent = S.agent_key
    edit_href = "/agents/" + agent + "/crm/forms/" + f.id
    return rx.table.row(
        rx.table.cell(
            rx.link(
                rx.text(f.name, weight="medium"),
                href=edit_href,
                color=rx.color("gray", 12),
            )
        ),
        rx.table.cell(status_badge(f.status)),
        rx.table.cell(rx.link(f.submissions.to_string(), href=edit_href + "/submissions")),
        rx.table.cell(rx.text(f.last, color=rx.color("gray", 11), size="2")),
        rx.table.cell(
            rx.hstack(
                rx.tooltip(
                    rx.link(
                        rx.icon_button(
                            rx.icon("pencil", size=15),
                            variant="ghost",
                            color_scheme="gray",
                            aria_label="Edit " + f.name,
                        ),
                        href=edit_href,
                    ),
                    content=rx.cond(S.can_edit, "Edit", "View"),
                ),
                icon_action("share-2", "Share " + f.name, "Share", S.open_share(f.id), size="2"),
                rx.cond(
                    S.can_edit,
                    rx.fragment(
                        icon_action(
                            "copy", "Duplicate " + f.name, "Duplicate", S.duplicate(f.id), size="2"
                        ),
                        icon_action(
                            "trash-2",
                            "Delete " + f.name,
                            "Delete",
                            S.ask_delete(f.id),
                            color_scheme="red",
                            size="2",
                        ),
                    ),
                ),
                spacing="3",
                justify="end",
            ),
        ),
        align="center",
    )


def _create_dialog() -> rx.Component:
    S = FormsListState
    return form_dialog(
        "Create form",
        labelled(
            "Form name",
            rx.input(
                id="new-form-name",
                name="name",
                placeholder="e.g. Book a visit",
                width="100%",
                auto_focus=True,
                max_length=120,
            ),
            S.new_name_error,
            html_for="new-form-name",
        ),
        description="Give it a name your team will recognize. You can change it later.",
        submit=rx.button("Create form", type="submit"),
        on_submit=S.create,
        open=S.create_open,
        on_open_change=S.set_open("create_open"),
        max_width="440px",
    )


def _share_dialog() -> rx.Component:
    S = FormsListState
    return dialog(
        rx.fragment("Share “", S.share_name, "”"),
        share_panel(S.share_url, S.share_embed, S.share_qr, S.share_status),
        dialog_footer(rx.dialog.close(rx.button("Done", variant="soft")), cancel=None),
        open=S.share_open,
        on_open_change=S.set_open("share_open"),
        max_width="560px",
    )


def _delete_dialog() -> rx.Component:
    S = FormsListState
    return confirm_dialog(
        "Delete form?",
        rx.fragment(
            "“",
            S.delete_name,
            "” and all its submissions will be deleted. Contacts created from it stay. "
            "This can't be undone.",
        ),
        rx.button("Delete form", color_scheme="red", on_click=S.confirm_delete),
        open=S.delete_open,
        on_open_change=S.set_open("delete_open"),
        closes=True,
    )


def list_page() -> rx.Component:
    S = FormsListState
    create = rx.cond(
        S.can_edit, rx.button(rx.icon("plus", size=16), "Create form", on_click=S.open_create)
    )
    return dashboard(
        rx.cond(
            S.load_error != "",
            not_found(S.load_error),
            rx.vstack(
                page_header(
                    "Forms",
                    "Public forms for your website, flyers and QR codes. Every submission "
                    "with an email or phone becomes a contact.",
                    create,
                ),
                rx.cond(
                    S.forms.length() > 0,
                    card(
                        rx.table.root(
                            rx.table.header(
                                rx.table.row(
                                    rx.table.column_header_cell("Name"),
                                    rx.table.column_header_cell("Status"),
                                    rx.table.column_header_cell("Submissions"),
                                    rx.table.column_header_cell("Last submission"),
                                    rx.table.column_header_cell(
                                        rx.text("Actions", text_align="right"), justify="end"
                                    ),
                                )
                            ),
                            rx.table.body(rx.foreach(S.forms, _form_row)),
                            width="100%",
                            variant="ghost",
                        ),
                        padding="8px 16px",
                        width="100%",
                    ),
                    rx.cond(
                        S.loaded,
                        empty_state(
                            "file-text",
                            "No forms yet",
                            "Build a booking or contact form in minutes: drag questions in, publish, and share the "
                            "link or QR code.",
                            create,
                        ),
                        rx.center(rx.spinner(), padding="40px"),
                    ),
                ),
                width="100%",
                spacing="0",
            ),
        ),
        _create_dialog(),
        _share_dialog(),
        _delete_dialog(),
    )
