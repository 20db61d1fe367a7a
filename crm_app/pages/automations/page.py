"""CRM → Automations: the `Contact created` trigger, Admin Assignment and
Contact Stage. Desktop only: small screens get the `Desktop Only` notice instead."""

from __future__ import annotations

import reflex as rx

from crm_app import routes
from crm_app.components.kit import agent_screen, card, read_only_notice
from crm_app.components.layout import dashboard, empty_state, page_header
from crm_app.pages.automations.assignment import assignment_tab
from crm_app.pages.automations.common import (
    LARGE,
    SMALL,
    SOURCE_HINTS,
    SOURCE_ICONS,
    icon_tile,
)
from crm_app.services.automations import SOURCES
from crm_app.state.automations import AutomationsState as S
from crm_app.state.base import AppState


def _trigger() -> rx.Component:
    return card(
        rx.hstack(
            icon_tile("zap", "amber"),
            rx.vstack(
                rx.hstack(
                    rx.text(
                        "Trigger",
                        size="1",
                        weight="bold",
                        color=rx.color("gray", 10),
                        text_transform="uppercase",
                        letter_spacing="0.04em",
                    ),
                    rx.badge("Active", color_scheme="green", variant="soft", size="1"),
                    spacing="2",
                    align="center",
                ),
                rx.text("Contact created", weight="bold", size="3"),
                rx.text(
                    "Runs once for every new contact of this agent, whatever its source. "
                    "Changes apply to contacts created afterwards; existing contacts keep their admins and stage.",
                    size="2",
                    color=rx.color("gray", 11),
                ),
                spacing="1",
            ),
            spacing="3",
            align="start",
        ),
        padding="16px 20px",
    )


# ---------------------------------------------------------------- Contact Stage


def _stage_row(source: str) -> rx.Component:
    return rx.table.row(
        rx.table.cell(
            rx.hstack(
                rx.icon(SOURCE_ICONS[source], size=16, color=rx.color("gray", 10)),
                rx.text(f"via {source}", weight="medium", size="2"),
                spacing="2",
                align="center",
            ),
        ),
        rx.table.cell(rx.text(SOURCE_HINTS[source], size="2", color=rx.color("gray", 11))),
        rx.table.cell(
            rx.select.root(
                rx.select.trigger(width="200px", aria_label=f"Starting stage via {source}"),
                rx.select.content(
                    rx.foreach(
                        S.stages,
                        lambda st: rx.select.item(st.name, value=st.id),
                    )
                ),
                value=S.stage_rules[source].to(str),
                on_change=lambda v: S.set_stage(source, v),
                disabled=~S.can_edit,
            ),
        ),
        align="center",
    )


def _stage_tab() -> rx.Component:
    return card(
        rx.hstack(
            icon_tile("git-branch"),
            rx.vstack(
                rx.heading("Starting stage", size="4", weight="bold"),
                rx.text(
                    "The pipeline stage a new contact starts in, for each way it is created. "
                    "Without a choice it is the first stage (Lead).",
                    size="2",
                    color=rx.color("gray", 11),
                ),
                spacing="1",
                flex="1",
            ),
            rx.cond(
                S.stages_dirty, rx.badge("Unsaved changes", color_scheme="amber", variant="soft")
            ),
            spacing="3",
            align="start",
            width="100%",
            padding_bottom="10px",
        ),
        rx.table.root(
            rx.table.header(
                rx.table.row(
                    rx.table.column_header_cell("Source"),
                    rx.table.column_header_cell("When"),
                    rx.table.column_header_cell("Starting stage"),
                )
            ),
            rx.table.body(*[_stage_row(src) for src in SOURCES]),
            width="100%",
            variant="ghost",
        ),
        rx.cond(
            S.can_edit,
            rx.hstack(
                rx.button(
                    rx.icon("check", size=16),
                    "Save",
                    on_click=S.save_stages,
                    aria_label="Save starting stages",
                ),
                justify="end",
                width="100%",
                padding_top="16px",
            ),
        ),
    )


# ---------------------------------------------------------------- page


def _content() -> rx.Component:
    return rx.vstack(
        rx.cond(
            ~S.can_edit,
            read_only_notice(
                "You can view these automations. Only Owners and Admins can change them."
            ),
        ),
        _trigger(),
        rx.tabs.root(
            rx.tabs.list(
                rx.tabs.trigger("Admin Assignment", value="assignment"),
                rx.tabs.trigger("Contact Stage", value="stage"),
            ),
            rx.tabs.content(assignment_tab(), value="assignment", padding_top="16px"),
            rx.tabs.content(_stage_tab(), value="stage", padding_top="16px"),
            value=S.tab,
            on_change=S.set_tab,
            width="100%",
        ),
        spacing="4",
        width="100%",
    )


def _desktop_only_notice() -> rx.Component:
    return empty_state(
        "monitor",
        "Desktop Only",
        "CRM Automations need a larger screen. Open this page on a computer to view or change them.",
    )


def page() -> rx.Component:
    return dashboard(
        page_header(
            "CRM Automations", "Configure what happens automatically when a contact is created."
        ),
        rx.box(_desktop_only_notice(), display=SMALL, width="100%"),
        rx.box(
            agent_screen(S.loaded, S.load_error, _content()),
            display=LARGE,
            width="100%",
        ),
    )


def register(app: rx.App) -> None:
    app.add_page(
        page,
        route=routes.AUTOMATIONS,
        title="Automations · Agent CRM",
        on_load=[AppState.load_shell, S.load],
    )
