"""CRM → Contacts: the list (search, filters, columns, saved views, pages) and Add Contact."""

from __future__ import annotations

import reflex as rx

from crm_app import routes
from crm_app.components.kit import confirm_dialog, dialog, dialog_footer, labelled
from crm_app.components.layout import dashboard, empty_state, field_error, page_header
from crm_app.state.contacts import ALL, SOURCES, STATUSES
from crm_app.state.contacts import ContactsState as S

STATUS_COLORS = {"Active": "green", "Inactive": "gray", "Blocked": "red"}


def _select(value, on_change, items, placeholder: str, all_label: str, width="150px", **props):
    return rx.select.root(
        rx.select.trigger(placeholder=placeholder, width=width),
        rx.select.content(rx.select.item(all_label, value=ALL), *items),
        value=value,
        on_change=on_change,
        size="2",
        **props,
    )


def _filters_popover() -> rx.Component:
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
                    rx.text("Stage", size="2", color_scheme="gray"),
                    _select(
                        S.f_stage,
                        lambda v: S.set_filter("f_stage", v),
                        [rx.foreach(S.stages, lambda s: rx.select.item(s["name"], value=s["id"]))],
                        "Any stage",
                        "Any stage",
                        width="100%",
                    ),
                    rx.text("Status", size="2", color_scheme="gray"),
                    _select(
                        S.f_status,
                        lambda v: S.set_filter("f_status", v),
                        [rx.select.item(x, value=x) for x in STATUSES],
                        "Any status",
                        "Any status",
                        width="100%",
                    ),
                    rx.text("Owner", size="2", color_scheme="gray"),
                    _select(
                        S.f_owner,
                        lambda v: S.set_filter("f_owner", v),
                        [rx.foreach(S.members, lambda m: rx.select.item(m["name"], value=m["id"]))],
                        "Any owner",
                        "Any owner",
                        width="100%",
                    ),
                    rx.text("Source", size="2", color_scheme="gray"),
                    _select(
                        S.f_source,
                        lambda v: S.set_filter("f_source", v),
                        [rx.select.item(f"via {x}", value=x) for x in SOURCES],
                        "Any source",
                        "Any source",
                        width="100%",
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
                            [
                                rx.foreach(
                                    S.fields, lambda f: rx.select.item(f["label"], value=f["key"])
                                )
                            ],
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


def _columns_menu() -> rx.Component:
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
                        c["label"],
                        checked=S.visible.contains(c["key"]),
                        disabled=c["key"] == "name",
                        on_change=lambda v: S.toggle_column(c["key"], v),
                    ),
                ),
                spacing="2",
                max_height="360px",
                overflow_y="auto",
            ),
            align="start",
        ),
    )


def _views_bar() -> rx.Component:
    return rx.hstack(
        rx.select.root(
            rx.select.trigger(placeholder="Saved views", width="180px"),
            rx.select.content(
                rx.foreach(
                    S.views, lambda v: rx.select.item(v["name"].to(str), value=v["id"].to_string())
                )
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
            on_open_change=S.set_view_dialog_open,
            max_width="420px",
        ),
        spacing="2",
        align="center",
    )


def _sort_header(col) -> rx.Component:
    arrow = rx.cond(
        (S.sort == col["key"]) | ((S.sort == "created") & (col["key"] == "created")),
        rx.cond(S.descending, rx.icon("arrow-down", size=13), rx.icon("arrow-up", size=13)),
        rx.fragment(),
    )
    return rx.table.column_header_cell(
        rx.hstack(
            rx.text(col["label"]),
            arrow,
            spacing="1",
            align="center",
            cursor="pointer",
            on_click=S.sort_by(col["key"]),
        ),
        white_space="nowrap",
    )


def _cell(row, col) -> rx.Component:
    key = col["key"]
    value = row[key]
    return rx.table.cell(
        rx.match(
            key,
            ("name", rx.link(rx.text(value, weight="medium"), href=row["href"])),
            (
                "status",
                rx.badge(
                    value,
                    color_scheme=rx.match(value, ("Active", "green"), ("Blocked", "red"), "gray"),
                    variant="soft",
                ),
            ),
            (
                "stage",
                rx.cond(
                    value != "",
                    rx.badge(value, variant="outline", color_scheme="teal"),
                    rx.fragment(),
                ),
            ),
            ("source", rx.text(value, size="2", color_scheme="gray")),
            rx.text(value, size="2"),
        ),
        white_space="nowrap",
        max_width="260px",
        overflow="hidden",
        text_overflow="ellipsis",
    )


def _bulk_bar() -> rx.Component:
    def menu_button(label, icon):
        return rx.button(
            rx.icon(icon, size=14),
            label,
            rx.icon("chevron-down", size=12),
            size="1",
            variant="soft",
        )

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
            rx.menu.root(
                rx.menu.trigger(menu_button("Owner", "user-round")),
                rx.menu.content(
                    rx.foreach(
                        S.members,
                        lambda m: rx.menu.item(m["name"], on_click=S.bulk("assign_owner", m["id"])),
                    )
                ),
            ),
            rx.menu.root(
                rx.menu.trigger(menu_button("Stage", "kanban")),
                rx.menu.content(
                    rx.foreach(
                        S.stages,
                        lambda st: rx.menu.item(
                            st["name"], on_click=S.bulk("change_stage", st["id"])
                        ),
                    )
                ),
            ),
            rx.menu.root(
                rx.menu.trigger(menu_button("Status", "circle-dot")),
                rx.menu.content(
                    *[rx.menu.item(x, on_click=S.bulk("change_status", x)) for x in STATUSES]
                ),
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
                    rx.el.a(
                        rx.button(rx.icon("download", size=14), "Export", size="1", variant="soft"),
                        href=S.export_href,
                        reload_document=True,
                        download=True,
                    ),
                    rx.button(
                        rx.icon("trash-2", size=14),
                        "Delete",
                        size="1",
                        variant="soft",
                        color_scheme="red",
                        on_click=S.set_confirm_delete_open(True),
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


def _delete_dialog() -> rx.Component:
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
        on_open_change=S.set_confirm_delete_open,
        max_width="450px",
    )


def _table() -> rx.Component:
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
                                checked=S.all_matching | S.selected.contains(row["id"]),
                                on_change=lambda c: S.toggle_row(row["id"], c),
                                aria_label="Select " + row["name"],
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


def _pager() -> rx.Component:
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


def _custom_input(f) -> rx.Component:
    key = f["key"].to(str)
    value = S.add_values[key].to(str)
    on = lambda v: S.set_add_value(key, v)  # noqa: E731
    return labelled(
        f["label"],
        rx.match(
            f["type"],
            (
                "Long text",
                rx.text_area(
                    value=value, on_change=on, aria_label=f["label"].to(str), width="100%"
                ),
            ),
            (
                "Dropdown",
                rx.select.root(
                    rx.select.trigger(
                        placeholder="Choose…", width="100%", aria_label=f["label"].to(str)
                    ),
                    rx.select.content(
                        rx.foreach(f["options"].to(list[str]), lambda o: rx.select.item(o, value=o))
                    ),
                    value=value,
                    on_change=on,
                ),
            ),
            (
                "Multi-select",
                rx.flex(
                    rx.foreach(
                        f["options"].to(list[str]),
                        lambda o: rx.checkbox(
                            o,
                            checked=value.split("; ").contains(o),
                            on_change=lambda c: S.toggle_multi(key, o, c),
                        ),
                    ),
                    wrap="wrap",
                    gap="3",
                ),
            ),
            ("Checkbox", rx.checkbox("Yes", checked=value == "Yes", on_change=on)),
            (
                "Number",
                rx.input(
                    type="number",
                    value=value,
                    on_change=on,
                    aria_label=f["label"].to(str),
                    width="100%",
                ),
            ),
            (
                "Date",
                rx.input(
                    type="date",
                    value=value,
                    on_change=on,
                    aria_label=f["label"].to(str),
                    width="100%",
                ),
            ),
            rx.input(value=value, on_change=on, aria_label=f["label"].to(str), width="100%"),
        ),
        S.add_errors[key].to(str),
    )


def _labeled(label: str, key: str, component: rx.Component) -> rx.Component:
    return labelled(label, component, S.add_errors[key].to(str))


def _add_dialog() -> rx.Component:
    choose = rx.vstack(
        rx.dialog.title("Add Contact"),
        rx.dialog.description("Select how you want to add contact", size="2"),
        rx.grid(
            rx.card(
                rx.vstack(
                    rx.icon("user-plus", size=22, color=rx.color("teal", 10)),
                    rx.text("Add a Single Person", weight="bold"),
                    rx.text("Type in one person's details.", size="2", color_scheme="gray"),
                    spacing="2",
                ),
                as_child=False,
                on_click=S.choose_single,
                cursor="pointer",
                role="button",
                aria_label="Add a Single Person",
                _hover={"border_color": rx.color("teal", 8)},
            ),
            rx.link(
                rx.card(
                    rx.vstack(
                        rx.icon("file-spreadsheet", size=22, color=rx.color("teal", 10)),
                        rx.text("CSV", weight="bold"),
                        rx.text(
                            "Import many contacts from a spreadsheet.",
                            size="2",
                            color_scheme="gray",
                        ),
                        spacing="2",
                    ),
                    cursor="pointer",
                    _hover={"border_color": rx.color("teal", 8)},
                    height="100%",
                ),
                href=routes.agent_path(routes.IMPORT, S.current_agent_key),
                underline="none",
                aria_label="CSV",
                color="inherit",
            ),
            columns="2",
            spacing="3",
            padding_top="12px",
            width="100%",
        ),
        width="100%",
    )
    single = rx.vstack(
        rx.dialog.title("Add a Single Person"),
        rx.dialog.description("A contact needs at least an email or a mobile number.", size="2"),
        rx.text("Basic Information", weight="bold", size="2", padding_top="8px"),
        rx.grid(
            _labeled(
                "Name",
                "name",
                rx.input(
                    value=S.add_values["name"].to(str),
                    on_change=lambda v: S.set_add_value("name", v),
                    aria_label="Name",
                    width="100%",
                ),
            ),
            _labeled(
                "Email ID",
                "email",
                rx.input(
                    type="email",
                    value=S.add_values["email"].to(str),
                    on_change=lambda v: S.set_add_value("email", v),
                    aria_label="Email ID",
                    width="100%",
                ),
            ),
            _labeled(
                "Mobile Number",
                "phone",
                rx.input(
                    type="tel",
                    value=S.add_values["phone"].to(str),
                    on_change=lambda v: S.set_add_value("phone", v),
                    aria_label="Mobile Number",
                    width="100%",
                ),
            ),
            _labeled(
                "Gender",
                "gender",
                rx.select.root(
                    rx.select.trigger(placeholder="Choose…", aria_label="Gender", width="100%"),
                    rx.select.content(
                        *[
                            rx.select.item(g, value=g)
                            for g in ("Female", "Male", "Non-binary", "Prefer not to say")
                        ]
                    ),
                    value=S.add_values["gender"].to(str),
                    on_change=lambda v: S.set_add_value("gender", v),
                ),
            ),
            columns="2",
            spacing="3",
            width="100%",
        ),
        rx.cond(
            S.similar_id != "",
            rx.callout.root(
                rx.callout.icon(rx.icon("triangle-alert", size=16)),
                rx.callout.text(
                    "A user with similar details already exists. ",
                    rx.link("Open " + S.similar_name, href=S.similar_href, weight="medium"),
                ),
                color_scheme="amber",
                size="1",
                width="100%",
            ),
        ),
        rx.cond(
            S.fields.length() > 0,
            rx.vstack(
                rx.text("Custom Fields", weight="bold", size="2", padding_top="8px"),
                rx.grid(
                    rx.foreach(S.fields, _custom_input), columns="2", spacing="3", width="100%"
                ),
                width="100%",
            ),
        ),
        dialog_footer(
            rx.button("Add contact", on_click=S.submit_add, loading=S.saving),
            leading=rx.button(
                "Back", variant="ghost", color_scheme="gray", on_click=S.back_to_choose
            ),
            padding_top="12px",
            spacing="2",
        ),
        spacing="2",
        width="100%",
    )
    return rx.dialog.root(
        rx.dialog.content(
            rx.cond(S.add_step == "choose", choose, single),
            max_width="640px",
            max_height="90vh",
            overflow_y="auto",
        ),
        open=S.add_open,
        on_open_change=S.set_add_open,
    )


def page() -> rx.Component:
    return dashboard(
        page_header(
            "Contacts",
            S.subtitle,
            rx.link(
                rx.button(
                    rx.icon("kanban", size=15), "Pipeline", variant="soft", color_scheme="gray"
                ),
                href=routes.agent_path(routes.PIPELINE, S.current_agent_key),
            ),
            rx.button(rx.icon("plus", size=15), "Add Contact", on_click=S.open_add),
        ),
        rx.hstack(
            rx.input(
                rx.input.slot(rx.icon("search", size=15)),
                placeholder="Search name, email or phone",
                default_value=S.search,
                on_change=S.set_search.debounce(300),
                width="320px",
                aria_label="Search contacts",
            ),
            _filters_popover(),
            _columns_menu(),
            rx.spacer(),
            rx.cond(
                S.is_admin & (S.selection_count == 0),
                rx.el.a(
                    rx.button(
                        rx.icon("download", size=15), "Export", variant="soft", color_scheme="gray"
                    ),
                    href=S.export_href,
                    reload_document=True,
                    download=True,
                ),
            ),
            _views_bar(),
            width="100%",
            align="center",
            padding_bottom="14px",
            wrap="wrap",
        ),
        rx.cond(
            S.agent_total == 0,
            empty_state(
                "users",
                "No contacts yet",
                "No contacts yet. Add your first contact to get started.",
                rx.button(rx.icon("plus", size=15), "Add Contact", on_click=S.open_add),
            ),
            rx.cond(
                S.total == 0,
                empty_state(
                    "search-x",
                    "No matching contacts",
                    "Try another search or clear the filters.",
                    rx.button("Clear filters", variant="soft", on_click=S.clear_filters),
                ),
                rx.vstack(_bulk_bar(), _table(), _pager(), width="100%", spacing="0"),
            ),
        ),
        _add_dialog(),
        _delete_dialog(),
    )


def register(app: rx.App) -> None:
    app.add_page(page, route=routes.CONTACTS, title="Contacts · Agent CRM", on_load=S.load_page)
