"""Contact details → General: the default and custom fields, and the edit dialog."""

from __future__ import annotations

import reflex as rx

from crm_app.components.kit import MUTED, SUBTLE, card, dialog_footer
from crm_app.components.layout import field_error
from crm_app.state.contact_detail import ContactDetailState as S


def _ai_mark(field: rx.Var) -> rx.Component:
    """An AI-captured value: a badge whose tooltip says when, and a link to the chat."""
    conversation = field["conversation_id"].to(str)
    return rx.hstack(
        rx.tooltip(
            rx.badge(
                rx.icon("sparkles", size=11),
                "AI",
                size="1",
                variant="soft",
                color_scheme="violet",
                aria_label=field["source"].to(str),
            ),
            content=field["source"].to(str),
        ),
        rx.cond(
            conversation != "",
            rx.button(
                "View chat",
                size="1",
                variant="ghost",
                on_click=S.open_conversation(conversation),
                aria_label="Open the conversation this value was captured from",
            ),
        ),
        spacing="2",
        align="center",
    )


def _field_row(field: rx.Var) -> rx.Component:
    value = field["value"].to(str)
    return rx.vstack(
        rx.hstack(
            rx.text(field["label"].to(str), size="1", weight="medium", color=SUBTLE),
            rx.cond(field["ai"].to(bool) & (value != ""), _ai_mark(field)),
            spacing="2",
            align="center",
        ),
        rx.cond(
            value != "",
            rx.text(
                value,
                size="2",
                weight="medium",
                overflow_wrap="anywhere",
                title=field["source"].to(str),  # who set it (a member, a form, ...)
            ),
            rx.text("—", size="2", color=SUBTLE),
        ),
        spacing="1",
        padding_y="6px",
        min_width="0",
    )


def general_tab() -> rx.Component:
    return card(
        rx.hstack(
            rx.vstack(
                rx.text("Contact details", size="4", weight="bold"),
                rx.text("Default and custom fields of this contact.", size="2", color=MUTED),
                spacing="1",
            ),
            rx.spacer(),
            rx.button(rx.icon("pencil", size=14), "Edit details", on_click=S.open_edit, size="2"),
            width="100%",
            align="center",
            padding_bottom="12px",
        ),
        rx.grid(
            rx.foreach(S.fields, _field_row),
            columns=rx.breakpoints(initial="1", sm="2", lg="3"),
            spacing_x="6",
            spacing_y="2",
            width="100%",
        ),
        rx.separator(size="4", margin_y="14px"),
        rx.grid(
            _static("Source", "via " + S.contact["source"].to(str)),
            _static("Created", S.contact["created"].to(str)),
            _static("Last updated", S.contact["updated"].to(str)),
            columns=rx.breakpoints(initial="1", sm="2", lg="3"),
            spacing_x="6",
            width="100%",
        ),
    )


def _static(label: str, value) -> rx.Component:
    return rx.vstack(
        rx.text(label, size="1", weight="medium", color=SUBTLE),
        rx.text(value, size="2"),
        spacing="1",
        padding_y="6px",
    )


def _edit_control(field: rx.Var) -> rx.Component:
    key = field["key"].to(str)
    ftype = field["type"].to(str)
    value = S.edit_values[key].to(str)
    text_input = rx.input(
        value=value,
        on_change=lambda v: S.set_edit_value(key, v),
        type=rx.match(
            ftype,
            ("Date", "date"),
            ("Number", "text"),
            ("Email", "email"),
            ("Phone", "tel"),
            "text",
        ),
        aria_label=field["label"].to(str),
        width="100%",
    )
    return rx.vstack(
        rx.text(field["label"].to(str), size="2", weight="medium"),
        rx.match(
            ftype,
            (
                "Dropdown",
                rx.select.root(
                    rx.select.trigger(
                        placeholder="Choose…", width="100%", aria_label=field["label"].to(str)
                    ),
                    rx.select.content(
                        rx.foreach(
                            field["options"].to(list[str]), lambda o: rx.select.item(o, value=o)
                        )
                    ),
                    value=value,
                    on_change=lambda v: S.set_edit_value(key, v),
                ),
            ),
            (
                "Checkbox",
                rx.select.root(
                    rx.select.trigger(
                        placeholder="Choose…", width="100%", aria_label=field["label"].to(str)
                    ),
                    rx.select.content(
                        rx.select.item("Yes", value="Yes"), rx.select.item("No", value="No")
                    ),
                    value=value,
                    on_change=lambda v: S.set_edit_value(key, v),
                ),
            ),
            (
                "Long text",
                rx.text_area(
                    value=value,
                    on_change=lambda v: S.set_edit_value(key, v),
                    aria_label=field["label"].to(str),
                    width="100%",
                    rows="3",
                ),
            ),
            text_input,
        ),
        rx.cond(
            ftype == "Multi-select",
            rx.text(
                "Separate choices with commas: " + field["options"].to(list[str]).join(", "),
                size="1",
                color=SUBTLE,
            ),
        ),
        field_error(S.edit_errors.get(key, "")),
        spacing="1",
        width="100%",
    )


def edit_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("Edit details"),
            rx.dialog.description(
                "Changes are saved to the contact and recorded in its activity.",
                size="2",
                color=MUTED,
                margin_bottom="16px",
            ),
            rx.scroll_area(
                rx.vstack(
                    rx.foreach(S.fields, _edit_control),
                    spacing="4",
                    width="100%",
                    padding_right="12px",
                ),
                max_height="60vh",
                type="auto",
                scrollbars="vertical",
            ),
            dialog_footer(rx.button("Save changes", on_click=S.save_edit), padding_right="12px"),
            max_width="560px",
        ),
        open=S.edit_open,
        on_open_change=S.set_open("edit_open"),
    )
