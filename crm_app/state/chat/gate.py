"""The chat page's gate (Restrict and Pay for Access agents): sign in with an emailed code
(or "Continue with Google" where OIDC is configured: `_offer_google`), who is signed in,
sign out. A mixin of PublicChatState (state/chat/public.py), which owns the
agent, the visitor key and the view; every event asks services/gate again.

The countdowns (`Expires in 9:59`, `Resend in 0:59`) run in the browser (a small script in
components/chat/gate.py); the server decides: it refuses a resend before 60 seconds and a
code after 10 minutes whatever the page shows.
"""

from __future__ import annotations

import json
import time

import reflex as rx

from crm_app import routes
from crm_app.db import session_scope
from crm_app.models import Agent
from crm_app.services.chat import visitors
from crm_app.services.errors import NotFound, ServiceError
from crm_app.services.gate import access as gate_access
from crm_app.services.gate import signin
from crm_app.settings import get_settings

# The countdowns of the code step, in the browser: `start(left, wait)` (seconds) sets the
# code's expiry and the resend wait; each tick writes `Expires in m:ss` / `Resend in m:ss`
# into the elements of components/chat/gate.py and, once the wait is over, presses the
# hidden button that asks the server to offer `Resend` (the server checks the time itself;
# asked again every 2 s while the page still waits, should the clocks differ).
GATE_JS = (
    "(() => { if (!window.__crmGate) { const g = window.__crmGate = {expires: 0, resend: 0, asked: 0, clicks: 0};"
    " const fmt = (ms) => { const s = Math.max(0, Math.ceil(ms / 1000));"
    "  return Math.floor(s / 60) + ':' + String(s % 60).padStart(2, '0'); };"
    " g.tick = () => { const now = Date.now();"
    "  const ex = document.getElementById('crm-gate-expires');"
    "  if (ex) ex.textContent = g.expires > now ? 'Expires in ' + fmt(g.expires - now)"
    "   : 'This code has expired. Please request a new code.';"
    "  const rw = document.getElementById('crm-gate-resend-wait');"
    "  if (rw) rw.textContent = 'Resend in ' + fmt(g.resend - now);"
    "  if (rw && now >= g.resend && now - g.asked >= 2000) {"
    "   const b = document.getElementById('crm-gate-resend-ready');"
    "   if (b) { g.asked = now; g.clicks += 1; b.click(); } } };"
    " g.start = (left, wait) => { const now = Date.now(); g.expires = now + left * 1000;"
    "  g.resend = now + wait * 1000; g.asked = 0; g.tick(); };"
    " setInterval(g.tick, 500); }"
)
SIGN_IN_NOTICE_LOST = gate_access.MSG_LOST
MSG_SIGNED_OUT = "You are signed out."
PRIVATE_MESSAGE = "This agent is private. Team members can try it in the Playground."
CODE_SECONDS = signin.CODE_MINUTES * 60
GOOGLE_FAILED = "google_failed"  # api/gate_oidc.py's ?signin=… on the way back


def msg_google_failed(name: str) -> str:
    """The same words whatever went wrong, contact or not (nothing to enumerate)."""
    return f"We could not sign you in with {name}. Use the emailed code instead."


class GateMixin(rx.State, mixin=True):
    gate: str = ""  # "" | Restrict | Pay for Access (the agent's mode)
    gate_step: str = "email"  # email | code
    gate_email: str = ""
    gate_error: str = ""
    gate_notice: str = ""  # why the sign-in screen is back (access lost, signed out)
    resend_ready: bool = False
    signed_in_name: str = ""
    signed_in_email: str = ""
    from_paywall: bool = False  # the sign-in screen was opened from the paywall
    # "Continue with <google_name>" (api/gate_oidc.py): its URL when offered — OIDC
    # configured and the agent's own page, never the widget's iframe (providers refuse frames).
    google_url: str = ""
    google_name: str = ""
    _code_sent_at: float = 0.0

    @rx.var
    def signed_in(self) -> bool:
        return self.signed_in_email != ""

    @rx.var
    def signed_in_label(self) -> str:
        return self.signed_in_name or self.signed_in_email

    # ------------------------------------------------------------------ helpers (the host)

    def _gate_agent(self, session) -> Agent:
        agent = session.get(Agent, self._agent_id) if self._agent_id else None
        if agent is None:
            raise NotFound("This chat is not available.")
        return agent

    def _apply_access(self, found: gate_access.Access) -> None:
        """Show what the visitor may do: chat (`open`), sign in, or pay."""
        self.signed_in_name = found.name if found.signed_in else ""
        self.signed_in_email = found.email if found.signed_in else ""
        if found.state == "open":
            self.view = "open"
            self.gate_notice, self.gate_error = "", ""
        elif found.state == "paywall" and not self.from_paywall:
            self.view = "paywall"
        elif found.state == "private":
            self.view = "private"
        else:
            self.view = "sign_in"
            if found.lost:
                self.gate_notice = SIGN_IN_NOTICE_LOST

    def _google_offer(self, slug: str) -> None:
        """Whether the email step offers the provider (read from the settings): OIDC set
        up, a gated agent, and not the widget's iframe."""
        settings = get_settings()
        offered = settings.oidc_enabled and not self.embed and bool(self.gate)
        self.google_name = settings.oidc_name if offered else ""
        self.google_url = routes.chat_oidc_login(slug) if offered else ""

    def _offer_google(self, slug: str) -> None:
        """On load: the offer, and the message when the page is back from a refused
        attempt (`?signin=google_failed`), on the sign-in card."""
        self._google_offer(slug)
        if self._query("signin") != GOOGLE_FAILED or self.view not in ("sign_in", "paywall"):
            return
        settings = get_settings()
        self.gate_notice = msg_google_failed(settings.oidc_name)
        self._gate_reset()
        if self.view == "paywall":  # the sign-in card was opened from the paywall
            self.view, self.from_paywall = "sign_in", True

    def _check_access(self) -> gate_access.Access:
        with session_scope(read_only=True) as session:
            agent = self._gate_agent(session)
            return gate_access.visitor_access(session, agent, self._visitor_key)

    def _gate_reset(self) -> None:
        self.gate_step, self.gate_error = "email", ""
        self.resend_ready, self._code_sent_at = False, 0.0

    def _timers(self):
        """The browser's countdowns, from the time the server sent the code."""
        left = max(0.0, CODE_SECONDS - (time.time() - self._code_sent_at))
        wait = max(0.0, signin.RESEND_SECONDS - (time.time() - self._code_sent_at))
        return rx.call_script(
            f"{GATE_JS} window.__crmGate.start({json.dumps(left)}, {json.dumps(wait)}); }})()"
        )

    def _gate_refused(self, error: ServiceError) -> bool:
        """A chat event was refused: when the visitor lost access, show the gate again
        (True); otherwise (a rate limit, a bad message) the error stays with the composer."""
        if self.view != "open" or not self._agent_id:
            return False
        try:
            with session_scope(read_only=True) as session:
                agent = self._gate_agent(session)
                found = gate_access.visitor_access(session, agent, self._visitor_key)
                gate, slug = visitors.gate_of(agent), agent.slug
        except ServiceError:
            return False
        if found.state == "open":
            return False
        self.gate = gate  # the team may have switched the agent's mode meanwhile
        self._google_offer(slug)
        if found.state == "private":
            self.message = PRIVATE_MESSAGE
        self._gate_reset()
        self.from_paywall = False
        self._apply_access(found)
        if self.view == "sign_in" and not self.gate_notice:
            self.gate_notice = error.message
        self.lines, self.chats, self.conversation_id = [], [], 0
        return True

    # ------------------------------------------------------------------ events

    def _send_code(self, email: str) -> bool:
        self.gate_error = ""
        try:
            with session_scope() as session:
                agent = self._gate_agent(session)
                self.gate_email = signin.send_code(session, agent, email, self._ip())
        except ServiceError as error:
            self.gate_error = error.message
            return False
        self.gate_step, self.resend_ready = "code", False
        self._code_sent_at = time.time()
        return True

    @rx.event
    def gate_send_code(self, form_data: dict):
        if self.view != "sign_in":
            return None
        if not self._send_code(str((form_data or {}).get("email") or "")[:400]):
            return None
        return [self._timers(), rx.set_focus("crm-gate-code")]

    @rx.event
    def gate_resend(self):
        if self.view != "sign_in" or self.gate_step != "code" or not self.gate_email:
            return None
        if not self._send_code(self.gate_email):
            return None
        toast = rx.toast.success(f"We sent a new code to {self.gate_email}.")
        return [self._timers(), toast, rx.set_focus("crm-gate-code")]

    @rx.event
    def gate_resend_ready(self):
        """The browser's `Resend in…` reached zero; the server agrees only after 60 s."""
        if self.gate_step == "code" and time.time() - self._code_sent_at >= signin.RESEND_SECONDS:
            self.resend_ready = True

    @rx.event
    def gate_change_email(self):
        self._gate_reset()
        return rx.set_focus("crm-gate-email")

    @rx.event
    def gate_verify(self, form_data: dict):
        if self.view != "sign_in" or self.gate_step != "code":
            return None
        code = str((form_data or {}).get("code") or "")[:20]
        self.gate_error = ""
        try:
            with session_scope() as session:
                agent = self._gate_agent(session)
                signin.verify(session, agent, self._visitor_key, self.gate_email, code, self._ip())
        except ServiceError as error:
            self.gate_error = error.message
            return rx.call_script(
                "(() => { const el = document.getElementById('crm-gate-code');"
                " if (el) { el.value = ''; el.focus(); } })()"
            )
        self._gate_reset()
        self.from_paywall, self.gate_notice = False, ""
        return type(self).gate_enter

    @rx.event
    def gate_enter(self):
        """After sign-in: load what the visitor may now see (their chats, or the paywall)."""
        try:
            found = self._check_access()
        except ServiceError:
            return None
        self._apply_access(found)
        if self.view == "open":
            return self._open_chat()
        return None

    @rx.event
    def gate_sign_out(self):
        """End the guest session and forget this browser's visitor token (a new one replaces
        it), so whoever uses this browser next starts with nothing of theirs."""
        if not self.gate:
            return None
        try:
            with session_scope() as session:
                signin.sign_out(session, self._gate_agent(session), self._visitor_key)
        except ServiceError:
            pass
        store = self._forget_visitor()
        self._gate_reset()
        self.signed_in_name = self.signed_in_email = ""
        self.lines, self.chats, self.conversation_id = [], [], 0
        self.from_paywall, self.gate_email = False, ""
        self.view = "paywall" if self.gate == gate_access.PAID else "sign_in"
        self.gate_notice = MSG_SIGNED_OUT
        return store

    @rx.event
    def gate_show_sign_in(self):
        """The paywall's "Already paid? Sign in with your email"."""
        self._gate_reset()
        self.from_paywall, self.gate_notice = True, ""
        self.view = "sign_in"
        return rx.set_focus("crm-gate-email")

    @rx.event
    def gate_back_to_paywall(self):
        self._gate_reset()
        self.from_paywall = False
        self.view = "paywall"
