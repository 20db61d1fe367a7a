"""Import wizard steps 3 and 4: the preview of the rows (problems first) and the options
(duplicates policy, what happens to rows with problems)."""

from __future__ import annotations

import reflex as rx

from crm_app.components.kit import MUTED
from crm_app.components.layout import ACCENT
from crm_app.pages.imports.common import step_card, step_footer, step_heading
from crm_app.state.imports import ImportState as S


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
            rx.text(label, size="1", color=MUTED),
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
                cell.value,
                size="2",
                max_width="220px",
                overflow="hidden",
                text_overflow="ellipsis",
                white_space="nowrap",
            ),
            rx.cond(
                cell.error != "",
                rx.text(cell.error, size="1", color=rx.color("red", 11), max_width="220px"),
            ),
            spacing="1",
        ),
        background=rx.cond(cell.error != "", rx.color("red", 2), "transparent"),
    )


def _preview_row(row: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.text(row.row.to_string(), size="1", color=MUTED)),
        rx.table.cell(
            rx.cond(
                row.valid,
                rx.badge("Valid", color_scheme="green", variant="soft"),
                rx.badge("Invalid", color_scheme="red", variant="soft"),
            )
        ),
        rx.foreach(row.cells, _preview_cell),
        rx.table.cell(rx.text(row.error, size="1", color=rx.color("red", 11))),
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


def preview_step() -> rx.Component:
    return step_card(
        step_heading(
            "Preview",
            "Every row is checked as it will be imported: rows with problems come first, then the first "
            "good rows.",
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
                color=MUTED,
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
                                    rx.text(c.field, size="2"),
                                    rx.text(
                                        "from " + c.header,
                                        size="1",
                                        color=MUTED,
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
        step_footer(
            rx.button(
                "Back to mapping", variant="soft", color_scheme="gray", on_click=S.go_to("map")
            ),
            rx.button("Continue", rx.icon("arrow-right", size=15), on_click=S.go_to("policy")),
        ),
    )


def _choice(group: str, chosen, value: str, title: str, text) -> rx.Component:
    return rx.el.label(
        rx.hstack(
            rx.radio_group.item(value=value, id=f"{group}-{value}", aria_label=title),
            rx.vstack(
                rx.text(title, weight="medium", size="2"),
                rx.text(text, size="1", color=MUTED),
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


def policy_step() -> rx.Component:
    return step_card(
        step_heading(
            "Existing contacts",
            "A row matches an existing contact by external reference, then email, then mobile number. "
            "Rows that repeat a person inside the file are merged in file order.",
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
        step_heading(
            "Rows with problems",
            rx.cond(
                S.count_invalid > 0,
                S.problems_label + " in the preview. ",
                "The preview found no problems, but every row is checked again when you import. ",
            ),
            "Choose what happens if a row cannot be imported:",
            padding_top="12px",
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
        step_footer(
            rx.button(
                "Back to preview", variant="soft", color_scheme="gray", on_click=S.go_to("preview")
            ),
            rx.cond(
                S.errors_choice == "",
                rx.text("Choose what happens to rows with problems.", size="1", color=MUTED),
            ),
            rx.button(
                rx.icon("upload", size=15),
                "Start import",
                on_click=S.start,
                disabled=S.errors_choice == "",
            ),
        ),
    )
