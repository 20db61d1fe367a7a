"""CRM → Settings: contact fields, pipeline stages, defaults."""

from __future__ import annotations

import reflex as rx

from crm_app import routes
from crm_app.components.dnd import sortable_item, sortable_list
from crm_app.components.layout import ACCENT, dashboard, empty_state, field_error, page_header
from crm_app.services.fields import FIELD_TYPES
from crm_app.services.stages import DUPLICATE_POLICIES, DUPLICATE_POLICY_LABELS, region_choices
from crm_app.state.base import AppState
from crm_app.state.crm_settings import CrmSettingsState as S

_REGIONS = region_choices()
_POLICY_HINTS = {
    "skip": "Keep the existing contact as it is.",
    "fill": "Fill only the fields that are empty on the existing contact.",
    "overwrite": "Replace existing values with the incoming ones.",
}


def _card(*children, **props) -> rx.Component:
    return rx.box(
        *children,
        background=rx.color("gray", 1),
        border=f"1px solid {rx.color('gray', 5)}",
        border_radius="12px",
        padding="20px",
        width="100%",
        **props,
    )


def _section_title(title: str, text: str, *actions: rx.Component) -> rx.Component:
    return rx.hstack(
        rx.vstack(
            rx.heading(title, size="4", weight="bold"),
            rx.text(text, size="2", color=rx.color("gray", 11)),
            spacing="1",
            flex="1 1 260px",
            min_width="0",
        ),
        *actions,
        width="100%",
        align="center",
        spacing="4",
        wrap="wrap",
        padding_bottom="12px",
    )


def _row_style() -> dict:
    return {
        "background": rx.color("gray", 1),
        "border": f"1px solid {rx.color('gray', 5)}",
        "border_radius": "10px",
        "padding": "8px 10px 8px 6px",
    }


def _move_buttons(up, down, disabled_up, disabled_down, what) -> rx.Component:
    return rx.hstack(
        rx.tooltip(
            rx.icon_button(
                rx.icon("arrow-up", size=14),
                size="1",
                variant="ghost",
                color_scheme="gray",
                on_click=up,
                disabled=disabled_up | ~S.can_edit,
                aria_label=f"Move {what} up",
            ),
            content="Move up",
        ),
        rx.tooltip(
            rx.icon_button(
                rx.icon("arrow-down", size=14),
                size="1",
                variant="ghost",
                color_scheme="gray",
                on_click=down,
                disabled=disabled_down | ~S.can_edit,
                aria_label=f"Move {what} down",
            ),
            content="Move down",
        ),
        spacing="1",
    )


# ---------------------------------------------------------------- contact fields


def _switch(label: str, checked, on_change, aria) -> rx.Component:
    return rx.el.label(
        rx.hstack(
            rx.switch(
                checked=checked,
                on_change=on_change,
                disabled=~S.can_edit,
                size="1",
                aria_label=aria,
                color_scheme=ACCENT,
            ),
            rx.text(label, size="1", color=rx.color("gray", 11), white_space="nowrap"),
            spacing="1",
            align="center",
        ),
    )


def _field_row(field: rx.Var, index: rx.Var) -> rx.Component:
    fid = field["id"].to(int)
    label = field["label"].to(str)
    return sortable_item(
        rx.hstack(
            rx.vstack(
                rx.hstack(
                    rx.text(label, weight="medium", size="2"),
                    rx.cond(
                        field["is_default"].to(bool),
                        rx.badge("Default", variant="outline", color_scheme="gray", size="1"),
                    ),
                    spacing="2",
                    align="center",
                ),
                rx.hstack(
                    rx.code(field["key"].to(str), size="1", variant="ghost", color_scheme="gray"),
                    rx.badge(field["type"].to(str), variant="soft", color_scheme=ACCENT, size="1"),
                    spacing="2",
                    align="center",
                ),
                spacing="1",
                min_width="180px",
            ),
            rx.spacer(),
            _switch(
                "Required",
                field["required"].to(bool),
                lambda v: S.set_required(fid, v),
                "Required: " + label,
            ),
            _switch(
                "Allow for AI",
                field["allow_ai"].to(bool),
                lambda v: S.set_allow_ai(fid, v),
                "Allow for AI: " + label,
            ),
            rx.divider(orientation="vertical", size="2"),
            _move_buttons(
                S.move_field(fid, "up"),
                S.move_field(fid, "down"),
                index == 0,
                index == S.fields.length() - 1,
                label,
            ),
            rx.tooltip(
                rx.icon_button(
                    rx.icon("pencil", size=14),
                    size="1",
                    variant="ghost",
                    color_scheme="gray",
                    on_click=S.open_edit_field(fid),
                    aria_label="Edit " + label,
                ),
                content=rx.cond(S.can_edit, "Edit", "View"),
            ),
            rx.cond(
                field["is_default"].to(bool),
                rx.box(width="24px"),
                rx.tooltip(
                    rx.icon_button(
                        rx.icon("archive", size=14),
                        size="1",
                        variant="ghost",
                        color_scheme="red",
                        on_click=S.archive_field(fid),
                        disabled=~S.can_edit,
                        aria_label="Archive " + label,
                    ),
                    content="Archive (values are kept)",
                ),
            ),
            spacing="3",
            align="center",
            width="100%",
            wrap="wrap",
        ),
        item_id=field["id"].to_string(),
        label=label,
        key=field["id"].to_string(),
        style=_row_style(),
    )


def _archived_list() -> rx.Component:
    return rx.cond(
        S.show_archived,
        rx.vstack(
            rx.text(
                "Archived fields",
                size="2",
                weight="bold",
                color=rx.color("gray", 11),
                padding_top="12px",
            ),
            rx.cond(
                S.archived_fields.length() > 0,
                rx.vstack(
                    rx.foreach(
                        S.archived_fields,
                        lambda f: rx.hstack(
                            rx.icon("archive", size=14, color=rx.color("gray", 9)),
                            rx.text(f["label"].to(str), size="2", color=rx.color("gray", 11)),
                            rx.code(
                                f["key"].to(str), size="1", variant="ghost", color_scheme="gray"
                            ),
                            rx.badge(
                                f["type"].to(str), variant="soft", color_scheme="gray", size="1"
                            ),
                            rx.spacer(),
                            rx.button(
                                rx.icon("rotate-ccw", size=14),
                                "Restore",
                                size="1",
                                variant="soft",
                                on_click=S.restore_field(f["id"].to(int)),
                                disabled=~S.can_edit,
                            ),
                            width="100%",
                            align="center",
                            spacing="2",
                            padding="8px 12px",
                            border=f"1px dashed {rx.color('gray', 6)}",
                            border_radius="10px",
                        ),
                    ),
                    width="100%",
                    spacing="2",
                ),
                rx.text("No archived fields.", size="2", color=rx.color("gray", 10)),
            ),
            width="100%",
            spacing="2",
        ),
    )


def _fields_tab() -> rx.Component:
    return _card(
        _section_title(
            "Contact Fields",
            "Default and custom fields every contact of this agent has. Drag the handle (or use the "
            "arrows) to change their order.",
            rx.hstack(
                rx.el.label(
                    rx.hstack(
                        rx.switch(
                            checked=S.show_archived,
                            on_change=S.set_show_archived,
                            size="1",
                            aria_label="Show archived",
                        ),
                        rx.text("Show archived", size="2", white_space="nowrap"),
                        spacing="2",
                        align="center",
                    )
                ),
                rx.cond(
                    S.can_edit,
                    rx.button(
                        rx.icon("plus", size=16), "Add custom field", on_click=S.open_new_field
                    ),
                ),
                spacing="4",
                align="center",
                flex_shrink="0",
            ),
        ),
        sortable_list(
            rx.foreach(S.fields, _field_row),
            ids=S.field_ids,
            labels=S.field_labels,
            disabled=~S.can_edit,
            on_reorder=S.reorder_fields,
        ),
        _archived_list(),
    )


def _labelled(
    label: str, control: rx.Component, error=None, hint: str | None = None
) -> rx.Component:
    return rx.vstack(
        rx.text(label, size="2", weight="medium", as_="label"),
        control,
        rx.text(hint, size="1", color=rx.color("gray", 10)) if hint else rx.fragment(),
        field_error(error) if error is not None else rx.fragment(),
        spacing="1",
        width="100%",
    )


def _options_editor() -> rx.Component:
    return _labelled(
        "Options",
        rx.vstack(
            rx.cond(
                S.form_options.length() > 0,
                rx.flex(
                    rx.foreach(
                        S.form_options,
                        lambda o: rx.badge(
                            o,
                            rx.cond(
                                S.editing_is_default | ~S.can_edit,
                                rx.fragment(),
                                rx.icon_button(
                                    rx.icon("x", size=10),
                                    size="1",
                                    variant="ghost",
                                    color_scheme="gray",
                                    on_click=S.remove_form_option(o),
                                    aria_label="Remove option " + o,
                                    height="16px",
                                    width="16px",
                                ),
                            ),
                            size="2",
                            variant="soft",
                            color_scheme=ACCENT,
                        ),
                    ),
                    wrap="wrap",
                    gap="6px",
                ),
                rx.text("No options yet.", size="1", color=rx.color("gray", 10)),
            ),
            rx.cond(
                S.editing_is_default | ~S.can_edit,
                rx.fragment(),
                rx.hstack(
                    rx.input(
                        placeholder="Type an option and press Enter",
                        value=S.form_option_input,
                        on_change=S.set_form_option_input,
                        on_key_down=S.option_key_down,
                        width="100%",
                        aria_label="New option",
                    ),
                    rx.button("Add", variant="soft", on_click=S.add_form_option, type="button"),
                    width="100%",
                ),
            ),
            width="100%",
            spacing="2",
        ),
        S.form_errors.get("options", ""),
    )


def _field_dialog() -> rx.Component:
    locked_type = S.editing_is_default | S.editing_has_values | ~S.can_edit
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(S.form_title),
            rx.dialog.description(
                rx.cond(
                    S.editing_is_default,
                    "Default fields keep their label and type; you can change whether they are required "
                    "and what the AI may capture.",
                    "Custom fields appear on every contact of this agent, in imports, forms and the API.",
                ),
                size="2",
                color=rx.color("gray", 11),
                margin_bottom="16px",
            ),
            rx.vstack(
                _labelled(
                    "Label",
                    rx.input(
                        value=S.form_label,
                        on_change=S.set_form_label,
                        max_length=80,
                        placeholder="e.g. Preferred clinic",
                        width="100%",
                        aria_label="Label",
                        disabled=S.editing_is_default | ~S.can_edit,
                    ),
                    S.form_errors.get("label", ""),
                ),
                _labelled(
                    "Key",
                    rx.input(
                        value=S.form_key,
                        on_change=S.set_form_key,
                        max_length=60,
                        placeholder="preferred_clinic",
                        width="100%",
                        aria_label="Key",
                        disabled=(S.editing_field_id != 0) | ~S.can_edit,
                        font_family="var(--code-font-family)",
                    ),
                    S.form_errors.get("key", ""),
                    hint="Used by imports, forms and the API. It cannot change once the field exists.",
                ),
                _labelled(
                    "Type",
                    rx.select.root(
                        rx.select.trigger(width="100%", aria_label="Type"),
                        rx.select.content(*[rx.select.item(t, value=t) for t in FIELD_TYPES]),
                        value=S.form_type,
                        on_change=S.set_form_type,
                        disabled=locked_type,
                    ),
                    S.form_errors.get("type", ""),
                ),
                rx.cond(
                    S.editing_has_values & ~S.editing_is_default,
                    rx.text(
                        "Contacts already have values for this field, so its type is fixed.",
                        size="1",
                        color=rx.color("gray", 10),
                    ),
                ),
                rx.cond(S.form_has_options, _options_editor()),
                rx.el.label(
                    rx.hstack(
                        rx.switch(
                            checked=S.form_required,
                            on_change=S.set_form_required,
                            disabled=~S.can_edit,
                            aria_label="Required",
                        ),
                        rx.text("Required", size="2"),
                        spacing="2",
                        align="center",
                    )
                ),
                _labelled(
                    "Description / hint for the AI",
                    rx.text_area(
                        value=S.form_ai_hint,
                        on_change=S.set_form_ai_hint,
                        max_length=500,
                        placeholder="e.g. The clinic the visitor prefers to visit (city name).",
                        width="100%",
                        rows="3",
                        aria_label="Description / hint for the AI",
                        disabled=~S.can_edit,
                    ),
                    S.form_errors.get("ai_hint", ""),
                ),
                rx.el.label(
                    rx.hstack(
                        rx.switch(
                            checked=S.form_allow_ai,
                            on_change=S.set_form_allow_ai,
                            disabled=~S.can_edit,
                            aria_label="Allow for AI",
                        ),
                        rx.vstack(
                            rx.text("Allow for AI", size="2"),
                            rx.text(
                                "The agent may capture this field from chat.",
                                size="1",
                                color=rx.color("gray", 10),
                            ),
                            spacing="0",
                        ),
                        spacing="2",
                        align="center",
                    )
                ),
                spacing="4",
                width="100%",
            ),
            rx.hstack(
                rx.dialog.close(rx.button("Cancel", variant="soft", color_scheme="gray")),
                rx.cond(S.can_edit, rx.button("Save field", on_click=S.save_field)),
                justify="end",
                spacing="3",
                padding_top="20px",
            ),
            max_width="520px",
        ),
        open=S.field_dialog_open,
        on_open_change=S.set_field_dialog_open,
    )


# ---------------------------------------------------------------- pipeline stages


def _stage_row(stage: rx.Var, index: rx.Var) -> rx.Component:
    sid = stage["id"].to(int)
    name = stage["name"].to(str)
    count = stage["contact_count"].to(int)
    return sortable_item(
        rx.hstack(
            rx.cond(
                S.renaming_stage_id == sid,
                rx.vstack(
                    rx.hstack(
                        rx.input(
                            value=S.rename_value,
                            on_change=S.set_rename_value,
                            on_key_down=S.rename_key_down,
                            max_length=60,
                            auto_focus=True,
                            size="2",
                            aria_label="Stage name",
                        ),
                        rx.button("Save", size="1", on_click=S.save_rename),
                        rx.button(
                            "Cancel",
                            size="1",
                            variant="soft",
                            color_scheme="gray",
                            on_click=S.cancel_rename,
                        ),
                        align="center",
                        spacing="2",
                    ),
                    field_error(S.rename_error),
                    spacing="1",
                ),
                rx.text(name, weight="medium", size="2"),
            ),
            rx.badge(
                count.to_string() + rx.cond(count == 1, " contact", " contacts"),
                variant="soft",
                color_scheme="gray",
                size="1",
            ),
            rx.spacer(),
            _move_buttons(
                S.move_stage(sid, "up"),
                S.move_stage(sid, "down"),
                index == 0,
                index == S.stages.length() - 1,
                name,
            ),
            rx.tooltip(
                rx.icon_button(
                    rx.icon("pencil", size=14),
                    size="1",
                    variant="ghost",
                    color_scheme="gray",
                    on_click=S.start_rename(sid),
                    disabled=~S.can_edit,
                    aria_label="Rename " + name,
                ),
                content="Rename",
            ),
            rx.tooltip(
                rx.icon_button(
                    rx.icon("trash-2", size=14),
                    size="1",
                    variant="ghost",
                    color_scheme="red",
                    on_click=S.open_remove_stage(sid),
                    disabled=~S.can_edit | (S.stages.length() <= 1),
                    aria_label="Remove " + name,
                ),
                content="Remove",
            ),
            spacing="3",
            align="center",
            width="100%",
        ),
        item_id=stage["id"].to_string(),
        label=name,
        key=stage["id"].to_string(),
        style=_row_style(),
    )


def _remove_stage_dialog() -> rx.Component:
    return rx.alert_dialog.root(
        rx.alert_dialog.content(
            rx.alert_dialog.title("Remove stage " + S.remove_stage_name + "?"),
            rx.alert_dialog.description(
                rx.cond(
                    S.remove_stage_count > 0,
                    S.remove_stage_count.to_string()
                    + rx.cond(S.remove_stage_count == 1, " contact is", " contacts are")
                    + " in this stage. Choose the stage they move to.",
                    "No contacts are in this stage. Automation rules that use it move to the stage you choose.",
                ),
                size="2",
            ),
            rx.vstack(
                rx.text("Move contacts to", size="2", weight="medium"),
                rx.select.root(
                    rx.select.trigger(width="100%", aria_label="Move contacts to"),
                    rx.select.content(
                        rx.foreach(
                            S.remove_targets,
                            lambda s: rx.select.item(s["name"].to(str), value=s["id"].to(str)),
                        )
                    ),
                    value=S.remove_target,
                    on_change=S.set_remove_target,
                ),
                field_error(S.remove_error),
                spacing="1",
                width="100%",
                padding_top="16px",
            ),
            rx.hstack(
                rx.alert_dialog.cancel(rx.button("Cancel", variant="soft", color_scheme="gray")),
                rx.button("Remove stage", color_scheme="red", on_click=S.confirm_remove_stage),
                justify="end",
                spacing="3",
                padding_top="20px",
            ),
            max_width="460px",
        ),
        open=S.remove_open,
        on_open_change=S.set_remove_open,
    )


def _stages_tab() -> rx.Component:
    return _card(
        _section_title(
            "Pipeline Stages",
            "The stages a contact moves through, in order. Removing a stage moves its contacts to "
            "another stage.",
        ),
        sortable_list(
            rx.foreach(S.stages, _stage_row),
            ids=S.stage_ids,
            labels=S.stage_labels,
            disabled=~S.can_edit,
            on_reorder=S.reorder_stages,
        ),
        rx.cond(
            S.can_edit,
            rx.vstack(
                rx.hstack(
                    rx.input(
                        placeholder="New stage name",
                        value=S.new_stage_name,
                        on_change=S.set_new_stage_name,
                        on_key_down=S.new_stage_key_down,
                        max_length=60,
                        width="280px",
                        aria_label="New stage name",
                    ),
                    rx.button(
                        rx.icon("plus", size=16), "Add stage", on_click=S.add_stage, variant="soft"
                    ),
                    spacing="2",
                ),
                field_error(S.new_stage_error),
                spacing="1",
                padding_top="16px",
            ),
        ),
        _remove_stage_dialog(),
    )


# ---------------------------------------------------------------- defaults


def _defaults_tab() -> rx.Component:
    return _card(
        _section_title(
            "Defaults",
            "How new and imported contacts of this agent are read and matched.",
        ),
        rx.vstack(
            _labelled(
                "Default phone region",
                rx.select.root(
                    rx.select.trigger(width="360px", aria_label="Default phone region"),
                    rx.select.content(
                        *[rx.select.item(r["label"], value=r["code"]) for r in _REGIONS]
                    ),
                    value=S.phone_region,
                    on_change=S.set_phone_region,
                    disabled=~S.can_edit,
                ),
                S.defaults_errors.get("phone_region", ""),
                hint="Phone numbers typed without a country code are read as numbers of this region.",
            ),
            _labelled(
                "Default duplicate policy",
                rx.radio_group.root(
                    rx.vstack(
                        *[
                            rx.el.label(
                                rx.hstack(
                                    rx.radio_group.item(value=p),
                                    rx.vstack(
                                        rx.text(DUPLICATE_POLICY_LABELS[p], size="2"),
                                        rx.text(
                                            _POLICY_HINTS[p], size="1", color=rx.color("gray", 10)
                                        ),
                                        spacing="0",
                                    ),
                                    align="start",
                                    spacing="2",
                                )
                            )
                            for p in DUPLICATE_POLICIES
                        ],
                        spacing="2",
                    ),
                    value=S.duplicate_policy,
                    on_change=S.set_duplicate_policy,
                    disabled=~S.can_edit,
                ),
                S.defaults_errors.get("duplicate_policy", ""),
                hint="What an import does when a row matches an existing contact (you can still "
                "choose per import).",
            ),
            rx.cond(S.can_edit, rx.button("Save defaults", on_click=S.save_defaults)),
            spacing="5",
            align="start",
        ),
    )


# ---------------------------------------------------------------- page


def _content() -> rx.Component:
    return rx.vstack(
        rx.cond(
            ~S.can_edit,
            rx.callout(
                "You can view these settings. Only Owners and Admins can change them.",
                icon="lock",
                color_scheme="gray",
                size="1",
                width="100%",
            ),
        ),
        rx.tabs.root(
            rx.tabs.list(
                rx.tabs.trigger("Contact Fields", value="fields"),
                rx.tabs.trigger("Pipeline Stages", value="stages"),
                rx.tabs.trigger("Defaults", value="defaults"),
            ),
            rx.tabs.content(_fields_tab(), value="fields", padding_top="16px"),
            rx.tabs.content(_stages_tab(), value="stages", padding_top="16px"),
            rx.tabs.content(_defaults_tab(), value="defaults", padding_top="16px"),
            value=S.tab,
            on_change=S.set_tab,
            width="100%",
        ),
        _field_dialog(),
        spacing="4",
        width="100%",
    )


def page() -> rx.Component:
    return dashboard(
        page_header(
            "CRM Settings",
            "Choose the contact fields, pipeline stages and defaults this agent's CRM uses.",
        ),
        rx.cond(
            ~S.loaded,
            rx.center(rx.spinner(size="3"), padding="60px"),
            rx.cond(
                S.load_error != "",
                empty_state(
                    "search-x",
                    S.load_error,
                    "This agent does not exist or you do not have access to it.",
                    rx.link(rx.button("Go to Agents", variant="soft"), href=routes.AGENTS),
                ),
                _content(),
            ),
        ),
    )


def register(app: rx.App) -> None:
    app.add_page(
        page,
        route=routes.CRM_SETTINGS,
        title="CRM Settings · Agent CRM",
        on_load=[AppState.load_shell, S.load],
    )
