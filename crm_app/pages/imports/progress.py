"""Import wizard step 5 (progress and summary) and the import history with undo."""

from __future__ import annotations

import reflex as rx

from crm_app.components.kit import MUTED, confirm_dialog, download_button
from crm_app.pages.imports.common import STATUS_COLORS, STATUS_LABELS, step_card, step_footer
from crm_app.state.imports import ImportState as S


def _summary_number(label: str, value, color: str) -> rx.Component:
    return rx.vstack(
        rx.text(value.to_string(), size="6", weight="bold", color=rx.color(color, 11)),
        rx.text(label, size="2", color=MUTED),
        spacing="0",
        align="center",
        padding="14px",
        flex="1",
        border_radius="10px",
        background=rx.color(color, 2),
        border=f"1px solid {rx.color(color, 5)}",
    )


def import_step() -> rx.Component:
    return step_card(
        rx.hstack(
            rx.vstack(
                rx.heading(S.phase, size="4"),
                rx.text(S.filename, size="2", color=MUTED),
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
                    color=MUTED,
                ),
                rx.text(
                    "You can leave this page; the import keeps running and this page shows where it is "
                    "when you come back.",
                    size="1",
                    color=MUTED,
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
            step_footer(
                rx.cond(
                    S.has_errors,
                    download_button("Download error report", S.error_href, color_scheme="red"),
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


def _history_row(job: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.text(job.filename, size="2", weight="medium")),
        rx.table.cell(rx.text(job.by, size="2")),
        rx.table.cell(rx.text(job.when, size="2", color=MUTED)),
        rx.table.cell(rx.text(job.summary, size="2")),
        rx.table.cell(
            rx.badge(
                rx.match(job.status, *STATUS_LABELS.items(), job.status),
                color_scheme=rx.match(job.status, *STATUS_COLORS.items(), "gray"),
                variant="soft",
            )
        ),
        rx.table.cell(
            rx.cond(
                job.can_undo,
                rx.button(
                    "Undo",
                    size="1",
                    variant="soft",
                    color_scheme="gray",
                    on_click=S.ask_undo(job.id),
                    aria_label="Undo import of " + job.filename,
                ),
            )
        ),
        align="center",
    )


def history() -> rx.Component:
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


def undo_dialog() -> rx.Component:
    return confirm_dialog(
        "Undo this import?",
        "Contacts it created are deleted and contacts it updated get their previous values back. "
        "This cannot be reversed.",
        rx.button("Undo import", color_scheme="red", on_click=S.undo),
        open=S.confirm_undo_id != 0,
        on_open_change=S.cancel_undo,
        closes=True,
    )
