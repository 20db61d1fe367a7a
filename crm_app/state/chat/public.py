"""/a/<slug>: a visitor chats with a Public agent (no sign-in), on its own page or inside
the widget's iframe on another site (`?embed=1`).

Who the visitor is: an opaque token whose hash (the visitor key) is all the server keeps.
On the top-level page the token is an HttpOnly cookie (services/visitor_cookie.py: this
state makes a token, the browser trades a signed ticket for the cookie at
POST /api/chat/visitor, later visits read it from the websocket's headers). In embed mode
the iframe is a third party on the host site and its cookies are blocked: the token is kept
in the iframe's own localStorage (`embed_token`).
"""

from __future__ import annotations

import json

import reflex as rx

from crm_app import routes
from crm_app.db import session_scope
from crm_app.services import visitor_cookie
from crm_app.services.errors import NotFound, ServiceError
from crm_app.state.base import route_param
from crm_app.state.chat.backend import visitors
from crm_app.state.chat.core import ChatCore, Who

UNAVAILABLE = {
    "private": "This agent is private. Team members can try it in the Playground.",
    "restricted": "This agent is not open to the public yet.",
    "paid": "This agent is not open to the public yet.",
    "not_found": "There is no agent at this address. Check the link you followed.",
}


class PublicChatState(ChatCore, rx.State):
    view: str = "loading"  # loading | open | private | restricted | paid | not_found
    message: str = ""
    embed: bool = False
    closable: bool = False  # inside the widget's panel (?close=1): the header has a close button
    # The widget iframe's own storage (its cookies are third-party there).
    embed_token: str = rx.LocalStorage("", name="crm_chat_visitor")
    _agent_id: int = 0
    _visitor_key: str = ""

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
        if visitors.valid_token(token):
            return visitors.visitor_key(token), None
        if self._visitor_key:  # this tab made one already (its cookie may still be on its way)
            return self._visitor_key, None
        token = visitors.new_visitor_token()
        ticket = json.dumps(visitor_cookie.issue_ticket(token))
        store = rx.call_script(
            f"fetch('{routes.API_CHAT_VISITOR}', {{method: 'POST', credentials: 'same-origin',"
            f" headers: {{'Content-Type': 'application/json'}}, body: JSON.stringify({{ticket: {ticket}}})}})"
            ".catch(() => null)"
        )
        return visitors.visitor_key(token), store

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
            self._agent_id, self.lines, self.chats = 0, [], []
            return
        self.view, self.message = "open", ""
        self._agent_id = agent.id
        self._visitor_key, store = self._identity()
        try:
            with session_scope(read_only=True) as session:
                self._fill_chats(session, self._who(), open_latest=True)
        except ServiceError:
            self._reset()
        self.chat_ready = True
        return store

    @rx.event
    def close_embed(self):
        """The compact header's close button: tell the page around the iframe."""
        return rx.call_script(
            "window.parent && window.parent !== window &&"
            " window.parent.postMessage({type: 'crm-chat-close'}, '*')"
        )
