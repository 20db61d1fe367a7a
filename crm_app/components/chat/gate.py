"""The chat page's gate (state/chat/gate.py): the Restrict sign-in card (email step with
`Send code` and, where offered, `Continue with Google`; then the 6-digit code with `Expires in…`, `Resend in…`, `Change email`, `Need help?`), the
signed-in strip above the chat (who, `Your data`, `Sign out`) and the Pay for Access
placeholder card.

The screens are the same whoever types the email: nothing here depends on whether it is
a contact (the server answers the same, and sends a code only to an allowed contact).
"""

from __future__ import annotations

import reflex as rx

from crm_app.components.chat.messages import ACCENT, avatar
from crm_app.components.chat.your_data import your_data_menu

CARD_WIDTH = "440px"
FULL = {"width": "100%"}
TIPS = (
    "Check your spam folder",
    "Make sure your email is correct",
    "Wait a moment and try Resend",
)


def _muted(*children, **props) -> rx.Component:
    return rx.text(*children, size="2", color=rx.color("gray", 11), **props)


def _callout(text, color: str, icon: str, role: str) -> rx.Component:
    return rx.callout(text, icon=icon, color_scheme=color, size="1", role=role, width="100%")


def _error(S) -> rx.Component:
    return rx.cond(S.gate_error != "", _callout(S.gate_error, "red", "circle-alert", "alert"))


def _email_step(S) -> rx.Component:
    return rx.el.form(
        rx.vstack(
            rx.el.label(
                "Your Email Address",
                html_for="crm-gate-email",
                class_name="rt-Text rt-r-size-2 rt-r-weight-medium",
            ),
            rx.input(
                id="crm-gate-email",
                name="email",
                type="email",
                placeholder="Your Email Address",
                auto_complete="email",
                default_value=S.gate_email,
                required=True,
                size="3",
                width="100%",
                auto_focus=True,
                aria_describedby="crm-gate-helper",
            ),
            rx.text(
                rx.cond(
                    S.gate == "Pay for Access",
                    "Use the email you paid with. Only people added to this agent's CRM "
                    "can use this chatbot.",
                    "Only people added to this agent's CRM can use this chatbot.",
                ),
                id="crm-gate-helper",
                size="1",
                color=rx.color("gray", 10),
            ),
            _error(S),
            rx.button("Send code", type="submit", size="3", style=FULL, margin_top="4px"),
            _google(S),
            spacing="2",
            width="100%",
            align="stretch",
        ),
        on_submit=S.gate_send_code,
        reset_on_submit=False,
        width="100%",
    )


def _google(S) -> rx.Component:
    """`Continue with Google` (CRM_OIDC_NAME): only when the state offers it (OIDC set up,
    the agent's own page — not the widget's iframe, where providers refuse to run)."""
    return rx.cond(
        S.google_url != "",
        rx.vstack(
            rx.hstack(
                rx.separator(size="4"),
                rx.text("or", size="1", color=rx.color("gray", 10)),
                rx.separator(size="4"),
                align="center",
                width="100%",
            ),
            rx.link(
                rx.button(
                    rx.icon("log-in", size=16),
                    "Continue with ",
                    S.google_name,
                    type="button",
                    variant="outline",
                    size="3",
                    color_scheme="gray",
                    style=FULL,
                ),
                href=S.google_url,
                reload_document=True,  # an HTTP route, not a page of the app's router
                width="100%",
                underline="none",
            ),
            spacing="2",
            width="100%",
            margin_top="4px",
        ),
    )


def _help() -> rx.Component:
    return rx.el.details(
        rx.el.summary(
            "Need help?",
            style={"cursor": "pointer", "color": rx.color(ACCENT, 11), "font_size": "14px"},
        ),
        rx.el.ul(
            *[rx.el.li(tip) for tip in TIPS],
            style={
                "margin": "8px 0 0",
                "padding_left": "20px",
                "font_size": "13px",
                "color": rx.color("gray", 11),
                "line_height": "1.7",
            },
        ),
        width="100%",
    )


def _code_step(S) -> rx.Component:
    return rx.el.form(
        rx.vstack(
            _muted(
                "Code sent to ",
                rx.text.strong(S.gate_email, color=rx.color("gray", 12), overflow_wrap="anywhere"),
                " · ",
                rx.link(
                    "Change email",
                    href="#",
                    on_click=S.gate_change_email.prevent_default,
                    weight="medium",
                    white_space="nowrap",
                ),
                width="100%",
            ),
            rx.el.label(
                "6-digit code",
                html_for="crm-gate-code",
                class_name="rt-Text rt-r-size-2 rt-r-weight-medium",
                style={"margin_top": "6px"},
            ),
            rx.input(
                id="crm-gate-code",
                name="code",
                placeholder="••••••",
                auto_complete="one-time-code",
                input_mode="numeric",
                max_length=6,
                pattern="[0-9 ]*",
                size="3",
                width="100%",
                auto_focus=True,
                style={
                    "letter_spacing": "0.5em",
                    "font_variant_numeric": "tabular-nums",
                    "text_align": "center",
                    "font_size": "20px",
                },
            ),
            _error(S),
            rx.button("Verify", type="submit", size="3", style=FULL, margin_top="4px"),
            rx.hstack(
                rx.el.span(
                    id="crm-gate-expires",
                    aria_live="off",
                    style={"font_size": "13px", "color": rx.color("gray", 10)},
                ),
                rx.spacer(),
                rx.cond(
                    S.resend_ready,
                    rx.button(
                        "Resend",
                        type="button",
                        variant="soft",
                        size="2",
                        on_click=S.gate_resend,
                    ),
                    rx.button(
                        rx.el.span(id="crm-gate-resend-wait"),
                        type="button",
                        variant="soft",
                        color_scheme="gray",
                        size="2",
                        disabled=True,
                        min_width="118px",
                    ),
                ),
                rx.el.button(
                    id="crm-gate-resend-ready",
                    type="button",
                    tab_index=-1,
                    aria_hidden="true",
                    on_click=S.gate_resend_ready,
                    style={"display": "none"},
                ),
                width="100%",
                align="center",
            ),
            rx.divider(margin_y="4px"),
            _help(),
            spacing="2",
            width="100%",
            align="stretch",
        ),
        on_submit=S.gate_verify,
        reset_on_submit=False,
        width="100%",
    )


def _card(S, *children) -> rx.Component:
    return rx.center(
        rx.vstack(
            *children,
            width="100%",
            max_width=CARD_WIDTH,
            margin_x="auto",
            spacing="4",
            padding=["24px 18px", "32px 32px"],
            border=rx.cond(S.embed, "none", f"1px solid {rx.color('gray', 5)}"),
            border_radius="16px",
            background=rx.color("gray", 1),
            box_shadow=rx.cond(S.embed, "none", "0 8px 30px rgba(0, 0, 0, 0.06)"),
        ),
        flex="1",
        width="100%",
        padding=["12px", "24px"],
        overflow_y="auto",
    )


def _agent_line(S) -> rx.Component:
    return rx.hstack(
        avatar(S, size="3"),
        rx.vstack(
            rx.text(S.agent_name, size="3", weight="bold", trim="both"),
            rx.hstack(
                rx.icon("lock", size=12, color=rx.color("gray", 10)),
                rx.text(
                    rx.cond(S.gate == "Pay for Access", "Subscribers only", "Members only"),
                    size="1",
                    color=rx.color("gray", 10),
                ),
                spacing="1",
                align="center",
            ),
            spacing="1",
        ),
        spacing="3",
        align="center",
        width="100%",
    )


def sign_in_card(S) -> rx.Component:
    """The view "sign_in": `Authenticate To Use the Chatbot`, email then code."""
    return _card(
        S,
        _agent_line(S),
        rx.vstack(
            rx.heading("Authenticate To Use the Chatbot", as_="h1", size="5"),
            rx.cond(
                S.gate_step == "email",
                _muted("We'll email you a 6-digit code to sign in."),
                _muted("Enter the code from the email to start chatting."),
            ),
            spacing="1",
            width="100%",
        ),
        rx.cond(S.gate_notice != "", _callout(S.gate_notice, "amber", "info", "status")),
        rx.cond(S.gate_step == "code", _code_step(S), _email_step(S)),
        rx.cond(
            S.from_paywall,
            rx.link(
                "← Back",
                href="#",
                on_click=S.gate_back_to_paywall.prevent_default,
                size="2",
                color_scheme="gray",
            ),
        ),
    )


def signed_in_bar(S) -> rx.Component:
    """Above the chat of a gated agent: who is signed in, their data, `Sign out`."""
    return rx.cond(
        S.signed_in,
        rx.hstack(
            rx.icon("circle-user-round", size=16, color=rx.color(ACCENT, 10), flex_shrink="0"),
            rx.text(
                "Signed in as ",
                rx.text.strong(S.signed_in_label),
                rx.cond(
                    S.signed_in_name != "",
                    rx.text.span(
                        " · " + S.signed_in_email,
                        color=rx.color("gray", 10),
                        display=["none", "inline"],
                    ),
                ),
                size="2",
                white_space="nowrap",
                overflow="hidden",
                text_overflow="ellipsis",
                min_width="0",
                flex="1",
            ),
            your_data_menu(),  # Download my data / Ask to erase my data
            rx.button(
                rx.icon("log-out", size=14),
                "Sign out",
                variant="ghost",
                color_scheme="gray",
                size="1",
                on_click=S.gate_sign_out,
                flex_shrink="0",
            ),
            width="100%",
            align="center",
            spacing="2",
            padding=["6px 12px", "6px 20px"],
            background=rx.color(ACCENT, 2),
            border_bottom=f"1px solid {rx.color('gray', 4)}",
            flex_shrink="0",
        ),
    )
