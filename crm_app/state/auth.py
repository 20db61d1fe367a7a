"""Signed-out screens: sign in, sign up, accept an invitation, development mailbox.

These handlers run for people who are not signed in yet, so they open their own
transaction (`session_scope`) instead of `self.unit()`; everything they may do is decided
by the emailed code the auth service checks. A verified sign-in ends with a one-time
ticket that the browser trades at /api/auth/complete for its HttpOnly session cookie.
"""

from __future__ import annotations

import asyncio
import json
from urllib.parse import urlencode

import reflex as rx

from crm_app import routes
from crm_app.db import session_scope
from crm_app.services import auth, email, invitations, network, sessions
from crm_app.services.errors import NotFound, ServiceError, ValidationErrors
from crm_app.settings import get_settings
from crm_app.state.base import AppState

OIDC_ERRORS = {
    "oidc_disabled": "Single sign-on is not set up on this server.",
    "oidc_provider": "We could not reach the sign-in provider. Please try again in a moment.",
    "oidc_state": "That sign-in attempt expired or came from another browser. Please try again.",
    "oidc_token": "The sign-in provider's answer could not be verified. Please try again.",
    "oidc_denied": "Sign-in was cancelled at the provider.",
    "oidc_email": "Your account with the provider has no verified email address.",
}


class CodeFlow(rx.State, mixin=True):
    """Two steps shared by the sign-in screens: an email form, then the emailed code."""

    step: str = "email"  # email | code
    email: str = ""
    email_error: str = ""
    code_error: str = ""
    form_error: str = ""
    notice: str = ""
    sending: bool = False
    verifying: bool = False
    resend_in: int = 0
    _ticking: bool = False

    def _clear_errors(self) -> None:
        for name in (
            "email_error",
            "code_error",
            "form_error",
            "org_name_error",
            "first_name_error",
            "last_name_error",
        ):
            if hasattr(self, name):
                setattr(self, name, "")

    def _show(self, error: ServiceError) -> None:
        """Put a service error next to its field, or above the form when that field is not on screen."""
        if isinstance(error, ValidationErrors):
            for each in error.errors:
                self._show(each)
            return
        target = f"{error.field}_error" if error.field else ""
        if self.step == "code" and error.field != "code":
            target = ""
        if target and hasattr(self, target):
            setattr(self, target, error.message)
        else:
            self.form_error = error.message

    def _reset_flow(self) -> None:
        self.step = "email"
        self.sending = self.verifying = False
        self.resend_in = 0
        self._clear_errors()
        self.notice = ""

    def _ip(self) -> str:
        return self.router.session.client_ip or ""

    def _signed_in(self) -> bool:
        with session_scope() as session:
            return sessions.resolve_session(session, self._token()) is not None

    def _code_sent(self, email: str):
        self.email = email
        self.step = "code"
        self.resend_in = auth.RESEND_SECONDS
        if not self._ticking:
            self._ticking = True
            return type(self).count_down
        return None

    @staticmethod
    def _go_complete(ticket: str):
        url = f"{routes.API_SIGN_IN_COMPLETE}?{urlencode({'ticket': ticket})}"
        return rx.call_script(f"window.location.href = {json.dumps(url)}")

    @rx.event(background=True)
    async def count_down(self):
        """The "Resend in Ns" countdown (one ticker per tab)."""
        while True:
            await asyncio.sleep(1)
            async with self:
                if self.resend_in <= 0:
                    self._ticking = False
                    return
                self.resend_in -= 1

    @rx.event
    def change_email(self):
        self.step = "email"
        self._clear_errors()

    @rx.event
    def resend(self):
        if self.resend_in > 0 or not self.email:
            return None
        self._clear_errors()
        try:
            self._send(self.email)
        except ServiceError as error:
            self._show(error)
            return rx.toast.error(error.message)
        ticker = self._code_sent(self.email)
        toast = rx.toast.success(f"We sent a new code to {self.email}.")
        return [ticker, toast] if ticker else toast

    def _send(self, email: str) -> None:
        with session_scope() as session:
            auth.request_code(session, email, ip=self._ip())

    def _request_code(self, form_data: dict) -> str:
        """Step one of this screen: check the form, send the code; the (normalized) email."""
        raise NotImplementedError

    def _accept_code(self, session, code: str):
        """Step two of this screen: the (user, organization id) the right code signs in."""
        raise NotImplementedError

    @rx.event
    def send_code(self, form_data: dict):
        self._clear_errors()
        self.sending = True
        yield
        try:
            email = self._request_code(form_data if isinstance(form_data, dict) else {})
        except ServiceError as error:
            self._show(error)
            return
        finally:
            self.sending = False
        yield self._code_sent(email)

    @rx.event
    def verify(self, form_data: dict):
        self._clear_errors()
        self.verifying = True
        yield
        code = str((form_data if isinstance(form_data, dict) else {}).get("code", ""))
        try:
            with session_scope() as session:
                user, org_id = self._accept_code(session, code)
                ticket = sessions.issue_ticket(session, user, org_id)
        except ServiceError as error:
            self._show(error)
            self.verifying = False
            return
        yield self._go_complete(ticket)


class LoginState(CodeFlow, AppState):
    """/login: email, then the emailed code."""

    dev_mailbox: bool = False
    oidc_name: str = ""

    @rx.event
    def load(self):
        if self._signed_in():
            return rx.redirect(routes.HOME)
        self._reset_flow()
        settings = get_settings()
        self.dev_mailbox = dev_mailbox_open(self)
        self.oidc_name = settings.oidc_name if settings.oidc_enabled else ""
        query = self.router.url.query_parameters
        if query.get("expired"):
            self.notice = "Your sign-in link expired. Please sign in again."
        self.form_error = OIDC_ERRORS.get(query.get("error", ""), "")
        return None

    def _request_code(self, form_data: dict) -> str:
        email = str(form_data.get("email", ""))
        self._send(email)
        return auth.normalize_email(email)

    def _accept_code(self, session, code: str):
        return auth.sign_in(session, self.email, code, self._ip())


class SignupState(CodeFlow, AppState):
    """/signup: organization and name, email, then the emailed code."""

    org_name: str = ""
    first_name: str = ""
    last_name: str = ""
    org_name_error: str = ""
    first_name_error: str = ""
    last_name_error: str = ""
    dev_mailbox: bool = False

    @rx.event
    def load(self):
        if self._signed_in():
            return rx.redirect(routes.HOME)
        self._reset_flow()
        self.dev_mailbox = dev_mailbox_open(self)
        return None

    def _request_code(self, form_data: dict) -> str:
        self.org_name, self.first_name, self.last_name = (
            str(form_data.get(k, ""))[:200] for k in ("org_name", "first_name", "last_name")
        )
        details = auth.clean_sign_up_details(
            str(form_data.get("email", "")), self.org_name, self.first_name, self.last_name
        )
        self._send(details["email"])
        return details["email"]

    def _accept_code(self, session, code: str):
        return auth.sign_up(
            session, self.email, code, self.org_name, self.first_name, self.last_name, self._ip()
        )


class InviteState(CodeFlow, AppState):
    """/invite/[token]: join an organization with the invited role."""

    invalid: str = ""  # why the invitation cannot be used ("" when it can)
    loaded: bool = False
    invite_org: str = ""
    invite_role: str = ""
    first_name: str = ""
    last_name: str = ""
    first_name_error: str = ""
    last_name_error: str = ""
    dev_mailbox: bool = False

    def _invite_token(self) -> str:
        path = self.router.url.path.rstrip("/")
        return path.rsplit("/", 1)[-1] if path.startswith("/invite/") else ""

    @rx.event
    def load(self):
        self._reset_flow()
        self.loaded = False
        self.dev_mailbox = dev_mailbox_open(self)
        try:
            with session_scope() as session:
                preview = invitations.invitation_preview(session, self._invite_token())
        except NotFound as error:
            self.invalid = error.message
            self.loaded = True
            return
        self.invalid = ""
        self.invite_org = preview["org_name"]
        self.invite_role = preview["role"]
        self.email = preview["email"]
        self.first_name = preview["first_name"]
        self.last_name = preview["last_name"]
        self.loaded = True

    def _request_code(self, form_data: dict) -> str:
        self.first_name = str(form_data.get("first_name", ""))[:200]
        self.last_name = str(form_data.get("last_name", ""))[:200]
        auth.clean_names(self.first_name, self.last_name)
        with session_scope() as session:
            return invitations.send_invitation_code(session, self._invite_token(), ip=self._ip())

    def _send(self, email: str) -> None:
        with session_scope() as session:
            invitations.send_invitation_code(session, self._invite_token(), ip=self._ip())

    def _accept_code(self, session, code: str):
        return invitations.accept_invitation(
            session, self._invite_token(), code, self.first_name, self.last_name, self._ip()
        )


def dev_mailbox_open(state: rx.State) -> bool:
    """The development mailbox serves only development mode, and only a browser on the
    server's own machine: the codes it shows sign anyone in."""
    router = state.router
    return get_settings().dev_mode and network.is_loopback_request(
        router.session.client_ip, router.headers.raw_headers
    )


class MailboxState(AppState):
    """/dev/mailbox: the newest mail this development server sent (see dev_mailbox_open)."""

    enabled: bool = False
    emails: list[dict] = []  # [{"id", "to", "subject", "sent", "body"}]

    @rx.event
    def load(self):
        self.enabled = dev_mailbox_open(self)
        self.emails = email.dev_mailbox() if self.enabled else []

    @rx.event
    def refresh(self):
        self.load()
        return rx.toast.info("Mailbox refreshed.")
