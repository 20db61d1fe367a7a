"""The questions of a public form as visitors see them, used by the public page /f/<slug>
and the builder's preview.

Native inputs (so phones show the right keyboard and the browser checks required, type,
length and range before sending), each with a <label for>, help text and an error tied by
aria-describedby and announced with role="alert".
"""

from __future__ import annotations

import reflex as rx

from crm_app.services.files import KINDS

ACCEPT = ",".join(ext for _, exts in KINDS.values() for ext in exts)
_INPUT = {
    "width": "100%",
    "padding": "11px 12px",
    "font_size": "16px",  # 16px keeps iOS from zooming into the field
    "line_height": "1.4",
    "border_radius": "10px",
    "border": f"1px solid {rx.color('gray', 7)}",
    "background": rx.color("gray", 1),
    "color": rx.color("gray", 12),
    "outline": "none",
    "_focus": {
        "border_color": rx.color("teal", 8),
        "box_shadow": f"0 0 0 3px {rx.color('teal', 4)}",
    },
    "_disabled": {"opacity": "0.75", "cursor": "not-allowed"},
}
_ERROR_BORDER = {"border_color": rx.color("red", 8)}


def _ids(el):
    eid = el["id"].to(str)
    return eid, "q-" + eid, eid + "-help", eid + "-error"


def _describedby(el, errors):
    eid, _, help_id, error_id = _ids(el)
    if errors is None:
        return help_id
    return rx.cond(errors.contains(eid), error_id + " " + help_id, help_id)


def _input_style(el, errors) -> dict:
    if errors is None:
        return _INPUT
    return {
        **_INPUT,
        "border_color": rx.cond(
            errors.contains(el["id"].to(str)), rx.color("red", 8), rx.color("gray", 7)
        ),
    }


def _text_input(el, input_type: str, errors, disabled, **extra) -> rx.Component:
    eid, qid, _, _ = _ids(el)
    return rx.el.input(
        id=qid,
        name=eid,
        type=input_type,
        placeholder=el["placeholder"].to(str),
        required=el["required"].to(bool),
        aria_describedby=_describedby(el, errors),
        aria_invalid=rx.cond(errors.contains(eid), "true", "false")
        if errors is not None
        else "false",
        disabled=disabled,
        style=_input_style(el, errors),
        **extra,
    )


def _choice(el, kind: str, errors, disabled) -> rx.Component:
    eid, qid, _, _ = _ids(el)
    return rx.el.div(
        rx.foreach(
            el["options"].to(list[str]),
            lambda option, i: rx.el.label(
                rx.el.input(
                    type=kind,
                    name=eid,
                    value=option,
                    disabled=disabled,
                    required=(el["required"].to(bool) & (kind == "radio")),
                    id=qid + "-" + i.to(str),
                    style={
                        "width": "18px",
                        "height": "18px",
                        "accent_color": rx.color("teal", 9),
                        "flex": "0 0 auto",
                        "margin": "0",
                    },
                ),
                rx.el.span(option),
                style={
                    "display": "flex",
                    "gap": "10px",
                    "align_items": "center",
                    "padding": "10px 12px",
                    "border": f"1px solid {rx.color('gray', 6)}",
                    "border_radius": "10px",
                    "cursor": "pointer",
                    "font_size": "15px",
                    "background": rx.color("gray", 1),
                },
            ),
        ),
        id=qid,
        tab_index=-1,
        role="radiogroup" if kind == "radio" else "group",
        aria_labelledby=qid + "-label",
        aria_describedby=_describedby(el, errors),
        style={"display": "flex", "flex_direction": "column", "gap": "8px", "outline": "none"},
    )


def _control(el, errors, disabled) -> rx.Component:
    eid, qid, _, _ = _ids(el)
    return rx.match(
        el["type"].to(str),
        (
            "short_text",
            _text_input(
                el,
                "text",
                errors,
                disabled,
                min_length=el["minlength"].to(int),
                max_length=el["maxlength"].to(int),
            ),
        ),
        (
            "email",
            _text_input(el, "email", errors, disabled, auto_complete="email", max_length=254),
        ),
        (
            "phone",
            _text_input(
                el,
                "tel",
                errors,
                disabled,
                auto_complete="tel",
                max_length=40,
                pattern=r"[0-9 ()+.\-]{5,40}",
            ),
        ),
        (
            "number",
            _text_input(
                el,
                "number",
                errors,
                disabled,
                min=el["min"].to(float),
                max=el["max"].to(float),
                step="any",
                input_mode="decimal",
            ),
        ),
        ("date", _text_input(el, "date", errors, disabled)),
        (
            "long_text",
            rx.el.textarea(
                id=qid,
                name=eid,
                placeholder=el["placeholder"].to(str),
                required=el["required"].to(bool),
                min_length=el["minlength"].to(int),
                max_length=el["maxlength"].to(int),
                rows=4,
                disabled=disabled,
                aria_describedby=_describedby(el, errors),
                aria_invalid=rx.cond(errors.contains(eid), "true", "false")
                if errors is not None
                else "false",
                style={**_input_style(el, errors), "resize": "vertical"},
            ),
        ),
        (
            "dropdown",
            rx.el.select(
                rx.el.option(
                    rx.cond(el["placeholder"].to(str) != "", el["placeholder"].to(str), "Choose…"),
                    value="",
                ),
                rx.foreach(el["options"].to(list[str]), lambda o: rx.el.option(o, value=o)),
                id=qid,
                name=eid,
                required=el["required"].to(bool),
                disabled=disabled,
                default_value="",
                aria_describedby=_describedby(el, errors),
                aria_invalid=rx.cond(errors.contains(eid), "true", "false")
                if errors is not None
                else "false",
                style=_input_style(el, errors),
            ),
        ),
        ("radio", _choice(el, "radio", errors, disabled)),
        ("checkboxes", _choice(el, "checkbox", errors, disabled)),
        (
            "file",
            rx.el.input(
                id=qid,
                name=eid,
                type="file",
                accept=ACCEPT,
                required=el["required"].to(bool),
                disabled=disabled,
                aria_describedby=_describedby(el, errors),
                style={**_input_style(el, errors), "padding": "9px 10px", "font_size": "15px"},
            ),
        ),
        rx.fragment(),
    )


def _error(el, errors) -> rx.Component:
    if errors is None:
        return rx.fragment()
    eid, _, _, error_id = _ids(el)
    return rx.cond(
        errors.contains(eid),
        rx.el.p(
            rx.icon("circle-alert", size=14),
            errors[eid].to(str),
            id=error_id,
            role="alert",
            style={
                "display": "flex",
                "gap": "6px",
                "align_items": "center",
                "color": rx.color("red", 11),
                "font_size": "14px",
                "margin": "6px 0 0",
            },
        ),
    )


def _required_mark(el) -> rx.Component:
    return rx.cond(
        el["required"].to(bool),
        rx.el.span(" *", aria_hidden="true", style={"color": rx.color("red", 10)}),
    )


def _help(el) -> rx.Component:
    _, _, help_id, _ = _ids(el)
    return rx.cond(
        el["help"].to(str) != "",
        rx.el.p(
            el["help"].to(str),
            id=help_id,
            style={"color": rx.color("gray", 11), "font_size": "14px", "margin": "4px 0 0"},
        ),
    )


def render_element(el, errors=None, disabled=False) -> rx.Component:
    """One public form element; `errors` is the page's {element id: message} var (None in preview)."""
    eid, qid, _, _ = _ids(el)
    label_style = {
        "display": "block",
        "font_weight": "600",
        "font_size": "15px",
        "margin_bottom": "8px",
        "color": rx.color("gray", 12),
    }
    question = rx.el.div(
        rx.cond(
            (el["type"].to(str) == "radio") | (el["type"].to(str) == "checkboxes"),
            rx.el.p(el["label"].to(str), _required_mark(el), id=qid + "-label", style=label_style),
            rx.el.label(
                el["label"].to(str),
                _required_mark(el),
                html_for=qid,
                id=qid + "-label",
                style=label_style,
            ),
        ),
        _control(el, errors, disabled),
        _help(el),
        _error(el, errors),
        style={"width": "100%"},
    )
    consent = rx.el.div(
        rx.el.label(
            rx.el.input(
                type="checkbox",
                id=qid,
                name=eid,
                value="on",
                required=el["required"].to(bool),
                disabled=disabled,
                aria_describedby=_describedby(el, errors),
                style={
                    "width": "20px",
                    "height": "20px",
                    "margin": "1px 0 0",
                    "flex": "0 0 auto",
                    "accent_color": rx.color("teal", 9),
                },
            ),
            rx.el.span(el["label"].to(str), _required_mark(el)),
            html_for=qid,
            style={
                "display": "flex",
                "gap": "10px",
                "align_items": "flex-start",
                "font_size": "15px",
                "cursor": "pointer",
                "line_height": "1.45",
            },
        ),
        _help(el),
        _error(el, errors),
        style={"width": "100%"},
    )
    return rx.match(
        el["type"].to(str),
        (
            "heading",
            rx.el.h2(
                el["label"].to(str),
                style={
                    "font_size": "19px",
                    "font_weight": "700",
                    "margin": "10px 0 -4px",
                    "color": rx.color("gray", 12),
                },
            ),
        ),
        (
            "paragraph",
            rx.el.p(
                el["label"].to(str),
                style={
                    "font_size": "15px",
                    "line_height": "1.55",
                    "color": rx.color("gray", 11),
                    "margin": "0",
                    "white_space": "pre-wrap",
                },
            ),
        ),
        ("consent", consent),
        question,
    )


def form_card(*children, **props) -> rx.Component:
    return rx.box(
        *children,
        width="100%",
        max_width="640px",
        background=rx.color("gray", 1),
        border=f"1px solid {rx.color('gray', 5)}",
        border_radius="16px",
        box_shadow="0 1px 3px rgba(16,24,40,0.06), 0 8px 24px rgba(16,24,40,0.06)",
        padding=["22px 18px", "32px 36px"],
        **props,
    )
