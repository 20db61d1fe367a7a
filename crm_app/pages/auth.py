"""Signed-out screens: /login, /signup, /invite/[token] and the development mailbox.

These pages sit outside the dashboard shell (no `dashboard()`, no `load_shell`): a centered
card with the product mark, one form per step, errors next to their fields.
"""

from __future__ import annotations

import reflex as rx

from crm_app import routes
from crm_app.components.layout import ACCENT, field_error
from crm_app.state.auth import InviteState, LoginState, MailboxState, SignupState

# ---------------------------------------------------------------- building blocks


def _brand() -> rx.Component:
    return rx.link(
        rx.hstack(
            rx.center(
                rx.icon("bot", size=20, color="white"),
                width="36px",
                height="36px",
                border_radius="10px",
                background=rx.color(ACCENT, 9),
            ),
            rx.text("Agent CRM", weight="bold", size="5", color=rx.color("gray", 12)),
            spacing="2",
            align="center",
        ),
        href=routes.LOGIN,
        underline="none",
    )


def _card(
    title,
    subtitle,
    *children: rx.Component,
    footer: rx.Component | None = None,
    width: str = "420px",
) -> rx.Component:
    return rx.center(
        rx.vstack(
            _brand(),
            rx.card(
                rx.vstack(
                    rx.vstack(
                        rx.heading(title, size="6", weight="bold"),
                        rx.text(subtitle, size="2", color=rx.color("gray", 11)),
                        spacing="1",
                        width="100%",
                    ),
                    *children,
                    spacing="4",
                    width="100%",
                ),
                size="4",
                width="100%",
            ),
            footer if footer is not None else rx.fragment(),
            spacing="5",
            align="center",
            width="100%",
            max_width=width,
        ),
        min_height="100vh",
        width="100%",
        padding="32px 16px",
        background=f"radial-gradient(circle at 50% 0%, {rx.color(ACCENT, 3)}, {rx.color('gray', 2)} 60%)",
    )


def _field(label: str, name: str, error, **input_props) -> rx.Component:
    field_id = f"auth-{name}"
    return rx.vstack(
        rx.el.label(rx.text(label, size="2", weight="medium"), html_for=field_id),
        rx.input(
            id=field_id,
            name=name,
            size="3",
            width="100%",
            aria_invalid=rx.cond(error != "", "true", "false"),
            **input_props,
        ),
        field_error(error),
        spacing="1",
        width="100%",
    )


def _callout(message, color: str, icon: str) -> rx.Component:
    return rx.cond(
        message != "",
        rx.callout(message, icon=icon, color_scheme=color, size="1", width="100%", role="alert"),
    )


def _submit(label: str, loading) -> rx.Component:
    return rx.button(label, type="submit", size="3", width="100%", loading=loading)


def _dev_mailbox_hint(enabled) -> rx.Component:
    return rx.cond(
        enabled,
        rx.callout.root(
            rx.callout.icon(rx.icon("mail", size=16)),
            rx.callout.text(
                "Development mode: the code is printed on the server's console and listed in the ",
                rx.link("mailbox", href=routes.MAILBOX, is_external=True, weight="medium"),
                ".",
            ),
            color_scheme="gray",
            variant="surface",
            size="1",
            width="100%",
        ),
    )


def _code_step(state, button_label: str) -> rx.Component:
    """Second step of every flow: the 6-digit code, resend with countdown, change email."""
    return rx.form(
        rx.vstack(
            rx.text(
                "We sent a 6-digit code to ",
                rx.text.strong(state.email),
                ". It expires in 10 minutes.",
                size="2",
                color=rx.color("gray", 11),
            ),
            _field(
                "6-digit code",
                "code",
                state.code_error,
                placeholder="123456",
                auto_complete="one-time-code",
                input_mode="numeric",
                max_length=9,
                auto_focus=True,
                style={"letterSpacing": "0.3em", "fontVariantNumeric": "tabular-nums"},
            ),
            _submit(button_label, state.verifying),
            rx.hstack(
                rx.cond(
                    state.resend_in > 0,
                    rx.text(
                        "Resend in ",
                        state.resend_in.to_string(),
                        "s",
                        size="2",
                        color=rx.color("gray", 10),
                    ),
                    rx.button(
                        "Resend", type="button", variant="ghost", size="2", on_click=state.resend
                    ),
                ),
                rx.spacer(),
                rx.button(
                    "Change email",
                    type="button",
                    variant="ghost",
                    size="2",
                    color_scheme="gray",
                    on_click=state.change_email,
                ),
                width="100%",
                align="center",
            ),
            spacing="4",
            width="100%",
        ),
        on_submit=state.verify,
        reset_on_submit=False,
        width="100%",
    )


# ---------------------------------------------------------------- /login


def login() -> rx.Component:
    email_step = rx.vstack(
        rx.form(
            rx.vstack(
                _field(
                    "Email address",
                    "email",
                    LoginState.email_error,
                    input_mode="email",
                    placeholder="you@company.com",
                    auto_complete="email",
                    auto_focus=True,
                    default_value=LoginState.email,
                ),
                _submit("Send code", LoginState.sending),
                spacing="4",
                width="100%",
            ),
            on_submit=LoginState.send_code,
            reset_on_submit=False,
            width="100%",
        ),
        rx.cond(
            LoginState.oidc_name != "",
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
                        "Sign in with ",
                        LoginState.oidc_name,
                        variant="outline",
                        size="3",
                        width="100%",
                        color_scheme="gray",
                    ),
                    href=routes.API_OIDC_LOGIN,
                    width="100%",
                    underline="none",
                ),
                spacing="4",
                width="100%",
            ),
        ),
        spacing="4",
        width="100%",
    )
    return _card(
        "Sign in",
        rx.cond(
            LoginState.step == "code",
            "Check your email for your code.",
            "Welcome back. We'll email you a one-time code.",
        ),
        _callout(LoginState.notice, "amber", "clock"),
        _callout(LoginState.form_error, "red", "triangle-alert"),
        rx.cond(LoginState.step == "code", _code_step(LoginState, "Verify"), email_step),
        _dev_mailbox_hint(LoginState.dev_mailbox),
        footer=rx.text(
            "New here? ",
            rx.link("Create an organization", href=routes.SIGNUP, weight="medium"),
            size="2",
            color=rx.color("gray", 11),
        ),
    )


# ---------------------------------------------------------------- /signup


def signup() -> rx.Component:
    details = rx.form(
        rx.vstack(
            _field(
                "Organization name",
                "org_name",
                SignupState.org_name_error,
                placeholder="Sunrise Clinic",
                auto_complete="organization",
                auto_focus=True,
                default_value=SignupState.org_name,
            ),
            rx.hstack(
                rx.box(
                    _field(
                        "First name",
                        "first_name",
                        SignupState.first_name_error,
                        auto_complete="given-name",
                        default_value=SignupState.first_name,
                    ),
                    flex="1",
                ),
                rx.box(
                    _field(
                        "Last name",
                        "last_name",
                        SignupState.last_name_error,
                        auto_complete="family-name",
                        default_value=SignupState.last_name,
                    ),
                    flex="1",
                ),
                spacing="3",
                width="100%",
            ),
            _field(
                "Email address",
                "email",
                SignupState.email_error,
                input_mode="email",
                placeholder="you@company.com",
                auto_complete="email",
                default_value=SignupState.email,
            ),
            _submit("Send code", SignupState.sending),
            spacing="4",
            width="100%",
        ),
        on_submit=SignupState.send_code,
        reset_on_submit=False,
        width="100%",
    )
    return _card(
        "Create your organization",
        rx.cond(
            SignupState.step == "code",
            "One last step: confirm your email address.",
            "Set up your workspace for your agents and their CRM.",
        ),
        _callout(SignupState.form_error, "red", "triangle-alert"),
        rx.cond(SignupState.step == "code", _code_step(SignupState, "Verify"), details),
        _dev_mailbox_hint(SignupState.dev_mailbox),
        footer=rx.text(
            "Already have an account? ",
            rx.link("Sign in", href=routes.LOGIN, weight="medium"),
            size="2",
            color=rx.color("gray", 11),
        ),
    )


# ---------------------------------------------------------------- /invite/[token]


def invite() -> rx.Component:
    details = rx.form(
        rx.vstack(
            rx.hstack(
                rx.icon("mail", size=16, color=rx.color("gray", 10)),
                rx.text("Invitation for ", rx.text.strong(InviteState.email), size="2"),
                spacing="2",
                align="center",
            ),
            rx.hstack(
                rx.box(
                    _field(
                        "First name",
                        "first_name",
                        InviteState.first_name_error,
                        auto_complete="given-name",
                        auto_focus=True,
                        default_value=InviteState.first_name,
                    ),
                    flex="1",
                ),
                rx.box(
                    _field(
                        "Last name",
                        "last_name",
                        InviteState.last_name_error,
                        auto_complete="family-name",
                        default_value=InviteState.last_name,
                    ),
                    flex="1",
                ),
                spacing="3",
                width="100%",
            ),
            _submit("Send code", InviteState.sending),
            rx.text(
                "We'll email a one-time code to confirm it's you.",
                size="1",
                color=rx.color("gray", 10),
            ),
            spacing="4",
            width="100%",
        ),
        on_submit=InviteState.send_code,
        reset_on_submit=False,
        width="100%",
    )
    valid = _card(
        rx.text("Join ", InviteState.invite_org),
        rx.text("You've been invited to join as ", rx.text.strong(InviteState.invite_role), "."),
        _callout(InviteState.form_error, "red", "triangle-alert"),
        rx.cond(InviteState.step == "code", _code_step(InviteState, "Accept invitation"), details),
        _dev_mailbox_hint(InviteState.dev_mailbox),
    )
    invalid = _card(
        "Invitation unavailable",
        InviteState.invalid,
        rx.link(
            rx.button("Go to sign in", size="3", width="100%"), href=routes.LOGIN, width="100%"
        ),
    )
    return rx.cond(
        InviteState.loaded,
        rx.cond(InviteState.invalid != "", invalid, valid),
        rx.center(rx.spinner(size="3"), min_height="100vh"),
    )


# ---------------------------------------------------------------- /dev/mailbox


def _email_card(mail: dict) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.text(mail["subject"].to(str), weight="bold", size="3"),
                rx.spacer(),
                rx.text(mail["sent"].to(str), size="1", color=rx.color("gray", 10)),
                width="100%",
                align="center",
            ),
            rx.text("To: ", mail["to"].to(str), size="2", color=rx.color("gray", 11)),
            rx.box(
                rx.el.pre(
                    mail["body"].to(str),
                    style={
                        "whiteSpace": "pre-wrap",
                        "margin": 0,
                        "fontFamily": "var(--code-font-family)",
                        "fontSize": "13px",
                    },
                ),
                background=rx.color("gray", 2),
                border=f"1px solid {rx.color('gray', 5)}",
                border_radius="8px",
                padding="12px",
                width="100%",
            ),
            spacing="2",
            width="100%",
        ),
        width="100%",
    )


def mailbox() -> rx.Component:
    return rx.box(
        rx.vstack(
            rx.hstack(
                _brand(),
                rx.spacer(),
                rx.cond(
                    MailboxState.enabled,
                    rx.button(
                        rx.icon("refresh-cw", size=14),
                        "Refresh",
                        variant="soft",
                        on_click=MailboxState.refresh,
                    ),
                ),
                width="100%",
                align="center",
            ),
            rx.vstack(
                rx.heading("Mailbox", size="6", weight="bold"),
                rx.cond(
                    MailboxState.enabled,
                    rx.text(
                        "Emails this development server sent in the last 24 hours, newest first. "
                        "Use it to read sign-in codes.",
                        size="2",
                        color=rx.color("gray", 11),
                    ),
                ),
                spacing="1",
            ),
            rx.cond(
                MailboxState.enabled,
                rx.cond(
                    MailboxState.emails.length() > 0,
                    rx.vstack(
                        rx.foreach(MailboxState.emails, _email_card), spacing="3", width="100%"
                    ),
                    rx.center(
                        rx.vstack(
                            rx.icon("inbox", size=28, color=rx.color(ACCENT, 10)),
                            rx.text("No emails yet", weight="bold"),
                            rx.text(
                                "Request a sign-in code and it will show up here.",
                                size="2",
                                color=rx.color("gray", 11),
                            ),
                            align="center",
                            spacing="2",
                        ),
                        padding="48px",
                        width="100%",
                        border=f"1px dashed {rx.color('gray', 6)}",
                        border_radius="12px",
                    ),
                ),
                rx.callout(
                    "The mailbox is only available in development mode (CRM_DEV_MODE=1, without "
                    "CRM_SMTP_URL), to a browser on the server's own machine. Codes are also "
                    "printed on the server's console.",
                    icon="circle-slash",
                    color_scheme="gray",
                    width="100%",
                ),
            ),
            spacing="5",
            width="100%",
            max_width="820px",
            margin="0 auto",
        ),
        padding="32px 16px",
        min_height="100vh",
        background=rx.color("gray", 2),
    )


def register(app: rx.App) -> None:
    app.add_page(login, route=routes.LOGIN, title="Sign in · Agent CRM", on_load=LoginState.load)
    app.add_page(
        signup,
        route=routes.SIGNUP,
        title="Create your organization · Agent CRM",
        on_load=SignupState.load,
    )
    app.add_page(
        invite, route=routes.INVITE, title="Join your team · Agent CRM", on_load=InviteState.load
    )
    app.add_page(
        mailbox, route=routes.MAILBOX, title="Mailbox · Agent CRM", on_load=MailboxState.load
    )
