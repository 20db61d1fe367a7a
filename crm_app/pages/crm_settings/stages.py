"""CRM → Settings → Pipeline Stages: the sortable stage list and the remove-stage dialog."""

from __future__ import annotations

import reflex as rx

from crm_app.components.dnd import sortable_item, sortable_list
from crm_app.components.kit import card, confirm_dialog, icon_action, labelled, move_buttons
from crm_app.components.layout import field_error
from crm_app.pages.crm_settings.common import row_style, section_title
from crm_app.state.crm_settings import CrmSettingsState as S


def _stage_row(stage: rx.Var, index: rx.Var) -> rx.Component:
    sid = stage.id
    name = stage.name
    count = stage.contact_count
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
            move_buttons(
                S.move_stage(sid, "up"),
                S.move_stage(sid, "down"),
                name,
                first=index == 0,
                last=index == S.stages.length() - 1,
                disabled=~S.can_edit,
            ),
            icon_action(
                "pencil", "Rename " + name, "Rename", S.start_rename(sid), disabled=~S.can_edit
            ),
            icon_action(
                "trash-2",
                "Remove " + name,
                "Remove",
                S.open_remove_stage(sid),
                color_scheme="red",
                disabled=~S.can_edit | (S.stages.length() <= 1),
            ),
            spacing="3",
            align="center",
            width="100%",
        ),
        item_id=stage.id.to_string(),
        label=name,
        key=stage.id.to_string(),
        style=row_style(),
    )


def _remove_stage_dialog() -> rx.Component:
    return confirm_dialog(
        "Remove stage " + S.remove_stage_name + "?",
        rx.cond(
            S.remove_stage_count > 0,
            S.remove_stage_count.to_string()
            + rx.cond(S.remove_stage_count == 1, " contact is", " contacts are")
            + " in this stage. Choose the stage they move to.",
            "No contacts are in this stage. Automation rules that use it move to the stage you choose.",
        ),
        rx.button("Remove stage", color_scheme="red", on_click=S.confirm_remove_stage),
        rx.box(
            labelled(
                "Move contacts to",
                rx.select.root(
                    rx.select.trigger(width="100%", aria_label="Move contacts to"),
                    rx.select.content(
                        rx.foreach(
                            S.remove_targets,
                            lambda s: rx.select.item(s.name, value=s.id),
                        )
                    ),
                    value=S.remove_target,
                    on_change=S.set_remove_target,
                ),
                S.remove_error,
            ),
            padding_top="16px",
            width="100%",
        ),
        open=S.remove_open,
        on_open_change=S.set_open("remove_open"),
        max_width="460px",
    )


def stages_tab() -> rx.Component:
    return card(
        section_title(
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
