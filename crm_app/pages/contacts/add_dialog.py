"""Add Contact dialog: CSV import or a single person with its custom fields."""

from __future__ import annotations

import reflex as rx

from crm_app import routes
from crm_app.components.kit import dialog_footer, labelled
from crm_app.state.contacts import ContactsState as S


def _custom_input(f) -> rx.Component:
    key = f.key
    value = S.add_values[key].to(str)
    on = lambda v: S.set_add_value(key, v)  # noqa: E731
    return labelled(
        f.label,
        rx.match(
            f.type,
            (
                "Long text",
                rx.text_area(value=value, on_change=on, aria_label=f.label, width="100%"),
            ),
            (
                "Dropdown",
                rx.select.root(
                    rx.select.trigger(placeholder="Choose…", width="100%", aria_label=f.label),
                    rx.select.content(rx.foreach(f.options, lambda o: rx.select.item(o, value=o))),
                    value=value,
                    on_change=on,
                ),
            ),
            (
                "Multi-select",
                rx.flex(
                    rx.foreach(
                        f.options,
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
                    aria_label=f.label,
                    width="100%",
                ),
            ),
            (
                "Date",
                rx.input(
                    type="date",
                    value=value,
                    on_change=on,
                    aria_label=f.label,
                    width="100%",
                ),
            ),
            rx.input(value=value, on_change=on, aria_label=f.label, width="100%"),
        ),
        S.add_errors[key].to(str),
    )


def _labeled(label: str, key: str, component: rx.Component) -> rx.Component:
    return labelled(label, component, S.add_errors[key].to(str))


def _basic_input(label: str, key: str, type_: str) -> rx.Component:
    """One of the contact's basic fields (name, email, mobile number) in the Add dialog."""
    return _labeled(
        label,
        key,
        rx.input(
            type=type_,
            value=S.add_values[key].to(str),
            on_change=lambda v: S.set_add_value(key, v),
            aria_label=label,
            width="100%",
        ),
    )


def add_dialog() -> rx.Component:
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
            _basic_input("Name", "name", "text"),
            _basic_input("Email ID", "email", "email"),
            _basic_input("Mobile Number", "phone", "tel"),
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
        on_open_change=S.set_open("add_open"),
    )
