"""CRM → Settings → Contact Fields: the sortable field list and the archived fields."""

from __future__ import annotations

import reflex as rx

from crm_app.components.dnd import sortable_item, sortable_list
from crm_app.components.kit import card, icon_action, move_buttons
from crm_app.components.layout import ACCENT
from crm_app.pages.crm_settings.common import row_style, section_title, switch
from crm_app.state.crm_settings import CrmSettingsState as S


def _field_row(field: rx.Var, index: rx.Var) -> rx.Component:
    fid = field.id
    label = field.label
    return sortable_item(
        rx.hstack(
            rx.vstack(
                rx.hstack(
                    rx.text(label, weight="medium", size="2"),
                    rx.cond(
                        field.is_default,
                        rx.badge("Default", variant="outline", color_scheme="gray", size="1"),
                    ),
                    spacing="2",
                    align="center",
                ),
                rx.hstack(
                    rx.code(field.key, size="1", variant="ghost", color_scheme="gray"),
                    rx.badge(field.type, variant="soft", color_scheme=ACCENT, size="1"),
                    spacing="2",
                    align="center",
                ),
                spacing="1",
                min_width="180px",
            ),
            rx.spacer(),
            switch(
                "Required",
                field.required,
                lambda v: S.set_required(fid, v),
                "Required: " + label,
            ),
            switch(
                "Allow for AI",
                field.allow_ai,
                lambda v: S.set_allow_ai(fid, v),
                "Allow for AI: " + label,
            ),
            rx.divider(orientation="vertical", size="2"),
            move_buttons(
                S.move_field(fid, "up"),
                S.move_field(fid, "down"),
                label,
                first=index == 0,
                last=index == S.fields.length() - 1,
                disabled=~S.can_edit,
            ),
            icon_action(
                "pencil",
                "Edit " + label,
                rx.cond(S.can_edit, "Edit", "View"),
                S.open_edit_field(fid),
            ),
            rx.cond(
                field.is_default,
                rx.box(width="24px"),
                icon_action(
                    "archive",
                    "Archive " + label,
                    "Archive (values are kept)",
                    S.archive_field(fid),
                    color_scheme="red",
                    disabled=~S.can_edit,
                ),
            ),
            spacing="3",
            align="center",
            width="100%",
            wrap="wrap",
        ),
        item_id=field.id.to_string(),
        label=label,
        key=field.id.to_string(),
        style=row_style(),
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
                            rx.text(f.label, size="2", color=rx.color("gray", 11)),
                            rx.code(f.key, size="1", variant="ghost", color_scheme="gray"),
                            rx.badge(f.type, variant="soft", color_scheme="gray", size="1"),
                            rx.spacer(),
                            rx.button(
                                rx.icon("rotate-ccw", size=14),
                                "Restore",
                                size="1",
                                variant="soft",
                                on_click=S.restore_field(f.id),
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


def fields_tab() -> rx.Component:
    return card(
        section_title(
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
