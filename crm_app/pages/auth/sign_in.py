"""/login, /signup and /invite/[token]: one form per step, errors next to their fields."""

from __future__ import annotations

import reflex as rx

from crm_app import routes
from crm_app.pages.auth.common import (
    auth_card,
    callout,
    code_step,
    dev_mailbox_hint,
    labelled_input,
    submit_button,
)
from crm_app.state.auth import InviteState, LoginState, SignupState


def login() -> rx.Component:
    email_step = rx.vstack(
        rx.form(
            rx.vstack(
                labelled_input(
                    "Email address",
                    "email",
                    LoginState.email_error,
                    input_mode="email",
                    placeholder="you@company.com",
                    auto_complete="email",
                    auto_focus=True,
                    default_value=LoginState.email,
                ),
                submit_button("Send code", LoginState.sending),
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
                    reload_document=True,  # a real request to the OIDC route, not client routing
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
    return auth_card(
        "Sign in",
        rx.cond(
            LoginState.step == "code",
            "Check your email for your code.",
            "Welcome back. We'll email you a one-time code.",
        ),
        callout(LoginState.notice, "amber", "clock"),
        callout(LoginState.form_error, "red", "triangle-alert"),
        rx.cond(LoginState.step == "code", code_step(LoginState, "Verify"), email_step),
        dev_mailbox_hint(LoginState.dev_mailbox),
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
            labelled_input(
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
                    labelled_input(
                        "First name",
                        "first_name",
                        SignupState.first_name_error,
                        auto_complete="given-name",
                        default_value=SignupState.first_name,
                    ),
                    flex="1",
                ),
                rx.box(
                    labelled_input(
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
            labelled_input(
                "Email address",
                "email",
                SignupState.email_error,
                input_mode="email",
                placeholder="you@company.com",
                auto_complete="email",
                default_value=SignupState.email,
            ),
            submit_button("Send code", SignupState.sending),
            spacing="4",
            width="100%",
        ),
        on_submit=SignupState.send_code,
        reset_on_submit=False,
        width="100%",
    )
    return auth_card(
        "Create your organization",
        rx.cond(
            SignupState.step == "code",
            "One last step: confirm your email address.",
            "Set up your workspace for your agents and their CRM.",
        ),
        callout(SignupState.form_error, "red", "triangle-alert"),
        rx.cond(SignupState.step == "code", code_step(SignupState, "Verify"), details),
        dev_mailbox_hint(SignupState.dev_mailbox),
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
                    labelled_input(
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
                    labelled_input(
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
            submit_button("Send code", InviteState.sending),
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
    valid = auth_card(
        rx.text("Join ", InviteState.invite_org),
        rx.text("You've been invited to join as ", rx.text.strong(InviteState.invite_role), "."),
        callout(InviteState.form_error, "red", "triangle-alert"),
        rx.cond(InviteState.step == "code", code_step(InviteState, "Accept invitation"), details),
        dev_mailbox_hint(InviteState.dev_mailbox),
    )
    invalid = auth_card(
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
