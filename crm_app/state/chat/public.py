"""/a/<slug>: a visitor chats with a Public agent (no sign-in), on its own page or inside
the widget's iframe on another site (`?embed=1`).

Who the visitor is: an opaque token whose hash (the visitor key) is all the server keeps.
On the top-level page the token is an HttpOnly cookie (services/visitor_cookie.py: this
state makes a token, the browser trades a signed ticket for the cookie at
POST /api/chat/visitor, later visits read it from the websocket's headers). In embed mode
the iframe is a third party on the host site and its cookies are blocked: the token is kept
in the iframe's own localStorage (`embed_token`).

A Restrict or Pay for Access agent asks each visitor first (state/chat/gate.py): the view is
`sign_in` or `paywall` until services/gate says the visitor key may chat, and goes back
there when a message is refused because access was lost.
"""

from __future__ import annotations

import json

import reflex as rx

from crm_app import routes
from crm_app.db import session_scope
from crm_app.services import visitor_cookie
from crm_app.services.errors import NotFound, ServiceError
from crm_app.services.gate.access import PAID
from crm_app.state.base import route_param
from crm_app.state.chat.backend import visitors
from crm_app.state.chat.core import ChatCore, Who
from crm_app.state.chat.gate import PRIVATE_MESSAGE, GateMixin
from crm_app.state.chat.paywall import PaywallMixin

UNAVAILABLE = {
    "private": PRIVATE_MESSAGE,
    "not_found": "There is no agent at this address. Check the link you followed.",
}


class PublicChatState(GateMixin, PaywallMixin, ChatCore, rx.State):
    view: str = "loading"  # loading | open | sign_in | paywall | private | not_found
    message: str = ""
    embed: bool = False
    closable: bool = False  # inside the widget's panel (?close=1): the header has a close button
    # The widget iframe's own storage (its cookies are third-party there).
    embed_token: str = rx.LocalStorage("", name="crm_chat_visitor")
    _agent_id: int = 0
    _visitor_key: str = ""
    _forgotten_key: str = ""  # signed out: the cookie may still carry this key's token

    def _slug(self) -> str:
        return route_param(self.router, "slug")

    def _query(self, name: str) -> str:
        return str(self.router.url.query_parameters.get(name, ""))

    def _cookie_header(self) -> str:
        return self.router.headers.cookie or ""

    def _ip(self) -> str:
        return self.router.session.client_ip or ""

    def _who(self) -> Who:
        if self.view != "open" or not self._agent_id or not self._visitor_key:
            raise NotFound("This chat is not available.")
        return Who(self._agent_id, self._visitor_key, None, self._ip())

    def _identity(self):
        """(visitor key, the browser call that stores a new token, or None)."""
        if self.embed:
            token = str(self.embed_token or "")
            if not visitors.valid_token(token):
                token = visitors.new_visitor_token()
                self.embed_token = token
            return visitors.visitor_key(token), None
        token = visitor_cookie.token_from_cookie_header(self._cookie_header())
        if visitors.valid_token(token) and visitors.visitor_key(token) != self._forgotten_key:
            return visitors.visitor_key(token), None
        if self._visitor_key:  # this tab made one already (its cookie may still be on its way)
            return self._visitor_key, None
        return self._new_cookie_token()

    def _new_cookie_token(self):
        token = visitors.new_visitor_token()
        ticket = json.dumps(visitor_cookie.issue_ticket(token))
        store = rx.call_script(
            f"fetch('{routes.API_CHAT_VISITOR}', {{method: 'POST', credentials: 'same-origin',"
            f" headers: {{'Content-Type': 'application/json'}}, body: JSON.stringify({{ticket: {ticket}}})}})"
            ".catch(() => null)"
        )
        return visitors.visitor_key(token), store

    def _forget_visitor(self):
        """Signing out: a new visitor token replaces this browser's (the cookie, or the
        iframe's storage), so the next person here does not inherit this one's chats."""
        self._forgotten_key = self._visitor_key
        if self.embed:
            token = visitors.new_visitor_token()
            self.embed_token = token
            self._visitor_key = visitors.visitor_key(token)
            return None
        self._visitor_key, store = self._new_cookie_token()
        return store

    def _apply_access(self, found) -> None:
        """GateMixin's view, plus the paywall's offer and the pass line of a paid agent."""
        super()._apply_access(found)
        if self._paid_agent:
            with session_scope(read_only=True) as session:
                self._gate_paid(session)

    def _open_chat(self) -> None:
        self.chat_ready = False
        try:
            with session_scope(read_only=True) as session:
                self._fill_chats(session, self._who(), open_latest=True)
        except ServiceError as error:
            if self._gate_refused(error):
                return
            self._reset()
        self.chat_ready = True

    def _refused(self, error: ServiceError) -> None:
        if not self._gate_refused(error):
            self.error = error.message

    @rx.event
    def load(self):
        self.embed = self._query("embed") == "1"
        self.closable = self.embed and self._query("close") == "1"
        self.chat_ready, self.error, self.replying = False, "", False
        try:
            with session_scope() as session:
                agent = visitors.public_agent(session, self._slug())
        except NotFound:
            self.view, self.message, self.agent_name = "not_found", UNAVAILABLE["not_found"], ""
            return
        self.agent_name, self.avatar_url, self.welcome = (
            agent.name,
            agent.avatar_url or "",
            agent.welcome_message or "",
        )
        if not agent.available:
            self.view = agent.reason if agent.reason in UNAVAILABLE else "private"
            self.message = UNAVAILABLE[self.view]
            self._agent_id, self.lines, self.chats, self.gate = 0, [], [], ""
            return
        self.view, self.message = "open", ""
        self._agent_id, self.gate = agent.id, agent.gate
        self.google_url = self.google_name = ""
        self._paid_agent = agent.gate == PAID
        self._visitor_key, store = self._identity()
        self.from_paywall, self.gate_notice = False, ""
        self.signed_in_name = self.signed_in_email = ""
        if self.gate:
            try:
                self._apply_access(self._check_access())
            except ServiceError:
                self.view = "sign_in"
            self._offer_google(agent.slug)
            if self.view == "sign_in" and self.gate_step == "code":
                return [store, self._timers()] if store else self._timers()
        if self.view == "paywall":  # back from Stripe Checkout: wait for the webhook's pass
            self.lines, self.chats, self.message = [], [], ""
            return [e for e in (store, *self._checkout_return()) if e is not None]
        if self.view == "open":
            self._open_chat()
        return store

    @rx.event
    def close_embed(self):
        """The compact header's close button: tell the page around the iframe."""
        return rx.call_script(
            "window.parent && window.parent !== window &&"
            " window.parent.postMessage({type: 'crm-chat-close'}, '*')"
        )
