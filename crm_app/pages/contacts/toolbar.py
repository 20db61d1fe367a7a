"""Contacts list toolbar: the filters popover, the columns menu and the saved views."""

from __future__ import annotations

import reflex as rx

from crm_app.components.kit import dialog, dialog_footer
from crm_app.components.layout import field_error
from crm_app.state.contacts import ALL, SOURCES, STATUSES
from crm_app.state.contacts import ContactsState as S


def _select(value, on_change, items, placeholder: str, all_label: str, width="150px", **props):
    return rx.select.root(
        rx.select.trigger(placeholder=placeholder, width=width),
        rx.select.content(rx.select.item(all_label, value=ALL), *items),
        value=value,
        on_change=on_change,
        size="2",
        **props,
    )


def _filter_row(label: str, name: str, items, any_label: str) -> tuple[rx.Component, ...]:
    """A label and its select in the filters grid; `name` is the state's filter var."""
    return (
        rx.text(label, size="2", color_scheme="gray"),
        _select(
            getattr(S, name),
            lambda v: S.set_filter(name, v),
            items,
            any_label,
            any_label,
            width="100%",
        ),
    )


def filters_popover() -> rx.Component:
    label = rx.cond(
        S.filters_active > 0, "Filters (" + S.filters_active.to_string() + ")", "Filters"
    )
    return rx.popover.root(
        rx.popover.trigger(
            rx.button(rx.icon("list-filter", size=15), label, variant="soft", color_scheme="gray")
        ),
        rx.popover.content(
            rx.vstack(
                rx.text("Filter contacts", weight="bold", size="2"),
                rx.grid(
                    *_filter_row(
                        "Stage",
                        "f_stage",
                        [rx.foreach(S.stages, lambda s: rx.select.item(s.name, value=s.id))],
                        "Any stage",
                    ),
                    *_filter_row(
                        "Status",
                        "f_status",
                        [rx.select.item(x, value=x) for x in STATUSES],
                        "Any status",
                    ),
                    *_filter_row(
                        "Owner",
                        "f_owner",
                        [rx.foreach(S.members, lambda m: rx.select.item(m.name, value=m.id))],
                        "Any owner",
                    ),
                    *_filter_row(
                        "Source",
                        "f_source",
                        [rx.select.item(f"via {x}", value=x) for x in SOURCES],
                        "Any source",
                    ),
                    rx.text("Created", size="2", color_scheme="gray"),
                    rx.hstack(
                        rx.input(
                            type="date",
                            value=S.f_from,
                            on_change=lambda v: S.set_filter("f_from", v),
                            aria_label="Created from",
                            size="2",
                        ),
                        rx.text("to", size="2", color_scheme="gray"),
                        rx.input(
                            type="date",
                            value=S.f_to,
                            on_change=lambda v: S.set_filter("f_to", v),
                            aria_label="Created to",
                            size="2",
                        ),
                        align="center",
                    ),
                    rx.text("Field", size="2", color_scheme="gray"),
                    rx.hstack(
                        _select(
                            rx.cond(S.f_custom_key == "", ALL, S.f_custom_key),
                            S.set_custom_key,
                            [rx.foreach(S.fields, lambda f: rx.select.item(f.label, value=f.key))],
                            "Custom field",
                            "No field filter",
                            width="160px",
                        ),
                        rx.cond(
                            S.custom_filter_options.length() > 0,
                            rx.select.root(
                                rx.select.trigger(placeholder="Value", width="140px"),
                                rx.select.content(
                                    rx.foreach(
                                        S.custom_filter_options,
                                        lambda o: rx.select.item(o, value=o),
                                    )
                                ),
                                value=S.f_custom_value,
                                on_change=lambda v: S.set_filter("f_custom_value", v),
                            ),
                            rx.input(
                                placeholder="Exact value",
                                value=S.f_custom_value,
                                width="140px",
                                on_change=lambda v: S.set_filter("f_custom_value", v).debounce(400),
                                disabled=S.f_custom_key == "",
                            ),
                        ),
                    ),
                    columns="90px 1fr",
                    spacing="3",
                    align="center",
                    width="100%",
                ),
                rx.hstack(
                    rx.checkbox(
                        "Show archived contacts",
                        checked=S.show_archived,
                        on_change=S.toggle_archived,
                    ),
                    rx.spacer(),
                    rx.button("Clear all", variant="ghost", on_click=S.clear_filters),
                    width="100%",
                    align="center",
                ),
                spacing="3",
                width="440px",
            ),
            align="start",
        ),
    )


def columns_menu() -> rx.Component:
    return rx.popover.root(
        rx.popover.trigger(
            rx.button(rx.icon("columns-3", size=15), "Columns", variant="soft", color_scheme="gray")
        ),
        rx.popover.content(
            rx.vstack(
                rx.text("Show columns", weight="bold", size="2"),
                rx.foreach(
                    S.all_columns,
                    lambda c: rx.checkbox(
                        c.label,
                        checked=S.visible.contains(c.key),
                        disabled=c.key == "name",
                        on_change=lambda v: S.toggle_column(c.key, v),
                    ),
                ),
                spacing="2",
                max_height="360px",
                overflow_y="auto",
            ),
            align="start",
        ),
    )


def views_bar() -> rx.Component:
    return rx.hstack(
        rx.select.root(
            rx.select.trigger(placeholder="Saved views", width="180px"),
            rx.select.content(
                rx.foreach(S.views, lambda v: rx.select.item(v.name, value=v.id.to_string()))
            ),
            value=S.current_view,
            on_change=S.apply_view,
        ),
        rx.tooltip(
            rx.icon_button(
                rx.icon("bookmark-plus", size=16),
                variant="soft",
                color_scheme="gray",
                on_click=S.open_view_dialog,
                aria_label="Save view",
            ),
            content="Save view",
        ),
        rx.cond(
            S.current_view != "",
            rx.tooltip(
                rx.icon_button(
                    rx.icon("trash-2", size=16),
                    variant="soft",
                    color_scheme="gray",
                    on_click=S.delete_view,
                    aria_label="Delete view",
                ),
                content="Delete view",
            ),
        ),
        dialog(
            "Save view",
            rx.vstack(
                rx.input(
                    placeholder="e.g. New leads this month",
                    value=S.view_name,
                    on_change=S.set_view_name,
                    aria_label="View name",
                    width="100%",
                ),
                field_error(S.view_error),
                spacing="3",
                width="100%",
            ),
            dialog_footer(rx.button("Save view", on_click=S.save_view), padding_top="12px"),
            description="Keep these filters, sort and columns under a name.",
            open=S.view_dialog_open,
            on_open_change=S.set_open("view_dialog_open"),
            max_width="420px",
        ),
        spacing="2",
        align="center",
    )
