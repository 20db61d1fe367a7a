"""/f/<slug>: the public form visitors fill on their phones.

The questions come from components/form_elements.py (shared with the builder's preview). A
honeypot input sits off-screen, hidden from assistive tech and out of the tab order.
"""

from __future__ import annotations

import reflex as rx

from crm_app import routes
from crm_app.components.form_elements import form_card, render_element
from crm_app.state.public_form import FORM_DOM_ID, PublicFormState


def _honeypot() -> rx.Component:
    return rx.el.div(
        rx.el.label("Website", html_for="crm-website"),
        rx.el.input(
            id="crm-website", name="website", type="text", tab_index=-1, auto_complete="off"
        ),
        aria_hidden="true",
        style={
            "position": "absolute",
            "left": "-10000px",
            "top": "auto",
            "width": "1px",
            "height": "1px",
            "overflow": "hidden",
        },
    )


def _notice(icon: str, color: str, title, text) -> rx.Component:
    return form_card(
        rx.vstack(
            rx.center(
                rx.icon(icon, size=26, color=rx.color(color, 10)),
                width="56px",
                height="56px",
                border_radius="999px",
                background=rx.color(color, 3),
            ),
            rx.heading(title, size="5", text_align="center"),
            rx.text(
                text, size="3", color=rx.color("gray", 11), text_align="center", max_width="440px"
            ),
            align="center",
            spacing="3",
            padding_y="20px",
        ),
        role="status",
    )


def _open_form() -> rx.Component:
    S = PublicFormState
    return form_card(
        rx.el.form(
            rx.vstack(
                rx.heading(S.title, as_="h1", size="7", weight="bold", line_height="1.2"),
                rx.cond(
                    S.description != "",
                    rx.text(
                        S.description, size="3", color=rx.color("gray", 11), white_space="pre-wrap"
                    ),
                ),
                rx.text(
                    rx.el.span("*", style={"color": rx.color("red", 10)}),
                    " Required",
                    size="1",
                    color=rx.color("gray", 10),
                ),
                spacing="2",
                width="100%",
                padding_bottom="8px",
            ),
            rx.vstack(
                rx.foreach(S.elements, lambda el: render_element(el, S.errors)),
                spacing="5",
                width="100%",
            ),
            _honeypot(),
            rx.el.input(type="hidden", name="_token", value=S.token),
            rx.cond(
                S.form_error != "",
                rx.callout(
                    S.form_error,
                    icon="circle-alert",
                    color_scheme="red",
                    role="alert",
                    width="100%",
                    margin_top="20px",
                ),
            ),
            rx.button(
                rx.cond(S.submitting, rx.spinner(size="2"), rx.fragment()),
                S.submit_label,
                type="submit",
                size="3",
                disabled=S.submitting,
                width=["100%", "auto"],
                margin_top="24px",
                min_width="160px",
            ),
            id=FORM_DOM_ID,
            on_submit=S.submit,
            reset_on_submit=False,
            enc_type="multipart/form-data",
            style={"position": "relative"},
        ),
    )


def page() -> rx.Component:
    S = PublicFormState
    return rx.box(
        rx.center(
            rx.vstack(
                rx.match(
                    S.view,
                    ("open", _open_form()),
                    # The form's own title over its success message (which may itself start
                    # with "Thank you!": a fixed heading said it twice).
                    ("done", _notice("circle-check", "teal", S.title, S.message)),
                    (
                        "closed",
                        _notice(
                            "lock",
                            "amber",
                            rx.cond(S.title != "", S.title, "Form closed"),
                            S.message,
                        ),
                    ),
                    (
                        "limit",
                        _notice(
                            "lock",
                            "amber",
                            rx.cond(S.title != "", S.title, "Form closed"),
                            S.message,
                        ),
                    ),
                    ("not_found", _notice("search-x", "gray", "Form not found", S.message)),
                    rx.center(rx.spinner(size="3"), padding="80px"),
                ),
                rx.text(
                    "Powered by Agent CRM", size="1", color=rx.color("gray", 9), padding_top="8px"
                ),
                align="center",
                width="100%",
                spacing="3",
            ),
            width="100%",
            padding=["16px 12px 40px", "48px 24px 64px"],
        ),
        min_height="100vh",
        background=rx.color("gray", 2),
    )


def register(app: rx.App) -> None:
    app.add_page(page, route=routes.PUBLIC_FORM, title="Form", on_load=PublicFormState.load)
