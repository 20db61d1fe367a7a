"""CRM → Settings → Contact Fields: the add / edit field dialog."""

from __future__ import annotations

import reflex as rx

from crm_app.components.kit import dialog, dialog_footer, labelled
from crm_app.components.layout import ACCENT
from crm_app.services.field_rules import FIELD_TYPES
from crm_app.state.crm_settings import CrmSettingsState as S


def _options_editor() -> rx.Component:
    return labelled(
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


def field_dialog() -> rx.Component:
    locked_type = S.editing_is_default | S.editing_has_values | ~S.can_edit
    return dialog(
        S.form_title,
        rx.vstack(
            labelled(
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
            labelled(
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
            labelled(
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
            labelled(
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
            padding_top="16px",
        ),
        dialog_footer(rx.cond(S.can_edit, rx.button("Save field", on_click=S.save_field))),
        description=rx.cond(
            S.editing_is_default,
            "Default fields keep their label and type; you can change whether they are required "
            "and what the AI may capture.",
            "Custom fields appear on every contact of this agent, in imports, forms and the API.",
        ),
        open=S.field_dialog_open,
        on_open_change=S.set_open("field_dialog_open"),
    )
