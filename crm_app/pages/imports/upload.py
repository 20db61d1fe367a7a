"""Import wizard steps 1 and 2: upload the file, map its columns (and create a custom field
for a column)."""

from __future__ import annotations

import reflex as rx

from crm_app.components.kit import MUTED, download_link, form_dialog, labelled
from crm_app.components.layout import ACCENT, field_error
from crm_app.pages.imports.common import UPLOAD_ID, step_card, step_footer, step_heading
from crm_app.services.field_rules import CHOICE_TYPES, FIELD_TYPES
from crm_app.state.imports import IGNORE, NEW_FIELD
from crm_app.state.imports import ImportState as S


def upload_step() -> rx.Component:
    return step_card(
        step_heading(
            "Upload a CSV file",
            "Export your contacts from a spreadsheet or another tool as CSV. We detect the encoding and "
            "separator for you, and nothing is imported until you confirm.",
        ),
        rx.upload.root(
            rx.vstack(
                rx.center(
                    rx.icon("file-spreadsheet", size=24, color=rx.color(ACCENT, 10)),
                    width="52px",
                    height="52px",
                    border_radius="999px",
                    background=rx.color(ACCENT, 3),
                ),
                rx.text(rx.text.strong("Click to choose a CSV file"), " or drag it here", size="3"),
                rx.text(
                    "UTF-8, UTF-16 or Latin-1 · comma, semicolon or tab separated · up to 50 MB and "
                    "1,000,000 rows",
                    size="1",
                    color=MUTED,
                ),
                align="center",
                spacing="2",
            ),
            id=UPLOAD_ID,
            multiple=False,
            accept={
                "text/csv": [".csv"],
                "text/plain": [".csv", ".txt", ".tsv"],
                "application/vnd.ms-excel": [".csv"],
            },
            on_drop=S.upload(rx.upload_files(upload_id=UPLOAD_ID)),
            border=f"1.5px dashed {rx.color('gray', 7)}",
            border_radius="12px",
            padding="40px",
            width="100%",
            cursor="pointer",
            background=rx.color("gray", 1),
            _hover={"border_color": rx.color(ACCENT, 8), "background": rx.color(ACCENT, 2)},
        ),
        rx.cond(
            S.upload_error != "",
            rx.callout.root(
                rx.callout.icon(rx.icon("circle-alert", size=16)),
                rx.callout.text(S.upload_error),
                color_scheme="red",
                role="alert",
                width="100%",
            ),
        ),
        rx.hstack(
            rx.icon("lightbulb", size=15, color=rx.color("amber", 10)),
            rx.text(
                "Not sure about the columns? ",
                download_link(
                    "Download the template",
                    href=S.template_href,
                    style={"color": rx.color(ACCENT, 11), "font-weight": 500},
                ),
                " — it has a column for each of this agent's fields.",
                size="2",
                color=MUTED,
            ),
            spacing="2",
            align="center",
        ),
    )


def _mapping_row(header: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.text(header, weight="medium", size="2")),
        rx.table.cell(
            rx.text(
                S.samples[header].to(str),
                size="2",
                color=MUTED,
                max_width="320px",
                overflow="hidden",
                text_overflow="ellipsis",
                white_space="nowrap",
            )
        ),
        rx.table.cell(
            rx.select.root(
                rx.select.trigger(
                    placeholder="Don't import", width="100%", aria_label="Map column " + header
                ),
                rx.select.content(
                    rx.select.group(rx.select.item("Don't import", value=IGNORE)),
                    rx.select.separator(),
                    rx.select.group(
                        rx.select.label("Contact fields"),
                        rx.foreach(S.targets, lambda t: rx.select.item(t.name, value=t.id)),
                    ),
                    rx.select.separator(),
                    rx.select.group(rx.select.item("+ Create new custom field", value=NEW_FIELD)),
                ),
                value=S.mapping[header].to(str),
                on_change=lambda value: S.set_mapping(header, value),
                size="2",
            ),
            min_width="260px",
        ),
        align="center",
    )


def map_step() -> rx.Component:
    return step_card(
        rx.hstack(
            step_heading(
                "Map columns to contact fields",
                "We matched the columns we recognised. Check each one, pick a field, create a new custom "
                "field, or leave it out.",
                flex="1",
                min_width="240px",
            ),
            rx.badge(
                rx.icon("file-text", size=13),
                S.filename,
                variant="soft",
                size="2",
                color_scheme="gray",
            ),
            width="100%",
            align="start",
            wrap="wrap",
        ),
        rx.text(S.file_facts, size="1", color=MUTED),
        rx.box(
            rx.table.root(
                rx.table.header(
                    rx.table.row(
                        rx.table.column_header_cell("Column in your file"),
                        rx.table.column_header_cell("Sample values"),
                        rx.table.column_header_cell("Import as"),
                    )
                ),
                rx.table.body(rx.foreach(S.headers, _mapping_row)),
                variant="surface",
                width="100%",
            ),
            overflow_x="auto",
            width="100%",
        ),
        rx.cond(
            S.mapping_error != "",
            rx.callout.root(
                rx.callout.icon(rx.icon("circle-alert", size=16)),
                rx.callout.text(S.mapping_error),
                color_scheme="red",
                role="alert",
                width="100%",
            ),
        ),
        step_footer(
            rx.button(
                "Choose another file",
                variant="soft",
                color_scheme="gray",
                on_click=S.go_to("upload"),
            ),
            rx.button(
                "Continue to preview", rx.icon("arrow-right", size=15), on_click=S.to_preview
            ),
        ),
    )


def new_field_dialog() -> rx.Component:
    return form_dialog(
        "Create new custom field",
        labelled(
            "Label",
            rx.input(
                id="new-field-label",
                name="label",
                default_value=S.new_field_header,
                width="100%",
                auto_focus=True,
            ),
            html_for="new-field-label",
        ),
        labelled(
            "Type",
            rx.select.root(
                rx.select.trigger(width="100%", aria_label="Field type"),
                rx.select.content(*[rx.select.item(t, value=t) for t in FIELD_TYPES]),
                value=S.new_field_type,
                on_change=S.set_new_field_type,
            ),
        ),
        rx.cond(
            (S.new_field_type == CHOICE_TYPES[0]) | (S.new_field_type == CHOICE_TYPES[1]),
            labelled(
                "Options (comma separated)",
                rx.input(
                    id="new-field-options",
                    name="options",
                    width="100%",
                    placeholder="Aetna, Cigna, Blue Shield",
                ),
                html_for="new-field-options",
            ),
        ),
        field_error(S.new_field_error),
        submit=rx.button("Create field", type="submit"),
        on_submit=S.create_field,
        open=S.new_field_open,
        on_open_change=S.close_new_field,
        description="The column “" + S.new_field_header + "” will be imported into it.",
        max_width="440px",
    )
