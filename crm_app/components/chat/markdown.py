"""Safe Markdown for agent replies: no raw HTML (react-markdown then shows any HTML in the
text as text), links open in a new tab, images are shown as their alt text (a reply cannot
make the browser fetch a URL)."""

from __future__ import annotations

import reflex as rx
from reflex.vars.base import Var


def _p(value, **_):
    return rx.text(value, as_="p", size="2", margin_y="0.35em")


def _list(kind):
    def make(value, **_):
        return rx.el.ul(value) if kind == "ul" else rx.el.ol(value)

    return make


def _li(value, **_):
    return rx.el.li(value, style={"margin": "0.2em 0"})


def _heading(size):
    def make(value, **_):
        return rx.text(value, as_="p", size=size, weight="bold", margin_y="0.4em")

    return make


def _a(value, **_):
    return rx.link(value, is_external=True, rel="noopener noreferrer nofollow ugc")


def _code(value, **_):
    return rx.code(value, size="2", variant="soft", style={"word_break": "break-word"})


def _pre(value, **_):
    return rx.el.pre(
        rx.el.code(value),
        style={
            "background": rx.color("gray", 4),
            "padding": "8px 10px",
            "border_radius": "8px",
            "overflow_x": "auto",
            "font_size": "13px",
            "margin": "0.4em 0",
            "white_space": "pre-wrap",
        },
    )


def _img(*_, **__):
    # The image's alt text only: a reply never makes the browser load an address.
    return rx.el.span(Var(_js_expr="(props.alt || '')", _var_type=str))


_MARKDOWN_MAP = {
    "p": _p,
    "ul": _list("ul"),
    "ol": _list("ol"),
    "li": _li,
    "h1": _heading("3"),
    "h2": _heading("3"),
    "h3": _heading("2"),
    "h4": _heading("2"),
    "h5": _heading("2"),
    "h6": _heading("2"),
    "a": _a,
    "code": _code,
    "pre": _pre,
    "img": _img,
}


def safe_markdown(content) -> rx.Component:
    """Markdown without raw HTML, math or images (see the module docstring)."""
    return rx.markdown(
        content,
        use_raw=False,
        use_math=False,
        use_katex=False,
        use_unwrap_images=False,
        component_map=_MARKDOWN_MAP,
        class_name="crm-chat-markdown",
    )
