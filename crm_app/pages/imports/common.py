"""Pieces every step of the import wizard uses: the stepper, the step's card and footer,
and the job statuses' labels and colours."""

from __future__ import annotations

import reflex as rx

from crm_app.components.kit import MUTED, card
from crm_app.components.layout import ACCENT
from crm_app.state.imports import ImportState as S

UPLOAD_ID = "import-upload"
STEP_LABELS = [
    ("upload", "Upload"),
    ("map", "Map columns"),
    ("preview", "Preview"),
    ("policy", "Options"),
    ("import", "Import"),
]
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


def step_heading(title, *text, **props) -> rx.Component:
    """A step's (or a section's) title with the explanation under it."""
    return rx.vstack(
        rx.heading(title, size="4"), rx.text(*text, size="2", color=MUTED), spacing="1", **props
    )


def step_card(*children, **props) -> rx.Component:
    return card(rx.vstack(*children, spacing="4", width="100%"), padding="24px", **props)


def step_footer(*children) -> rx.Component:
    """The step's buttons, on the right (they wrap on a phone)."""
    return rx.hstack(
        *children,
        width="100%",
        justify="end",
        align="center",
        spacing="3",
        padding_top="8px",
        wrap="wrap",
    )


def stepper() -> rx.Component:
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
                    rx.text(label, size="2", color=MUTED, display=["none", "none", "block"]),
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
