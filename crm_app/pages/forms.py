"""CRM → Forms: the list, the drag-and-drop builder and the submissions view."""

from __future__ import annotations

import reflex as rx

from crm_app import routes
from crm_app.components.dnd.form_builder import (
    builder_canvas,
    canvas_item,
    form_builder_dnd,
    palette_item,
)
from crm_app.components.layout import ACCENT, dashboard, empty_state, field_error, page_header
from crm_app.pages.public_form import form_card, render_element
from crm_app.state.base import AppState
from crm_app.state.forms import (
    PALETTE,
    PALETTE_ICONS,
    FormBuilderState,
    FormsListState,
    SubmissionsState,
)

STATUS_COLORS = {"Draft": "gray", "Published": "green", "Closed": "amber"}
SUB_COLORS = {"New": "blue", "Reviewed": "green", "Spam": "red"}


def status_badge(status) -> rx.Component:
    return rx.badge(
        status,
        color_scheme=rx.match(status, ("Published", "green"), ("Closed", "amber"), "gray"),
        variant="soft",
        radius="full",
        size="2",
    )


def _panel(*children, **props) -> rx.Component:
    style = {
        "background": rx.color("gray", 1),
        "border": f"1px solid {rx.color('gray', 5)}",
        "border_radius": "12px",
        **props,
    }
    return rx.box(*children, **style)


def _not_found(message) -> rx.Component:
    return empty_state(
        "search-x", message, "Check the address, or pick an agent you work in from the sidebar."
    )


def _copy_field(label: str, value, aria: str) -> rx.Component:
    return rx.vstack(
        rx.text(label, size="2", weight="medium"),
        rx.hstack(
            rx.text_area(
                value=value,
                read_only=True,
                rows="2",
                width="100%",
                aria_label=aria,
                style={"font_family": "var(--code-font-family)", "font_size": "12px"},
            ),
            rx.button(
                rx.icon("copy", size=14),
                "Copy",
                variant="soft",
                on_click=[rx.set_clipboard(value), rx.toast.success(f"{label} copied.")],
            ),
            width="100%",
            align="start",
        ),
        spacing="1",
        width="100%",
    )


def share_panel(url, embed, qr, status) -> rx.Component:
    return rx.vstack(
        rx.cond(
            status == "Draft",
            rx.callout(
                "This form is a draft: publish it before sharing, or visitors will see “Form not found”.",
                icon="info",
                color_scheme="amber",
                width="100%",
            ),
        ),
        _copy_field("Public link", url, "Public link"),
        rx.hstack(
            rx.link(
                rx.button(rx.icon("external-link", size=14), "Open public page", variant="outline"),
                href=url,
                is_external=True,
            )
        ),
        _copy_field("Embed code", embed, "Embed code"),
        rx.vstack(
            rx.text("QR code", size="2", weight="medium"),
            rx.hstack(
                rx.image(
                    src=qr,
                    alt="QR code for the public link",
                    width="132px",
                    height="132px",
                    border=f"1px solid {rx.color('gray', 5)}",
                    border_radius="8px",
                    background="white",
                ),
                rx.vstack(
                    rx.text(
                        "Print it on flyers or show it at the front desk; it opens the public link.",
                        size="2",
                        color=rx.color("gray", 11),
                    ),
                    rx.link(
                        rx.button(rx.icon("download", size=14), "Download QR code", variant="soft"),
                        href=qr + "?download=1",
                        is_external=True,
                    ),
                    spacing="2",
                ),
                spacing="4",
                align="center",
            ),
            spacing="1",
            width="100%",
        ),
        spacing="4",
        width="100%",
    )


# ------------------------------------------------------------------ list


def _form_row(f) -> rx.Component:
    S = FormsListState
    agent = S.agent_key
    edit_href = "/agents/" + agent + "/crm/forms/" + f["id"].to(str)
    return rx.table.row(
        rx.table.cell(
            rx.link(
                rx.text(f["name"].to(str), weight="medium"),
                href=edit_href,
                color=rx.color("gray", 12),
            )
        ),
        rx.table.cell(status_badge(f["status"].to(str))),
        rx.table.cell(rx.link(f["submissions"].to(str), href=edit_href + "/submissions")),
        rx.table.cell(rx.text(f["last"].to(str), color=rx.color("gray", 11), size="2")),
        rx.table.cell(
            rx.hstack(
                rx.tooltip(
                    rx.link(
                        rx.icon_button(
                            rx.icon("pencil", size=15),
                            variant="ghost",
                            color_scheme="gray",
                            aria_label="Edit " + f["name"].to(str),
                        ),
                        href=edit_href,
                    ),
                    content=rx.cond(S.can_edit, "Edit", "View"),
                ),
                rx.tooltip(
                    rx.icon_button(
                        rx.icon("share-2", size=15),
                        variant="ghost",
                        color_scheme="gray",
                        aria_label="Share " + f["name"].to(str),
                        on_click=S.open_share(f["id"].to(str)),
                    ),
                    content="Share",
                ),
                rx.cond(
                    S.can_edit,
                    rx.fragment(
                        rx.tooltip(
                            rx.icon_button(
                                rx.icon("copy", size=15),
                                variant="ghost",
                                color_scheme="gray",
                                aria_label="Duplicate " + f["name"].to(str),
                                on_click=S.duplicate(f["id"].to(str)),
                            ),
                            content="Duplicate",
                        ),
                        rx.tooltip(
                            rx.icon_button(
                                rx.icon("trash-2", size=15),
                                variant="ghost",
                                color_scheme="red",
                                aria_label="Delete " + f["name"].to(str),
                                on_click=S.ask_delete(f["id"].to(str)),
                            ),
                            content="Delete",
                        ),
                    ),
                ),
                spacing="3",
                justify="end",
            ),
        ),
        align="center",
    )


def _create_dialog() -> rx.Component:
    S = FormsListState
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("Create form"),
            rx.dialog.description(
                "Give it a name your team will recognize. You can change it later.",
                size="2",
                color=rx.color("gray", 11),
            ),
            rx.form(
                rx.vstack(
                    rx.el.label(
                        "Form name",
                        html_for="new-form-name",
                        style={"font_weight": "500", "font_size": "14px"},
                    ),
                    rx.input(
                        id="new-form-name",
                        name="name",
                        placeholder="e.g. Book a visit",
                        width="100%",
                        auto_focus=True,
                        max_length=120,
                    ),
                    field_error(S.new_name_error),
                    rx.hstack(
                        rx.dialog.close(
                            rx.button("Cancel", variant="soft", color_scheme="gray", type="button")
                        ),
                        rx.button("Create form", type="submit"),
                        justify="end",
                        width="100%",
                        padding_top="8px",
                    ),
                    spacing="2",
                    width="100%",
                    padding_top="12px",
                ),
                on_submit=S.create,
                reset_on_submit=False,
            ),
            max_width="440px",
        ),
        open=S.create_open,
        on_open_change=S.set_create_open,
    )


def _share_dialog() -> rx.Component:
    S = FormsListState
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("Share “", S.share_name, "”"),
            share_panel(S.share_url, S.share_embed, S.share_qr, S.share_status),
            rx.hstack(
                rx.dialog.close(rx.button("Done", variant="soft")),
                justify="end",
                padding_top="16px",
            ),
            max_width="560px",
        ),
        open=S.share_open,
        on_open_change=S.set_share_open,
    )


def _delete_dialog() -> rx.Component:
    S = FormsListState
    return rx.alert_dialog.root(
        rx.alert_dialog.content(
            rx.alert_dialog.title("Delete form?"),
            rx.alert_dialog.description(
                "“",
                S.delete_name,
                "” and all its submissions will be deleted. Contacts created from it stay. "
                "This can't be undone.",
            ),
            rx.hstack(
                rx.alert_dialog.cancel(rx.button("Cancel", variant="soft", color_scheme="gray")),
                rx.alert_dialog.action(
                    rx.button("Delete form", color_scheme="red", on_click=S.confirm_delete)
                ),
                justify="end",
                spacing="3",
                padding_top="16px",
            ),
        ),
        open=S.delete_open,
        on_open_change=S.set_delete_open,
    )


def list_page() -> rx.Component:
    S = FormsListState
    create = rx.cond(
        S.can_edit, rx.button(rx.icon("plus", size=16), "Create form", on_click=S.open_create)
    )
    return dashboard(
        rx.cond(
            S.load_error != "",
            _not_found(S.load_error),
            rx.vstack(
                page_header(
                    "Forms",
                    "Public forms for your website, flyers and QR codes. Every submission "
                    "with an email or phone becomes a contact.",
                    create,
                ),
                rx.cond(
                    S.forms.length() > 0,
                    _panel(
                        rx.table.root(
                            rx.table.header(
                                rx.table.row(
                                    rx.table.column_header_cell("Name"),
                                    rx.table.column_header_cell("Status"),
                                    rx.table.column_header_cell("Submissions"),
                                    rx.table.column_header_cell("Last submission"),
                                    rx.table.column_header_cell(
                                        rx.text("Actions", text_align="right"), justify="end"
                                    ),
                                )
                            ),
                            rx.table.body(rx.foreach(S.forms, _form_row)),
                            width="100%",
                            variant="ghost",
                        ),
                        padding="8px 16px",
                        width="100%",
                    ),
                    rx.cond(
                        S.loaded,
                        empty_state(
                            "file-text",
                            "No forms yet",
                            "Build a booking or contact form in minutes: drag questions in, publish, and share the "
                            "link or QR code.",
                            create,
                        ),
                        rx.center(rx.spinner(), padding="40px"),
                    ),
                ),
                width="100%",
                spacing="0",
            ),
        ),
        _create_dialog(),
        _share_dialog(),
        _delete_dialog(),
    )


# ------------------------------------------------------------------ builder


def _palette() -> rx.Component:
    S = FormBuilderState
    return rx.vstack(
        rx.text(
            "Elements",
            size="1",
            weight="bold",
            color=rx.color("gray", 10),
            text_transform="uppercase",
            letter_spacing="0.04em",
        ),
        rx.text("Drag onto the form, or click to add.", size="1", color=rx.color("gray", 10)),
        *[
            palette_item(
                rx.button(
                    rx.icon(PALETTE_ICONS[p["type"]], size=15, color=rx.color(ACCENT, 10)),
                    rx.text(p["label"], size="2", color=rx.color("gray", 12)),
                    variant="outline",
                    color_scheme="gray",
                    width="100%",
                    on_click=S.add_element(p["type"]),
                    disabled=~S.can_edit,
                    aria_label=f"Add {p['label']}",
                    style={
                        "cursor": "inherit",
                        "background": rx.color("gray", 1),
                        "justify_content": "flex-start",
                    },
                ),
                element_type=p["type"],
                label=p["label"],
            )
            for p in PALETTE
        ],
        spacing="2",
        # Narrower below 1280 px, so the canvas between the panels stays usable at 1024.
        width=["172px", "172px", "172px", "172px", "190px"],
        min_width=["172px", "172px", "172px", "172px", "190px"],
        position="sticky",
        top="16px",
    )


def _canvas_row(el) -> rx.Component:
    S = FormBuilderState
    eid = el["id"].to(str)
    is_display = (el["type"].to(str) == "heading") | (el["type"].to(str) == "paragraph")
    small = {"variant": "ghost", "color_scheme": "gray", "size": "1"}
    return canvas_item(
        rx.hstack(
            rx.vstack(
                rx.hstack(
                    rx.text(
                        rx.cond(el["label"].to(str) != "", el["label"].to(str), "Untitled"),
                        weight=rx.cond(is_display, "bold", "medium"),
                        size="2",
                        style={
                            "overflow": "hidden",
                            "text_overflow": "ellipsis",
                            "white_space": "nowrap",
                        },
                    ),
                    rx.cond(
                        el["required"].to(bool), rx.text("*", color=rx.color("red", 10), size="2")
                    ),
                    spacing="1",
                    align="center",
                    min_width="0",
                ),
                rx.hstack(
                    rx.badge(
                        rx.match(
                            el["type"].to(str),
                            *[(p["type"], p["label"]) for p in PALETTE],
                            "Element",
                        ),
                        variant="surface",
                        color_scheme="gray",
                        size="1",
                    ),
                    rx.cond(
                        el["maps_to"].to(str) != "",
                        rx.badge(
                            rx.icon("link", size=11),
                            "Contact: " + el["maps_to"].to(str),
                            color_scheme=ACCENT,
                            variant="soft",
                            size="1",
                        ),
                    ),
                    spacing="2",
                    wrap="wrap",
                ),
                spacing="1",
                min_width="0",
                flex="1",
                on_click=S.select(eid),
                cursor="pointer",
            ),
            rx.cond(
                S.can_edit,
                rx.hstack(
                    rx.icon_button(
                        rx.icon("arrow-up", size=14),
                        aria_label="Move up " + el["label"].to(str),
                        on_click=S.move(eid, "up"),
                        **small,
                    ),
                    rx.icon_button(
                        rx.icon("arrow-down", size=14),
                        aria_label="Move down " + el["label"].to(str),
                        on_click=S.move(eid, "down"),
                        **small,
                    ),
                    rx.icon_button(
                        rx.icon("copy", size=14),
                        aria_label="Duplicate " + el["label"].to(str),
                        on_click=S.duplicate_element(eid),
                        **small,
                    ),
                    rx.icon_button(
                        rx.icon("trash-2", size=14),
                        aria_label="Delete " + el["label"].to(str),
                        on_click=S.remove_element(eid),
                        variant="ghost",
                        color_scheme="red",
                        size="1",
                    ),
                    spacing="3",
                    align="center",
                    padding_top="2px",
                    flex_shrink="0",
                ),
            ),
            width="100%",
            align="start",
            spacing="3",
        ),
        item_id=eid,
        label=el["label"].to(str),
        selected=S.selected_id == eid,
    )


def _canvas() -> rx.Component:
    S = FormBuilderState
    return _panel(
        rx.vstack(
            rx.hstack(
                rx.vstack(
                    rx.text(S.settings["title"].to(str), weight="bold", size="4"),
                    rx.text(
                        rx.cond(
                            S.elements.length() == 1,
                            "1 element",
                            S.elements.length().to(str) + " elements",
                        ),
                        size="1",
                        color=rx.color("gray", 10),
                    ),
                    spacing="0",
                ),
                width="100%",
                padding="14px 16px 0",
            ),
            builder_canvas(
                rx.foreach(S.elements, _canvas_row),
                rx.cond(
                    S.elements.length() == 0,
                    rx.center(
                        rx.vstack(
                            rx.icon("mouse-pointer-click", size=22, color=rx.color(ACCENT, 10)),
                            rx.text("Drag elements here", weight="medium", size="2"),
                            rx.text(
                                "or click one in the palette to add it.",
                                size="1",
                                color=rx.color("gray", 10),
                            ),
                            align="center",
                            spacing="1",
                        ),
                        padding="48px 16px",
                        border=f"2px dashed {rx.color('gray', 6)}",
                        border_radius="10px",
                        width="100%",
                        style={"order": "9999"},
                    ),
                ),
            ),
            spacing="0",
            width="100%",
        ),
        flex="1",
        min_width="0",
        background=rx.color("gray", 2),
    )


def _prop_label(text: str, html_for: str) -> rx.Component:
    return rx.el.label(
        text,
        html_for=html_for,
        style={"font_size": "13px", "font_weight": "500", "color": rx.color("gray", 11)},
    )


def _prop_text(
    label: str, key: str, *, area: bool = False, max_length: int = 200, input_type: str = "text"
) -> rx.Component:
    S = FormBuilderState
    dom_id = f"prop-{key}"
    common = dict(
        id=dom_id,
        key=S.selected_id + "-" + key,
        default_value=S.selected[key].to(str),
        on_change=getattr(S, f"set_{key}")(S.selected_id).debounce(350),
        on_blur=getattr(S, f"set_{key}")(S.selected_id),
        disabled=~S.can_edit,
        width="100%",
    )
    control = (
        rx.text_area(rows="3", max_length=max_length, **common)
        if area
        else rx.input(type=input_type, max_length=max_length, **common)
    )
    return rx.vstack(
        _prop_label(label, dom_id),
        control,
        field_error(S.errors.get(S.selected_id + "." + key, "").to(str)),
        spacing="1",
        width="100%",
    )


def _field_options() -> rx.Component:
    """A choice element mapped to a Dropdown/Multi-select field: its options are the field's."""
    S = FormBuilderState
    return rx.vstack(
        rx.text("Options", size="2", weight="medium", color=rx.color("gray", 11)),
        rx.flex(
            rx.foreach(
                S.selected["options"].to(list[str]),
                lambda option: rx.badge(option, variant="surface", color_scheme="gray", size="2"),
            ),
            wrap="wrap",
            gap="6px",
            id="prop-options-from-field",
        ),
        rx.hstack(
            rx.icon("lock", size=13, color=rx.color("gray", 10), flex_shrink="0", margin_top="2px"),
            rx.text(
                "From the contact field “",
                S.selected_options_from,
                "”, so every answer can be stored. Change them in ",
                rx.link("CRM settings", href=S.crm_settings_href),
                "; this form follows.",
                size="1",
                color=rx.color("gray", 10),
            ),
            spacing="1",
            align="start",
        ),
        field_error(S.errors.get(S.selected_id + ".options", "").to(str)),
        spacing="2",
        width="100%",
    )


def _properties() -> rx.Component:
    S = FormBuilderState
    kind = S.selected_kind
    return _panel(
        rx.cond(
            S.selected_id == "",
            rx.text(
                "Select an element to edit its properties.", size="2", color=rx.color("gray", 10)
            ),
            rx.vstack(
                rx.hstack(
                    rx.text("Properties", weight="bold", size="3"),
                    rx.spacer(),
                    rx.badge(
                        rx.match(
                            S.selected["type"].to(str),
                            *[(p["type"], p["label"]) for p in PALETTE],
                            "",
                        ),
                        variant="soft",
                        color_scheme=ACCENT,
                    ),
                    width="100%",
                    align="center",
                ),
                rx.cond(
                    kind == "display",
                    _prop_text("Text", "label", area=True, max_length=2000),
                    _prop_text("Label", "label"),
                ),
                rx.cond(
                    kind != "display",
                    rx.vstack(
                        rx.cond(
                            S.selected["type"].to(str) != "consent",
                            _prop_text("Placeholder", "placeholder"),
                        ),
                        _prop_text("Help text", "help", area=True, max_length=500),
                        rx.hstack(
                            rx.switch(
                                checked=S.selected["required"].to(bool),
                                on_change=S.set_prop(S.selected_id, "required"),
                                disabled=~S.can_edit,
                                id="prop-required",
                            ),
                            _prop_label("Required", "prop-required"),
                            spacing="2",
                            align="center",
                        ),
                        rx.cond(
                            kind == "text",
                            rx.hstack(
                                _prop_text("Min length", "min", input_type="number", max_length=6),
                                _prop_text("Max length", "max", input_type="number", max_length=6),
                                spacing="3",
                                width="100%",
                            ),
                        ),
                        rx.cond(
                            kind == "number",
                            rx.hstack(
                                _prop_text("Minimum", "min", input_type="number", max_length=16),
                                _prop_text("Maximum", "max", input_type="number", max_length=16),
                                spacing="3",
                                width="100%",
                            ),
                        ),
                        rx.cond(
                            kind == "choice",
                            rx.cond(
                                S.selected_options_from != "",
                                _field_options(),
                                rx.vstack(
                                    _prop_label("Options (one per line)", "prop-options"),
                                    rx.text_area(
                                        id="prop-options",
                                        key=S.selected_id + "-options",
                                        rows="5",
                                        default_value=S.selected_options_text,
                                        on_change=S.set_options(S.selected_id).debounce(400),
                                        on_blur=S.set_options(S.selected_id),
                                        disabled=~S.can_edit,
                                        width="100%",
                                    ),
                                    field_error(
                                        S.errors.get(S.selected_id + ".options", "").to(str)
                                    ),
                                    spacing="1",
                                    width="100%",
                                ),
                            ),
                        ),
                        rx.cond(
                            S.selected_mappable,
                            rx.vstack(
                                _prop_label("Maps to", "prop-maps-to"),
                                rx.select.root(
                                    rx.select.trigger(
                                        id="prop-maps-to", width="100%", aria_label="Maps to"
                                    ),
                                    rx.select.content(
                                        rx.foreach(
                                            S.map_choices,
                                            lambda c: rx.select.item(c["label"], value=c["key"]),
                                        )
                                    ),
                                    value=S.selected_maps_to,
                                    on_change=S.set_prop(S.selected_id, "maps_to"),
                                    disabled=~S.can_edit,
                                ),
                                rx.text(
                                    "Answers fill this contact field (never overwriting what your team typed).",
                                    size="1",
                                    color=rx.color("gray", 10),
                                ),
                                field_error(S.errors.get(S.selected_id + ".maps_to", "").to(str)),
                                spacing="1",
                                width="100%",
                            ),
                        ),
                        spacing="3",
                        width="100%",
                    ),
                ),
                field_error(S.errors.get(S.selected_id + ".label", "").to(str)),
                spacing="3",
                width="100%",
            ),
        ),
        padding="16px",
        width=["264px", "264px", "264px", "264px", "300px"],
        min_width=["264px", "264px", "264px", "264px", "300px"],
        position="sticky",
        top="16px",
    )


def _setting(
    label: str,
    key: str,
    *,
    area: bool = False,
    placeholder: str = "",
    input_type: str = "text",
    hint: str = "",
    max_length: int = 200,
) -> rx.Component:
    S = FormBuilderState
    dom_id = f"setting-{key}"
    common = dict(
        id=dom_id,
        key="setting-" + key + "-" + S.form_id,
        default_value=S.settings[key].to(str),
        on_change=getattr(S, f"set_{key}").debounce(400),
        on_blur=getattr(S, f"set_{key}"),
        disabled=~S.can_edit,
        width="100%",
        placeholder=placeholder,
    )
    control = (
        rx.text_area(rows="3", max_length=max_length, **common)
        if area
        else rx.input(type=input_type, max_length=max_length, **common)
    )
    return rx.vstack(
        rx.el.label(label, html_for=dom_id, style={"font_size": "14px", "font_weight": "500"}),
        control,
        rx.cond(hint != "", rx.text(hint, size="1", color=rx.color("gray", 10)))
        if hint
        else rx.fragment(),
        field_error(S.errors.get(key, "").to(str)),
        spacing="1",
        width="100%",
    )


def _settings_tab() -> rx.Component:
    S = FormBuilderState
    return _panel(
        rx.vstack(
            rx.form(
                rx.vstack(
                    rx.el.label(
                        "Form name (only your team sees it)",
                        html_for="form-name",
                        style={"font_size": "14px", "font_weight": "500"},
                    ),
                    rx.hstack(
                        rx.input(
                            id="form-name",
                            name="name",
                            key="name-" + S.form_id,
                            default_value=S.name,
                            max_length=120,
                            width="100%",
                            disabled=~S.can_edit,
                        ),
                        rx.button("Save name", type="submit", variant="soft", disabled=~S.can_edit),
                        width="100%",
                    ),
                    field_error(S.errors.get("name", "").to(str)),
                    spacing="1",
                    width="100%",
                ),
                on_submit=S.rename,
                reset_on_submit=False,
                width="100%",
            ),
            rx.divider(),
            _setting("Title", "title", max_length=120),
            _setting("Description", "description", area=True, max_length=1000),
            _setting("Submit button label", "submit_label", max_length=40),
            _setting("Success message", "success_message", area=True, max_length=1000),
            _setting(
                "Redirect URL (optional)",
                "redirect_url",
                placeholder="https://example.com/thanks",
                hint="After submitting, visitors go here instead of seeing the success message.",
                max_length=500,
            ),
            rx.hstack(
                _setting(
                    "Close date (optional)",
                    "close_date",
                    input_type="date",
                    hint="The form stops accepting answers after this day.",
                ),
                _setting(
                    "Submission limit (optional)",
                    "limit",
                    input_type="number",
                    placeholder="No limit",
                    hint="Closes the form after this many submissions.",
                    max_length=9,
                ),
                spacing="4",
                width="100%",
                align="start",
            ),
            spacing="4",
            width="100%",
            max_width="640px",
        ),
        padding="24px",
        width="100%",
    )


def _preview_tab() -> rx.Component:
    S = FormBuilderState
    return rx.center(
        form_card(
            rx.vstack(
                rx.heading(S.settings["title"].to(str), as_="h1", size="7", weight="bold"),
                rx.cond(
                    S.settings["description"].to(str) != "",
                    rx.text(
                        S.settings["description"].to(str),
                        size="3",
                        color=rx.color("gray", 11),
                        white_space="pre-wrap",
                    ),
                ),
                spacing="2",
                width="100%",
                padding_bottom="12px",
            ),
            rx.vstack(
                rx.foreach(S.preview_elements, lambda el: render_element(el, None, disabled=True)),
                spacing="5",
                width="100%",
            ),
            rx.button(
                S.settings["submit_label"].to(str),
                size="3",
                margin_top="24px",
                disabled=True,
                min_width="160px",
            ),
        ),
        rx.text(
            "Preview of the draft. Inputs are disabled here.", size="1", color=rx.color("gray", 10)
        ),
        direction="column",
        spacing="2",
        width="100%",
        padding="24px",
        background=rx.color("gray", 3),
        border_radius="12px",
    )


def _builder_header() -> rx.Component:
    S = FormBuilderState
    return rx.vstack(
        rx.link(
            rx.hstack(
                rx.icon("arrow-left", size=14),
                rx.text("Forms", size="2"),
                spacing="1",
                align="center",
            ),
            href=S.forms_href,
            color=rx.color("gray", 11),
        ),
        rx.hstack(
            rx.vstack(
                rx.hstack(
                    rx.heading(S.name, size="6"),
                    status_badge(S.status),
                    rx.cond(
                        S.version > 0,
                        rx.badge(
                            "Version " + S.version.to(str), variant="outline", color_scheme="gray"
                        ),
                    ),
                    spacing="3",
                    align="center",
                ),
                rx.text(
                    rx.cond(
                        S.can_edit,
                        rx.cond(
                            S.unpublished,
                            "You have unpublished changes. Visitors see the last "
                            "published version until you publish.",
                            rx.cond(
                                S.status == "Draft",
                                "Draft: only your team can see it. Publish to share it.",
                                "All changes are published.",
                            ),
                        ),
                        "You can view this form. Owners and Admins can edit it.",
                    ),
                    size="2",
                    color=rx.color(rx.cond(S.unpublished, "amber", "gray"), 11),
                ),
                spacing="1",
            ),
            rx.spacer(),
            rx.link(
                rx.button(
                    rx.icon("inbox", size=15), "Submissions", variant="soft", color_scheme="gray"
                ),
                href=S.submissions_href,
            ),
            rx.cond(
                S.can_edit,
                rx.fragment(
                    rx.cond(
                        S.status == "Published",
                        rx.button(
                            rx.icon("lock", size=15),
                            "Close form",
                            variant="soft",
                            color_scheme="amber",
                            on_click=S.close_form,
                        ),
                    ),
                    rx.cond(
                        S.status == "Closed",
                        rx.button(
                            rx.icon("lock-open", size=15),
                            "Reopen",
                            variant="soft",
                            on_click=S.reopen_form,
                        ),
                    ),
                    rx.button(
                        rx.icon("send", size=15),
                        S.publish_label,
                        on_click=S.publish,
                        disabled=(S.status != "Draft") & ~S.unpublished,
                    ),
                ),
            ),
            width="100%",
            align="center",
            spacing="3",
        ),
        rx.cond(
            S.errors.contains("elements") | S.errors.contains("form"),
            rx.callout(
                S.errors.get("elements", S.errors.get("form", "")).to(str),
                icon="circle-alert",
                color_scheme="red",
                width="100%",
                role="alert",
            ),
        ),
        spacing="2",
        width="100%",
        padding_bottom="16px",
    )


def builder_page() -> rx.Component:
    S = FormBuilderState
    return dashboard(
        rx.cond(
            S.load_error != "",
            _not_found(S.load_error),
            rx.cond(
                S.loaded,
                rx.vstack(
                    _builder_header(),
                    rx.tabs.root(
                        rx.tabs.list(
                            rx.tabs.trigger("Build", value="build"),
                            rx.tabs.trigger("Preview", value="preview"),
                            rx.tabs.trigger("Settings", value="settings"),
                            rx.tabs.trigger("Share", value="share"),
                        ),
                        rx.tabs.content(
                            form_builder_dnd(
                                rx.hstack(
                                    _palette(),
                                    _canvas(),
                                    _properties(),
                                    spacing="4",
                                    align="start",
                                    width="100%",
                                ),
                                ids=S.element_ids,
                                labels=S.element_labels,
                                disabled=~S.can_edit,
                                on_add=S.drop_new,
                                on_reorder=S.reorder,
                            ),
                            value="build",
                            padding_top="16px",
                        ),
                        rx.tabs.content(_preview_tab(), value="preview", padding_top="16px"),
                        rx.tabs.content(_settings_tab(), value="settings", padding_top="16px"),
                        rx.tabs.content(
                            _panel(
                                share_panel(S.share_url, S.share_embed, S.share_qr, S.status),
                                padding="24px",
                                max_width="640px",
                            ),
                            value="share",
                            padding_top="16px",
                        ),
                        value=S.tab,
                        on_change=S.set_tab,
                        width="100%",
                    ),
                    width="100%",
                    spacing="0",
                ),
                rx.center(rx.spinner(size="3"), padding="80px"),
            ),
        ),
    )


# ------------------------------------------------------------------ submissions


def _sub_row(item) -> rx.Component:
    S = SubmissionsState
    return rx.table.row(
        rx.table.cell(rx.text(item["time"].to(str), size="2", white_space="nowrap")),
        rx.table.cell(
            rx.badge(
                item["status"].to(str),
                variant="soft",
                color_scheme=rx.match(
                    item["status"].to(str), ("New", "blue"), ("Reviewed", "green"), "red"
                ),
            )
        ),
        rx.foreach(
            item["cells"].to(list[str]),
            lambda c: rx.table.cell(
                rx.text(
                    c,
                    size="2",
                    style={
                        "max_width": "220px",
                        "overflow": "hidden",
                        "text_overflow": "ellipsis",
                        "white_space": "nowrap",
                    },
                )
            ),
        ),
        rx.table.cell(
            rx.button(
                "Open",
                size="1",
                variant="soft",
                on_click=S.open_detail(item["id"].to(str)),
                aria_label="Open submission " + item["id"].to(str),
            )
        ),
        on_click=S.open_detail(item["id"].to(str)),
        style={"cursor": "pointer", "_hover": {"background": rx.color("gray", 3)}},
        align="center",
    )


def _drawer() -> rx.Component:
    S = SubmissionsState
    d = S.detail
    return rx.drawer.root(
        rx.drawer.overlay(z_index="40"),
        rx.drawer.portal(
            rx.drawer.content(
                rx.vstack(
                    rx.hstack(
                        rx.vstack(
                            rx.heading("Submission", size="5"),
                            rx.text(
                                d["time"].to(str),
                                " · version ",
                                d["version"].to(str),
                                size="2",
                                color=rx.color("gray", 11),
                            ),
                            spacing="1",
                        ),
                        rx.spacer(),
                        rx.drawer.close(
                            rx.icon_button(
                                rx.icon("x", size=16),
                                variant="ghost",
                                color_scheme="gray",
                                aria_label="Close",
                            )
                        ),
                        width="100%",
                    ),
                    rx.hstack(
                        rx.badge(
                            d["status"].to(str),
                            size="2",
                            variant="soft",
                            color_scheme=rx.match(
                                d["status"].to(str), ("New", "blue"), ("Reviewed", "green"), "red"
                            ),
                        ),
                        rx.cond(
                            d["contact_id"].to(str) != "",
                            rx.link(
                                rx.hstack(
                                    rx.icon("user", size=14),
                                    "Open contact " + d["contact"].to(str),
                                    spacing="1",
                                    align="center",
                                ),
                                href=S.contact_base + d["contact_id"].to(str),
                            ),
                            rx.text(
                                "No contact (no email or phone answer)",
                                size="2",
                                color=rx.color("gray", 10),
                            ),
                        ),
                        spacing="3",
                        align="center",
                    ),
                    rx.cond(
                        d["status"].to(str) == "Spam",
                        rx.callout(
                            "Quarantined as spam: " + d["spam_reason"].to(str),
                            icon="shield-alert",
                            color_scheme="red",
                            width="100%",
                        ),
                    ),
                    rx.divider(),
                    rx.foreach(
                        S.detail_answers,
                        lambda a: rx.vstack(
                            rx.text(
                                a["label"], size="1", weight="bold", color=rx.color("gray", 10)
                            ),
                            rx.cond(
                                a["file_url"] != "",
                                rx.link(
                                    rx.hstack(
                                        rx.icon("paperclip", size=14),
                                        a["value"],
                                        spacing="1",
                                        align="center",
                                    ),
                                    href=a["file_url"],
                                    is_external=True,
                                ),
                                rx.text(a["value"], size="2", white_space="pre-wrap"),
                            ),
                            spacing="1",
                            width="100%",
                        ),
                    ),
                    rx.divider(),
                    rx.text("Sent from IP ", d["ip"].to(str), size="1", color=rx.color("gray", 10)),
                    rx.hstack(
                        rx.cond(
                            d["status"].to(str) == "New",
                            rx.button(
                                rx.icon("check", size=15), "Mark reviewed", on_click=S.mark_reviewed
                            ),
                        ),
                        rx.cond(
                            d["status"].to(str) == "Spam",
                            rx.button(
                                rx.icon("shield-check", size=15),
                                "Release from spam",
                                on_click=S.release,
                            ),
                        ),
                        spacing="3",
                    ),
                    spacing="4",
                    width="100%",
                ),
                top="0",
                right="0",
                left="auto",
                height="100%",
                width=["100%", "460px"],
                padding="24px",
                background=rx.color("gray", 1),
                overflow_y="auto",
                z_index="50",
            ),
        ),
        direction="right",
        open=S.drawer_open,
        on_open_change=S.set_drawer_open,
    )


def submissions_page() -> rx.Component:
    S = SubmissionsState
    filters = rx.hstack(
        rx.select.root(
            rx.select.trigger(aria_label="Status", width="190px"),
            rx.select.content(
                rx.select.item("New and reviewed", value="New+Reviewed"),
                rx.select.item("New", value="New"),
                rx.select.item("Reviewed", value="Reviewed"),
                rx.select.item("Spam", value="Spam"),
                rx.select.item("All", value="All"),
            ),
            value=S.status_filter,
            on_change=S.set_status_filter,
        ),
        rx.input(
            rx.input.slot(rx.icon("search", size=15)),
            placeholder="Search answers",
            aria_label="Search answers",
            value=S.search,
            on_change=S.set_search.debounce(300),
            width="240px",
        ),
        rx.hstack(
            rx.el.label(
                "From",
                html_for="sub-from",
                style={"font_size": "13px", "color": rx.color("gray", 11)},
            ),
            rx.input(
                id="sub-from",
                type="date",
                value=S.date_from,
                on_change=S.set_date_from,
                width="150px",
            ),
            rx.el.label(
                "To", html_for="sub-to", style={"font_size": "13px", "color": rx.color("gray", 11)}
            ),
            rx.input(
                id="sub-to", type="date", value=S.date_to, on_change=S.set_date_to, width="150px"
            ),
            spacing="2",
            align="center",
        ),
        rx.spacer(),
        rx.cond(
            S.can_export,
            rx.link(
                rx.button(rx.icon("download", size=15), "Export CSV", variant="soft"),
                href=S.export_href,
                is_external=True,
            ),
        ),
        width="100%",
        align="center",
        spacing="3",
        wrap="wrap",
    )
    table = rx.cond(
        S.items.length() > 0,
        _panel(
            rx.box(
                rx.table.root(
                    rx.table.header(
                        rx.table.row(
                            rx.table.column_header_cell("Submitted"),
                            rx.table.column_header_cell("Status"),
                            rx.foreach(
                                S.columns,
                                lambda c: rx.table.column_header_cell(
                                    rx.text(c["label"], style={"white_space": "nowrap"})
                                ),
                            ),
                            rx.table.column_header_cell(""),
                        )
                    ),
                    rx.table.body(rx.foreach(S.items, _sub_row)),
                    width="100%",
                    variant="ghost",
                ),
                overflow_x="auto",
                width="100%",
            ),
            rx.hstack(
                rx.text(
                    S.total.to(str)
                    + rx.cond(S.total == 1, " submission", " submissions")
                    + " · page "
                    + S.page.to(str)
                    + " of "
                    + S.pages.to(str),
                    size="2",
                    color=rx.color("gray", 11),
                ),
                rx.spacer(),
                rx.button(
                    "Previous",
                    variant="soft",
                    size="1",
                    on_click=S.go_page(-1),
                    disabled=S.page <= 1,
                ),
                rx.button(
                    "Next",
                    variant="soft",
                    size="1",
                    on_click=S.go_page(1),
                    disabled=S.page >= S.pages,
                ),
                width="100%",
                align="center",
                padding_top="8px",
            ),
            padding="8px 16px 12px",
            width="100%",
        ),
        rx.cond(
            S.loaded,
            empty_state(
                "inbox",
                rx.cond(S.status_filter == "Spam", "No spam", "No submissions yet"),
                rx.cond(
                    S.status_filter == "Spam",
                    "Suspicious submissions are quarantined here, away from your contacts.",
                    "Answers to this form appear here. Share the public link to start collecting them.",
                ),
            ),
            rx.center(rx.spinner(), padding="40px"),
        ),
    )
    return dashboard(
        rx.cond(
            S.load_error != "",
            _not_found(S.load_error),
            rx.vstack(
                rx.link(
                    rx.hstack(
                        rx.icon("arrow-left", size=14),
                        rx.text("Back to the builder", size="2"),
                        spacing="1",
                        align="center",
                    ),
                    href=S.builder_href,
                    color=rx.color("gray", 11),
                ),
                page_header(
                    "Submissions",
                    S.form_name
                    + " · "
                    + S.counts["New"].to(str)
                    + " new · "
                    + S.counts["Reviewed"].to(str)
                    + " reviewed · "
                    + S.counts["Spam"].to(str)
                    + " in spam",
                ),
                filters,
                field_error(S.filter_error),
                table,
                spacing="3",
                width="100%",
            ),
        ),
        _drawer(),
    )


def register(app: rx.App) -> None:
    app.add_page(
        list_page,
        route=routes.FORMS,
        title="Forms · Agent CRM",
        on_load=[AppState.load_shell, FormsListState.load],
    )
    app.add_page(
        builder_page,
        route=routes.FORM_BUILDER,
        title="Form builder · Agent CRM",
        on_load=[AppState.load_shell, FormBuilderState.load],
    )
    app.add_page(
        submissions_page,
        route=routes.FORM_SUBMISSIONS,
        title="Form submissions · Agent CRM",
        on_load=[AppState.load_shell, SubmissionsState.load],
    )
