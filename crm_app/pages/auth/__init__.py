"""Signed-out screens: /login, /signup, /invite/[token] and the development mailbox.

These pages sit outside the dashboard shell (no `dashboard()`, no `load_shell`): a centered
card with the product mark, one form per step, errors next to their fields.
"""

from __future__ import annotations

import reflex as rx

from crm_app import routes
from crm_app.pages.auth.mailbox import mailbox
from crm_app.pages.auth.sign_in import invite, login, signup
from crm_app.state.auth import InviteState, LoginState, MailboxState, SignupState


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
