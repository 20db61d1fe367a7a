"""Contact details → Files: upload, download and delete the contact's private files."""

from __future__ import annotations

import reflex as rx

from crm_app.components.kit import MUTED, SUBTLE, card, confirm_dialog
from crm_app.components.layout import ACCENT, empty_state
from crm_app.services.files import MAX_FILE_BYTES
from crm_app.state.contact_detail import UPLOAD_ID
from crm_app.state.contact_detail import ContactDetailState as S


def _file_row(f: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(
            rx.hstack(
                rx.icon("file", size=16, color=rx.color(ACCENT, 10)),
                rx.text(f["name"].to(str), size="2", weight="medium"),
                align="center",
                spacing="2",
            )
        ),
        rx.table.cell(rx.text(f["size"].to(str), size="2", color=MUTED)),
        rx.table.cell(rx.text(f["uploader"].to(str), size="2", color=MUTED)),
        rx.table.cell(rx.text(f["time"].to(str), size="2", color=MUTED)),
        rx.table.cell(
            rx.hstack(
                rx.el.a(
                    rx.button(rx.icon("download", size=14), "Download", size="1", variant="soft"),
                    href=f["url"].to(str),
                    download=f["name"].to(str),
                    reload_document=True,  # a real request to the download route, not client routing
                    aria_label="Download " + f["name"].to(str),
                ),
                rx.cond(
                    f["can_delete"].to(bool),
                    rx.icon_button(
                        rx.icon("trash-2", size=14),
                        size="1",
                        variant="ghost",
                        color_scheme="red",
                        aria_label="Delete " + f["name"].to(str),
                        on_click=S.ask_delete_file(f["id"].to(str)),
                    ),
                ),
                spacing="2",
                justify="end",
            ),
        ),
        align="center",
    )


def _upload_zone() -> rx.Component:
    return rx.upload.root(
        rx.vstack(
            rx.cond(
                S.uploading,
                rx.spinner(size="3"),
                rx.center(
                    rx.icon("cloud-upload", size=22, color=rx.color(ACCENT, 10)),
                    width="44px",
                    height="44px",
                    border_radius="999px",
                    background=rx.color(ACCENT, 3),
                ),
            ),
            rx.text(rx.text.strong("Click to upload"), " or drag files here", size="2"),
            rx.text(
                f"PDF, images, Office documents, text or CSV · up to {MAX_FILE_BYTES // (1024 * 1024)} MB each",
                size="1",
                color=SUBTLE,
            ),
            align="center",
            spacing="2",
        ),
        id=UPLOAD_ID,
        multiple=True,
        on_drop=S.upload_files(rx.upload_files(upload_id=UPLOAD_ID)),
        border=f"1.5px dashed {rx.color('gray', 7)}",
        border_radius="12px",
        padding="26px",
        width="100%",
        cursor="pointer",
        background=rx.color("gray", 1),
        _hover={"border_color": rx.color(ACCENT, 8), "background": rx.color(ACCENT, 2)},
    )


def files_tab() -> rx.Component:
    return rx.vstack(
        _upload_zone(),
        rx.cond(
            S.file_error != "",
            rx.callout(
                S.file_error,
                icon="circle-alert",
                color_scheme="red",
                size="1",
                width="100%",
                role="alert",
            ),
        ),
        rx.cond(
            S.files.length() > 0,
            card(
                rx.table.root(
                    rx.table.header(
                        rx.table.row(
                            rx.table.column_header_cell("Name"),
                            rx.table.column_header_cell("Size"),
                            rx.table.column_header_cell("Uploaded by"),
                            rx.table.column_header_cell("Uploaded"),
                            rx.table.column_header_cell(""),
                        )
                    ),
                    rx.table.body(rx.foreach(S.files, _file_row)),
                    width="100%",
                    variant="ghost",
                ),
                padding="8px 12px",
            ),
            empty_state(
                "paperclip",
                "No files yet",
                "Upload documents, images or spreadsheets for this contact. "
                "Files are private to your team.",
            ),
        ),
        confirm_dialog(
            "Delete file",
            "Delete " + S.delete_file_name + "? This can't be undone.",
            rx.button("Delete file", color_scheme="red", on_click=S.delete_file),
            open=S.delete_file_id != "",
            on_open_change=S.cancel_delete_file,
            closes=True,
        ),
        spacing="3",
        width="100%",
    )
