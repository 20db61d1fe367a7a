"""The builder's side panels: the selected element's properties, the form's settings and
the preview of the draft."""

from __future__ import annotations

import reflex as rx

from crm_app.components.form_elements import form_card, render_element
from crm_app.components.kit import card, labelled
from crm_app.components.layout import ACCENT, field_error
from crm_app.pages.forms.common import BUILDER_SIDE, STICKY_IN_ROW
from crm_app.state.forms import PALETTE, FormBuilderState

# The min/max pair per kind of element: text lengths, or the range of a number.
_LIMITS = (("text", "Min length", "Max length", 6), ("number", "Minimum", "Maximum", 16))


def _text_control(handler, *, dom_id: str, key, default, area: bool, **props) -> rx.Component:
    """A builder text input that saves while typing (debounced) and when left."""
    common = dict(
        id=dom_id,
        key=key,
        default_value=default,
        on_change=handler.debounce(350),
        on_blur=handler,
        disabled=~FormBuilderState.can_edit,
        width="100%",
        **props,
    )
    return rx.text_area(**({"rows": "3"} | common)) if area else rx.input(**common)


def _prop_text(
    label: str, key: str, *, area: bool = False, max_length: int = 200, input_type: str = "text"
) -> rx.Component:
    """One property of the selected element; the element id travels with each change."""
    S = FormBuilderState
    dom_id = f"prop-{key}"
    control = _text_control(
        getattr(S, f"set_{key}")(S.selected_id),
        dom_id=dom_id,
        key=S.selected_id + "-" + key,
        default=getattr(S.selected, key),
        area=area,
        max_length=max_length,
        type=input_type,
    )
    return labelled(
        label, control, S.errors.get(S.selected_id + "." + key, "").to(str), html_for=dom_id
    )


def _field_options() -> rx.Component:
    """A choice element mapped to a Dropdown/Multi-select field: its options are the field's."""
    S = FormBuilderState
    return rx.vstack(
        rx.text("Options", size="2", weight="medium", color=rx.color("gray", 11)),
        rx.flex(
            rx.foreach(
                S.selected.options,
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


def properties() -> rx.Component:
    S = FormBuilderState
    kind = S.selected_kind
    return card(
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
                            S.selected.type,
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
                            S.selected.type != "consent",
                            _prop_text("Placeholder", "placeholder"),
                        ),
                        _prop_text("Help text", "help", area=True, max_length=500),
                        rx.hstack(
                            rx.switch(
                                checked=S.selected.required,
                                on_change=S.set_prop(S.selected_id, "required"),
                                disabled=~S.can_edit,
                                id="prop-required",
                            ),
                            rx.el.label(rx.text("Required", size="2"), html_for="prop-required"),
                            spacing="2",
                            align="center",
                        ),
                        *[
                            rx.cond(
                                kind == which,
                                rx.hstack(
                                    _prop_text(low, "min", input_type="number", max_length=digits),
                                    _prop_text(high, "max", input_type="number", max_length=digits),
                                    spacing="3",
                                    width="100%",
                                ),
                            )
                            for which, low, high, digits in _LIMITS
                        ],
                        rx.cond(
                            kind == "choice",
                            rx.cond(
                                S.selected_options_from != "",
                                _field_options(),
                                labelled(
                                    "Options (one per line)",
                                    _text_control(
                                        S.set_options(S.selected_id),
                                        dom_id="prop-options",
                                        key=S.selected_id + "-options",
                                        default=S.selected_options_text,
                                        area=True,
                                        rows="5",
                                    ),
                                    S.errors.get(S.selected_id + ".options", "").to(str),
                                    html_for="prop-options",
                                ),
                            ),
                        ),
                        rx.cond(
                            S.selected_mappable,
                            labelled(
                                "Maps to",
                                rx.select.root(
                                    rx.select.trigger(
                                        id="prop-maps-to", width="100%", aria_label="Maps to"
                                    ),
                                    rx.select.content(
                                        rx.foreach(
                                            S.map_choices,
                                            lambda c: rx.select.item(c.label, value=c.key),
                                        )
                                    ),
                                    value=S.selected_maps_to,
                                    on_change=S.set_prop(S.selected_id, "maps_to"),
                                    disabled=~S.can_edit,
                                ),
                                S.errors.get(S.selected_id + ".maps_to", "").to(str),
                                hint="Answers fill this contact field (never overwriting what "
                                "your team typed).",
                                html_for="prop-maps-to",
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
        width=BUILDER_SIDE["properties"],
        min_width=BUILDER_SIDE["properties"],
        position=STICKY_IN_ROW,
        top="16px",
    )


def _setting(
    label: str,
    key: str,
    *,
    area: bool = False,
    placeholder: str = "",
    input_type: str = "text",
    hint: str | None = None,
    max_length: int = 200,
) -> rx.Component:
    S = FormBuilderState
    dom_id = f"setting-{key}"
    control = _text_control(
        getattr(S, f"set_{key}"),
        dom_id=dom_id,
        key="setting-" + key + "-" + S.form_id,
        default=S.settings[key].to(str),
        area=area,
        max_length=max_length,
        type=input_type,
        placeholder=placeholder,
    )
    return labelled(label, control, S.errors.get(key, "").to(str), hint=hint, html_for=dom_id)


def settings_tab() -> rx.Component:
    S = FormBuilderState
    return card(
        rx.vstack(
            rx.form(
                labelled(
                    "Form name (only your team sees it)",
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
                    S.errors.get("name", "").to(str),
                    html_for="form-name",
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
            rx.divider(),
            labelled(
                "Ask in chat",
                rx.hstack(
                    rx.switch(
                        id="form-ask-in-chat",
                        checked=S.settings.get("ask_in_chat", "False").to(str) == "True",
                        on_change=lambda value: S.set_setting("ask_in_chat", value),
                        disabled=~S.can_edit,
                    ),
                    rx.text(
                        "The agent asks this form's questions at the start of each new chat "
                        "and files the answers as a submission.",
                        size="2",
                        color=rx.color("gray", 11),
                    ),
                    spacing="3",
                    align="center",
                ),
                S.errors.get("ask_in_chat", "").to(str),
                html_for="form-ask-in-chat",
                hint="Applies once the form is published. Forms with a file upload can't be "
                "asked in chat.",
            ),
            spacing="4",
            width="100%",
            max_width="640px",
        ),
        padding="24px",
        width="100%",
    )


def preview_tab() -> rx.Component:
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
