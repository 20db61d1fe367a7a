"""CRM → Contacts → Import CSV: the wizard and the import history."""

from __future__ import annotations

import reflex as rx

from crm_app import routes
from crm_app.components.layout import ACCENT, dashboard, page_header
from crm_app.services.fields import CHOICE_TYPES, FIELD_TYPES
from crm_app.state.imports import IGNORE, NEW_FIELD
from crm_app.state.imports import ImportState as S

UPLOAD_ID = "import-upload"
STEP_LABELS = [
    ("upload", "Upload"),
    ("map", "Map columns"),
    ("preview", "Preview"),
    ("policy", "Options"),
    ("import", "Import"),
]
_MUTED = rx.color("gray", 11)
STATUS_COLORS = {
    "done": "green",
    "failed": "red",
    "undone": "gray",
    "importing": "blue",
    "checking": "blue",
    "queued": "blue",
}
STATUS_LABELS = {
    "done": "Imported",
    "failed": "Failed",
    "undone": "Undone",
    "importing": "Importing",
    "checking": "Checking",
    "queued": "Queued",
}


def _stepper() -> rx.Component:
    items = []
    for index, (_key, label) in enumerate(STEP_LABELS):
        done = S.step_index > index
        current = S.step_index == index
        items.append(
            rx.hstack(
                rx.center(
                    rx.cond(
                        done,
                        rx.icon("check", size=14),
                        rx.text(str(index + 1), size="1", weight="bold"),
                    ),
                    width="26px",
                    height="26px",
                    border_radius="999px",
                    background=rx.cond(done | current, rx.color(ACCENT, 9), rx.color("gray", 4)),
                    color=rx.cond(done | current, "white", rx.color("gray", 11)),
                ),
                # Below 768 px only the current step keeps its label, so the steps fit a phone.
                rx.cond(
                    current,
                    rx.text(label, size="2", weight="bold", color=rx.color("gray", 12)),
                    rx.text(label, size="2", color=_MUTED, display=["none", "none", "block"]),
                ),
                spacing="2",
                align="center",
                aria_current=rx.cond(current, "step", ""),
            )
        )
        if index < len(STEP_LABELS) - 1:
            items.append(
                rx.box(
                    height="1px",
                    flex="1",
                    min_width="16px",
                    background=rx.cond(done, rx.color(ACCENT, 8), rx.color("gray", 6)),
                )
            )
    return rx.hstack(
        *items,
        align="center",
        spacing="3",
        width="100%",
        padding_bottom="20px",
        role="list",
        aria_label="Import steps",
    )


def _card(*children, **props) -> rx.Component:
    return rx.card(rx.vstack(*children, spacing="4", width="100%"), size="3", width="100%", **props)


def _footer(*children) -> rx.Component:
    return rx.hstack(
        *children,
        width="100%",
        justify="end",
        align="center",
        spacing="3",
        padding_top="8px",
        wrap="wrap",
    )


# ------------------------------------------------------------------ step 1: upload


def _upload_step() -> rx.Component:
    return _card(
        rx.vstack(
            rx.heading("Upload a CSV file", size="4"),
            rx.text(
                "Export your contacts from a spreadsheet or another tool as CSV. We detect the encoding and "
                "separator for you, and nothing is imported until you confirm.",
                size="2",
                color=_MUTED,
            ),
            spacing="1",
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
                    color=_MUTED,
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
                rx.el.a(
                    "Download the template",
                    href=S.template_href,
                    reload_document=True,
                    download=True,
                    style={"color": rx.color(ACCENT, 11), "font-weight": 500},
                ),
                " — it has a column for each of this agent's fields.",
                size="2",
                color=_MUTED,
            ),
            spacing="2",
            align="center",
        ),
    )


# ------------------------------------------------------------------ step 2: map


def _mapping_row(header: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.text(header, weight="medium", size="2")),
        rx.table.cell(
            rx.text(
                S.samples[header].to(str),
                size="2",
                color=_MUTED,
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
                        rx.foreach(
                            S.targets, lambda t: rx.select.item(t["label"], value=t["value"])
                        ),
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


def _map_step() -> rx.Component:
    return _card(
        rx.hstack(
            rx.vstack(
                rx.heading("Map columns to contact fields", size="4"),
                rx.text(
                    "We matched the columns we recognised. Check each one, pick a field, create a new custom "
                    "field, or leave it out.",
                    size="2",
                    color=_MUTED,
                ),
                spacing="1",
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
        rx.text(S.file_facts, size="1", color=_MUTED),
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
        _footer(
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


def _new_field_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("Create new custom field"),
            rx.dialog.description(
                "The column “" + S.new_field_header + "” will be imported into it.", size="2"
            ),
            rx.form(
                rx.vstack(
                    rx.vstack(
                        rx.el.label(
                            "Label",
                            html_for="new-field-label",
                            style={"font-size": "14px", "font-weight": 500},
                        ),
                        rx.input(
                            id="new-field-label",
                            name="label",
                            default_value=S.new_field_header,
                            width="100%",
                            auto_focus=True,
                        ),
                        spacing="1",
                        width="100%",
                    ),
                    rx.vstack(
                        rx.text("Type", size="2", weight="medium"),
                        rx.select.root(
                            rx.select.trigger(width="100%", aria_label="Field type"),
                            rx.select.content(*[rx.select.item(t, value=t) for t in FIELD_TYPES]),
                            value=S.new_field_type,
                            on_change=S.set_new_field_type,
                        ),
                        spacing="1",
                        width="100%",
                    ),
                    rx.cond(
                        (S.new_field_type == CHOICE_TYPES[0])
                        | (S.new_field_type == CHOICE_TYPES[1]),
                        rx.vstack(
                            rx.el.label(
                                "Options (comma separated)",
                                html_for="new-field-options",
                                style={"font-size": "14px", "font-weight": 500},
                            ),
                            rx.input(
                                id="new-field-options",
                                name="options",
                                width="100%",
                                placeholder="Aetna, Cigna, Blue Shield",
                            ),
                            spacing="1",
                            width="100%",
                        ),
                    ),
                    rx.cond(
                        S.new_field_error != "",
                        rx.text(
                            S.new_field_error, size="1", color=rx.color("red", 11), role="alert"
                        ),
                    ),
                    rx.hstack(
                        rx.dialog.close(
                            rx.button("Cancel", type="button", variant="soft", color_scheme="gray")
                        ),
                        rx.button("Create field", type="submit"),
                        justify="end",
                        width="100%",
                        spacing="3",
                    ),
                    spacing="4",
                    width="100%",
                ),
                on_submit=S.create_field,
                reset_on_submit=False,
            ),
            max_width="440px",
        ),
        open=S.new_field_open,
        on_open_change=S.close_new_field,
    )


# ------------------------------------------------------------------ step 3: preview


def _stat(label: str, value, color: str, icon: str) -> rx.Component:
    return rx.hstack(
        rx.center(
            rx.icon(icon, size=16, color=rx.color(color, 11)),
            width="34px",
            height="34px",
            border_radius="10px",
            background=rx.color(color, 3),
        ),
        rx.vstack(
            rx.text(value.to_string(), weight="bold", size="4"),
            rx.text(label, size="1", color=_MUTED),
            spacing="0",
        ),
        spacing="3",
        align="center",
        padding="12px 14px",
        border=f"1px solid {rx.color('gray', 5)}",
        border_radius="10px",
        background=rx.color("gray", 1),
        flex="1",
        min_width="150px",
    )


def _preview_cell(cell: rx.Var) -> rx.Component:
    return rx.table.cell(
        rx.vstack(
            rx.text(
                cell["value"].to(str),
                size="2",
                max_width="220px",
                overflow="hidden",
                text_overflow="ellipsis",
                white_space="nowrap",
            ),
            rx.cond(
                cell["error"].to(str) != "",
                rx.text(
                    cell["error"].to(str), size="1", color=rx.color("red", 11), max_width="220px"
                ),
            ),
            spacing="1",
        ),
        background=rx.cond(cell["error"].to(str) != "", rx.color("red", 2), "transparent"),
    )


def _preview_row(row: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.text(row["row"].to_string(), size="1", color=_MUTED)),
        rx.table.cell(
            rx.cond(
                row["valid"].to(bool),
                rx.badge("Valid", color_scheme="green", variant="soft"),
                rx.badge("Invalid", color_scheme="red", variant="soft"),
            )
        ),
        rx.foreach(row["cells"].to(list[dict]), _preview_cell),
        rx.table.cell(rx.text(row["error"].to(str), size="1", color=rx.color("red", 11))),
    )


def _problems_banner() -> rx.Component:
    return rx.cond(
        S.count_invalid > 0,
        rx.callout.root(
            rx.callout.icon(rx.icon("triangle-alert", size=16)),
            rx.callout.text(
                rx.text.strong(S.problems_label),
                ". They are listed first, each problem next to its cell. "
                "Fix them in the file and upload it again, or import the valid rows only (next step).",
                rx.cond(
                    S.problems_hidden > 0,
                    " "
                    + S.problems_hidden.to_string()
                    + " more are not listed here; the error report "
                    "after the import lists them all.",
                    "",
                ),
            ),
            color_scheme="amber",
            width="100%",
            role="status",
        ),
        rx.callout.root(
            rx.callout.icon(rx.icon("circle-check", size=16)),
            rx.callout.text(S.problems_label + "."),
            color_scheme="green",
            width="100%",
            role="status",
        ),
    )


def _preview_step() -> rx.Component:
    return _card(
        rx.vstack(
            rx.heading("Preview", size="4"),
            rx.text(
                "Every row is checked as it will be imported: rows with problems come first, then the first "
                "good rows.",
                size="2",
                color=_MUTED,
            ),
            spacing="1",
        ),
        rx.hstack(
            _stat("valid rows", S.count_valid, "green", "circle-check"),
            _stat("rows with problems", S.count_invalid, "red", "circle-x"),
            _stat("duplicates in the file", S.count_duplicates, "amber", "copy"),
            _stat("match existing contacts", S.count_existing, "blue", "users"),
            spacing="3",
            width="100%",
            wrap="wrap",
        ),
        rx.cond(
            S.count_scanned < S.count_total,
            rx.text(
                "Counts cover the first "
                + S.count_scanned.to_string()
                + " of "
                + S.count_total.to_string()
                + " rows; every row is checked when you import.",
                size="1",
                color=_MUTED,
            ),
        ),
        _problems_banner(),
        rx.cond(
            S.count_invalid > 0,
            rx.segmented_control.root(
                rx.segmented_control.item(
                    "With problems (" + S.count_invalid.to_string() + ")", value="problems"
                ),
                rx.segmented_control.item("All rows", value="all"),
                value=S.preview_filter,
                on_change=S.set_preview_filter,
                aria_label="Rows shown",
            ),
        ),
        rx.box(
            rx.table.root(
                rx.table.header(
                    rx.table.row(
                        rx.table.column_header_cell("Row"),
                        rx.table.column_header_cell("Check"),
                        rx.foreach(
                            S.preview_columns,
                            lambda c: rx.table.column_header_cell(
                                rx.vstack(
                                    rx.text(c["field"], size="2"),
                                    rx.text(
                                        "from " + c["header"].to(str),
                                        size="1",
                                        color=_MUTED,
                                        weight="regular",
                                    ),
                                    spacing="0",
                                )
                            ),
                        ),
                        rx.table.column_header_cell("Problem"),
                    )
                ),
                rx.table.body(rx.foreach(S.shown_rows, _preview_row)),
                variant="surface",
                size="1",
                width="100%",
            ),
            overflow_x="auto",
            width="100%",
        ),
        _footer(
            rx.button(
                "Back to mapping", variant="soft", color_scheme="gray", on_click=S.go_to("map")
            ),
            rx.button("Continue", rx.icon("arrow-right", size=15), on_click=S.go_to("policy")),
        ),
    )


# ------------------------------------------------------------------ step 4: duplicates and options


def _choice(group: str, chosen, value: str, title: str, text) -> rx.Component:
    return rx.el.label(
        rx.hstack(
            rx.radio_group.item(value=value, id=f"{group}-{value}", aria_label=title),
            rx.vstack(
                rx.text(title, weight="medium", size="2"),
                rx.text(text, size="1", color=_MUTED),
                spacing="0",
            ),
            spacing="3",
            align="start",
            padding="12px 14px",
            border_radius="10px",
            width="100%",
            border=rx.cond(
                chosen == value,
                f"1.5px solid {rx.color(ACCENT, 8)}",
                f"1px solid {rx.color('gray', 5)}",
            ),
            background=rx.cond(chosen == value, rx.color(ACCENT, 2), rx.color("gray", 1)),
            cursor="pointer",
        ),
        html_for=f"{group}-{value}",
        style={"width": "100%"},
    )


def _policy_choice(value: str, title: str, text: str) -> rx.Component:
    return _choice("policy", S.policy, value, title, text)


def _policy_step() -> rx.Component:
    return _card(
        rx.vstack(
            rx.heading("Existing contacts", size="4"),
            rx.text(
                "A row matches an existing contact by external reference, then email, then mobile number. "
                "Rows that repeat a person inside the file are merged in file order.",
                size="2",
                color=_MUTED,
            ),
            spacing="1",
        ),
        rx.radio_group.root(
            rx.vstack(
                _policy_choice(
                    "skip", "Skip existing contacts", "Leave contacts you already have untouched."
                ),
                _policy_choice(
                    "fill",
                    "Fill empty fields",
                    "Add what is missing; never change a value that is already there.",
                ),
                _policy_choice(
                    "overwrite",
                    "Overwrite existing values",
                    "Replace values with the file's (values your team typed stay).",
                ),
                spacing="2",
                width="100%",
            ),
            value=S.policy,
            on_change=S.set_policy,
            width="100%",
            aria_label="Existing contacts",
        ),
        rx.vstack(
            rx.heading("Rows with problems", size="4", padding_top="12px"),
            rx.text(
                rx.cond(
                    S.count_invalid > 0,
                    S.problems_label + " in the preview. ",
                    "The preview found no problems, but every row is checked again when you import. ",
                ),
                "Choose what happens if a row cannot be imported:",
                size="2",
                color=_MUTED,
            ),
            spacing="1",
        ),
        rx.radio_group.root(
            rx.vstack(
                _choice(
                    "errors",
                    S.errors_choice,
                    "all_or_nothing",
                    "All or nothing",
                    "If any row has a problem, nothing is imported; you get the list of problems to fix.",
                ),
                _choice(
                    "errors",
                    S.errors_choice,
                    "valid_only",
                    "Import valid rows only",
                    rx.cond(
                        S.count_invalid > 0,
                        "The " + S.count_invalid.to_string() + " rows with problems are left out; "
                        "download them afterwards in the error report.",
                        "Rows with problems are left out; download them afterwards in the error report.",
                    ),
                ),
                spacing="2",
                width="100%",
            ),
            value=S.errors_choice,
            on_change=S.set_errors_choice,
            width="100%",
            aria_label="Rows with problems",
        ),
        _footer(
            rx.button(
                "Back to preview", variant="soft", color_scheme="gray", on_click=S.go_to("preview")
            ),
            rx.cond(
                S.errors_choice == "",
                rx.text("Choose what happens to rows with problems.", size="1", color=_MUTED),
            ),
            rx.button(
                rx.icon("upload", size=15),
                "Start import",
                on_click=S.start,
                disabled=S.errors_choice == "",
            ),
        ),
    )


# ------------------------------------------------------------------ step 5: progress and summary


def _summary_number(label: str, value, color: str) -> rx.Component:
    return rx.vstack(
        rx.text(value.to_string(), size="6", weight="bold", color=rx.color(color, 11)),
        rx.text(label, size="2", color=_MUTED),
        spacing="0",
        align="center",
        padding="14px",
        flex="1",
        border_radius="10px",
        background=rx.color(color, 2),
        border=f"1px solid {rx.color(color, 5)}",
    )


def _import_step() -> rx.Component:
    return _card(
        rx.hstack(
            rx.vstack(
                rx.heading(S.phase, size="4"),
                rx.text(S.filename, size="2", color=_MUTED),
                spacing="1",
            ),
            rx.spacer(),
            rx.cond(
                S.status != "",
                rx.badge(
                    rx.match(S.status, *STATUS_LABELS.items(), S.status),
                    color_scheme=rx.match(S.status, *STATUS_COLORS.items(), "gray"),
                    size="2",
                ),
            ),
            width="100%",
            align="start",
        ),
        rx.cond(
            S.running,
            rx.vstack(
                rx.progress(
                    value=S.percent, max=100, size="3", width="100%", aria_label="Import progress"
                ),
                rx.text(
                    S.processed.to_string()
                    + " of "
                    + S.total.to_string()
                    + " rows · "
                    + S.percent.to_string()
                    + "%",
                    size="2",
                    color=_MUTED,
                ),
                rx.text(
                    "You can leave this page; the import keeps running and this page shows where it is "
                    "when you come back.",
                    size="1",
                    color=_MUTED,
                ),
                spacing="2",
                width="100%",
            ),
        ),
        rx.cond(
            S.status == "failed",
            rx.callout.root(
                rx.callout.icon(rx.icon("circle-x", size=16)),
                rx.callout.text(S.message),
                color_scheme="red",
                role="alert",
                width="100%",
            ),
        ),
        rx.cond(
            (S.status == "done") | (S.status == "undone"),
            rx.hstack(
                _summary_number("created", S.created, "green"),
                _summary_number("updated", S.updated, "blue"),
                _summary_number("skipped", S.skipped, "gray"),
                _summary_number("failed", S.failed, "red"),
                spacing="3",
                width="100%",
            ),
        ),
        rx.cond(
            S.status == "undone",
            rx.callout.root(
                rx.callout.icon(rx.icon("undo-2", size=16)),
                rx.callout.text(
                    "This import was undone: its new contacts were removed and updated "
                    "contacts got their previous values back."
                ),
                color_scheme="gray",
                width="100%",
            ),
        ),
        rx.cond(
            ~S.running,
            _footer(
                rx.cond(
                    S.has_errors,
                    rx.el.a(
                        rx.button(
                            rx.icon("download", size=15),
                            "Download error report",
                            variant="soft",
                            color_scheme="red",
                        ),
                        href=S.error_href,
                        reload_document=True,
                        download=True,
                    ),
                ),
                rx.cond(
                    S.status == "done",
                    rx.button(
                        rx.icon("undo-2", size=15),
                        "Undo import",
                        variant="soft",
                        color_scheme="gray",
                        on_click=S.ask_undo(S.job_id),
                    ),
                ),
                rx.button("Import another file", variant="soft", on_click=S.go_to("upload")),
                rx.link(
                    rx.button("View contacts", rx.icon("arrow-right", size=15)),
                    href=S.contacts_href,
                ),
            ),
        ),
    )


# ------------------------------------------------------------------ history and undo


def _history_row(job: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.text(job["filename"].to(str), size="2", weight="medium")),
        rx.table.cell(rx.text(job["by"].to(str), size="2")),
        rx.table.cell(rx.text(job["when"].to(str), size="2", color=_MUTED)),
        rx.table.cell(rx.text(job["summary"].to(str), size="2")),
        rx.table.cell(
            rx.badge(
                rx.match(job["status"].to(str), *STATUS_LABELS.items(), job["status"].to(str)),
                color_scheme=rx.match(job["status"].to(str), *STATUS_COLORS.items(), "gray"),
                variant="soft",
            )
        ),
        rx.table.cell(
            rx.cond(
                job["can_undo"].to(bool),
                rx.button(
                    "Undo",
                    size="1",
                    variant="soft",
                    color_scheme="gray",
                    on_click=S.ask_undo(job["id"].to(int)),
                    aria_label="Undo import of " + job["filename"].to(str),
                ),
            )
        ),
        align="center",
    )


def _history() -> rx.Component:
    return rx.cond(
        S.history.length() > 0,
        rx.vstack(
            rx.heading("Import history", size="4", padding_top="28px"),
            rx.box(
                rx.table.root(
                    rx.table.header(
                        rx.table.row(
                            *[
                                rx.table.column_header_cell(h)
                                for h in (
                                    "File",
                                    "Imported by",
                                    "When (UTC)",
                                    "Result",
                                    "Status",
                                    "",
                                )
                            ]
                        )
                    ),
                    rx.table.body(rx.foreach(S.history, _history_row)),
                    variant="surface",
                    width="100%",
                ),
                overflow_x="auto",
                width="100%",
            ),
            width="100%",
            spacing="3",
        ),
    )


def _undo_dialog() -> rx.Component:
    return rx.alert_dialog.root(
        rx.alert_dialog.content(
            rx.alert_dialog.title("Undo this import?"),
            rx.alert_dialog.description(
                "Contacts it created are deleted and contacts it updated get their previous values back. "
                "This cannot be reversed.",
                size="2",
            ),
            rx.hstack(
                rx.alert_dialog.cancel(rx.button("Cancel", variant="soft", color_scheme="gray")),
                rx.alert_dialog.action(
                    rx.button("Undo import", color_scheme="red", on_click=S.undo)
                ),
                justify="end",
                spacing="3",
                padding_top="16px",
            ),
            max_width="440px",
        ),
        open=S.confirm_undo_id != 0,
        on_open_change=S.cancel_undo,
    )


def page() -> rx.Component:
    return dashboard(
        page_header(
            "Import contacts",
            "Bring contacts in from a CSV file: map the columns, check the rows, then import.",
            rx.el.a(
                rx.button(
                    rx.icon("download", size=15),
                    "Download template",
                    variant="soft",
                    color_scheme="gray",
                ),
                href=S.template_href,
                reload_document=True,
                download=True,
            ),
            rx.link(
                rx.button(rx.icon("arrow-left", size=15), "Back to Contacts", variant="soft"),
                href=S.contacts_href,
            ),
        ),
        _stepper(),
        rx.match(
            S.step,
            ("map", _map_step()),
            ("preview", _preview_step()),
            ("policy", _policy_step()),
            ("import", _import_step()),
            _upload_step(),
        ),
        _history(),
        _new_field_dialog(),
        _undo_dialog(),
    )


def register(app: rx.App) -> None:
    app.add_page(
        page, route=routes.IMPORT, title="Import contacts · Agent CRM", on_load=S.load_page
    )
