"""Contacts list table: sortable headers, cells, the bulk action bar, pager and delete dialog."""

from __future__ import annotations

import reflex as rx

from crm_app.components.kit import confirm_dialog, download_button
from crm_app.state.contacts import STATUSES
from crm_app.state.contacts import ContactsState as S


def _sort_header(col) -> rx.Component:
    arrow = rx.cond(
        (S.sort == col.key) | ((S.sort == "created") & (col.key == "created")),
        rx.cond(S.descending, rx.icon("arrow-down", size=13), rx.icon("arrow-up", size=13)),
        rx.fragment(),
    )
    return rx.table.column_header_cell(
        rx.hstack(
            rx.text(col.label),
            arrow,
            spacing="1",
            align="center",
            cursor="pointer",
            on_click=S.sort_by(col.key),
        ),
        white_space="nowrap",
    )


_PLAIN = ("email", "phone", "gender", "owner", "created")  # base columns shown as plain text


def _cell(row, col) -> rx.Component:
    """One cell: a base column by its field, a custom field by its key ("cf:<id>")."""
    return rx.table.cell(
        rx.match(
            col.key,
            ("name", rx.link(rx.text(row.name, weight="medium"), href=row.href)),
            (
                "status",
                rx.badge(
                    row.status,
                    color_scheme=rx.match(
                        row.status, ("Active", "green"), ("Blocked", "red"), "gray"
                    ),
                    variant="soft",
                ),
            ),
            (
                "stage",
                rx.cond(
                    row.stage != "",
                    rx.badge(row.stage, variant="outline", color_scheme="teal"),
                    rx.fragment(),
                ),
            ),
            ("source", rx.text(row.source, size="2", color_scheme="gray")),
            *[(key, rx.text(getattr(row, key), size="2")) for key in _PLAIN],
            rx.text(row.custom[col.key].to(str), size="2"),
        ),
        white_space="nowrap",
        max_width="260px",
        overflow="hidden",
        text_overflow="ellipsis",
    )


def _bulk_menu(label: str, icon: str, *items) -> rx.Component:
    """A bulk action's menu: a small soft button that opens its choices."""
    return rx.menu.root(
        rx.menu.trigger(
            rx.button(
                rx.icon(icon, size=14),
                label,
                rx.icon("chevron-down", size=12),
                size="1",
                variant="soft",
            )
        ),
        rx.menu.content(*items),
    )


def _choices_menu(label: str, icon: str, choices, action: str) -> rx.Component:
    """A bulk action that sets one of `choices` (Choice records: owner, stage)."""
    return _bulk_menu(
        label,
        icon,
        rx.foreach(choices, lambda c: rx.menu.item(c.name, on_click=S.bulk(action, c.id))),
    )


def bulk_bar() -> rx.Component:
    return rx.cond(
        S.selection_count > 0,
        rx.hstack(
            rx.text(S.selection_label, size="2", weight="medium"),
            rx.cond(
                ~S.all_matching & S.page_selected & (S.total > S.rows.length()),
                rx.link(
                    "Select all matching contacts",
                    size="2",
                    on_click=S.select_all_matching,
                    cursor="pointer",
                ),
            ),
            rx.link(
                "Clear", size="2", color_scheme="gray", on_click=S.clear_selection, cursor="pointer"
            ),
            rx.spacer(),
            _choices_menu("Owner", "user-round", S.members, "assign_owner"),
            _choices_menu("Stage", "kanban", S.stages, "change_stage"),
            _bulk_menu(
                "Status",
                "circle-dot",
                *[rx.menu.item(x, on_click=S.bulk("change_status", x)) for x in STATUSES],
            ),
            rx.cond(
                S.show_archived,
                rx.button(
                    rx.icon("archive-restore", size=14),
                    "Unarchive",
                    size="1",
                    variant="soft",
                    on_click=S.bulk("unarchive", ""),
                ),
                rx.button(
                    rx.icon("archive", size=14),
                    "Archive",
                    size="1",
                    variant="soft",
                    on_click=S.bulk("archive", ""),
                ),
            ),
            rx.cond(
                S.is_admin,
                rx.fragment(
                    download_button("Export", S.export_href, size="1"),
                    rx.button(
                        rx.icon("trash-2", size=14),
                        "Delete",
                        size="1",
                        variant="soft",
                        color_scheme="red",
                        on_click=S.set_open("confirm_delete_open", True),
                    ),
                ),
            ),
            width="100%",
            align="center",
            spacing="3",
            padding="8px 12px",
            margin_bottom="10px",
            border_radius="10px",
            background=rx.color("teal", 3),
            border=f"1px solid {rx.color('teal', 6)}",
        ),
    )


def delete_dialog() -> rx.Component:
    return confirm_dialog(
        "Delete contacts",
        "Delete "
        + S.selection_count.to_string()
        + " contacts with their notes, files and activity? "
        "This cannot be undone.",
        rx.button(
            "Delete contacts",
            color_scheme="red",
            loading=S.bulk_busy,
            on_click=S.bulk("delete", ""),
        ),
        open=S.confirm_delete_open,
        on_open_change=S.set_open("confirm_delete_open"),
        max_width="450px",
    )


def table() -> rx.Component:
    return rx.box(
        rx.table.root(
            rx.table.header(
                rx.table.row(
                    rx.table.column_header_cell(
                        rx.checkbox(
                            checked=S.page_selected,
                            on_change=S.toggle_page,
                            aria_label="Select page",
                        ),
                        width="36px",
                    ),
                    rx.foreach(S.visible_columns, _sort_header),
                )
            ),
            rx.table.body(
                rx.foreach(
                    S.rows,
                    lambda row: rx.table.row(
                        rx.table.cell(
                            rx.checkbox(
                                checked=S.all_matching | S.selected.contains(row.id),
                                on_change=lambda c: S.toggle_row(row.id, c),
                                aria_label="Select " + row.name,
                            )
                        ),
                        rx.foreach(S.visible_columns, lambda col: _cell(row, col)),
                        _hover={"background": rx.color("gray", 2)},
                    ),
                )
            ),
            variant="surface",
            size="2",
            width="100%",
        ),
        class_name="crm-contacts-table",
        width="100%",
    )


def pager() -> rx.Component:
    return rx.hstack(
        rx.text(S.range_label, size="2", color_scheme="gray"),
        rx.spacer(),
        rx.text("Rows per page", size="2", color_scheme="gray"),
        rx.select(["25", "50", "100"], value=S.page_size, on_change=S.set_page_size, size="1"),
        rx.icon_button(
            rx.icon("chevron-left", size=16),
            variant="soft",
            color_scheme="gray",
            disabled=~S.has_previous,
            on_click=S.go_page(-1),
            aria_label="Previous page",
        ),
        rx.text(S.page_label, size="2"),
        rx.icon_button(
            rx.icon("chevron-right", size=16),
            variant="soft",
            color_scheme="gray",
            disabled=~S.has_next,
            on_click=S.go_page(1),
            aria_label="Next page",
        ),
        width="100%",
        align="center",
        padding_top="12px",
        spacing="3",
    )
