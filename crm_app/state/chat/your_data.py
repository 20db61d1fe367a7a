"""The chat header's "Your data" menu (components/chat/your_data.py) for a visitor signed in
to a gated agent: download what the CRM holds about them, ask for erasure.

The agent comes from the route's slug, the visitor as PublicChatState knows them: the
iframe's own storage inside the widget (`?embed=1`), otherwise the HttpOnly cookie from
the websocket's headers (or, on a first visit whose cookie is still on its way, the key
that tab made). Every event finds both again and asks services/gate/self_service, so a
visitor who signed out, or whose session ended, is refused on their next click.

The download is a real file from the HTTP routes (api/self_service.py): the chat page
fetches `/api/chat/<slug>/my-data` with its cookie; the widget's iframe, whose cookies are
third-party, sends its token to `/api/public-chat/<slug>/me/data`.
"""

from __future__ import annotations

import json

import reflex as rx

from crm_app import routes
from crm_app.db import session_scope
from crm_app.models import Agent
from crm_app.services import visitor_cookie
from crm_app.services.chat import visitors
from crm_app.services.errors import NotFound, ServiceError
from crm_app.services.gate import self_service
from crm_app.services.gate.access import live_session
from crm_app.state.base import route_param
from crm_app.state.chat.public import PublicChatState

MSG_FAILED = "Your data could not be downloaded. Please try again."

# The browser fetches the file (cookie or token) and saves it; resolves to "" or a message.
_DOWNLOAD = """(async () => {
  try {
    const r = await fetch(%(url)s, {credentials: 'same-origin', cache: 'no-store', headers: %(headers)s});
    if (!r.ok) {
      let m = %(failed)s;
      try { m = (await r.json()).error.message || m; } catch (e) {}
      return m;
    }
    const blob = await r.blob();
    const found = /filename="([^"]+)"/.exec(r.headers.get('Content-Disposition') || '');
    const a = document.createElement('a');
    a.href = URL.createObjectURL(blob);
    a.download = found ? found[1] : 'my-data.json';
    document.body.appendChild(a); a.click(); a.remove();
    setTimeout(() => URL.revokeObjectURL(a.href), 30000);
    return '';
  } catch (e) { return %(failed)s; }
})()"""


class YourDataState(rx.State):
    signed_in: bool = False
    email: str = ""  # the address they signed in with
    requested: bool = False  # an erasure request of theirs is open
    erase_open: bool = False
    sending: bool = False

    def _embed(self) -> bool:
        return str(self.router.url.query_parameters.get("embed", "")) == "1"

    async def _who(self) -> tuple[Agent, str, str]:
        """(the agent, the visitor key, the token the widget's iframe keeps or "")."""
        chat = await self.get_state(PublicChatState)
        token = ""
        if self._embed():
            token = str(chat.embed_token or "")
            key = visitors.visitor_key(token) if visitors.valid_token(token) else ""
        else:
            cookie = visitor_cookie.token_from_cookie_header(self.router.headers.cookie or "")
            key = visitors.visitor_key(cookie) if visitors.valid_token(cookie) else ""
            key = key or chat._visitor_key
        slug = route_param(self.router, "slug")
        with session_scope(read_only=True) as session:
            agent = session.get(Agent, visitors.public_agent(session, slug).id)
            session.expunge(agent)
        return agent, key, token

    def _show(self, session, agent: Agent, key: str) -> None:
        try:
            contact = self_service.signed_in_contact(session, agent, key)
        except ServiceError:
            self.signed_in, self.email, self.requested = False, "", False
            return
        guest = live_session(session, agent.id, key)
        self.signed_in = True
        self.email = (guest.email if guest is not None else "") or contact.email or ""
        self.requested = self_service.open_request(session, agent.id, contact.id) is not None

    @rx.event
    async def load(self):
        """on_mount of the menu: whether to show it, and what it says."""
        try:
            agent, key, _ = await self._who()
        except NotFound:
            self.signed_in = False
            return
        with session_scope(read_only=True) as session:
            self._show(session, agent, key)

    @rx.event
    async def download(self):
        try:
            agent, key, token = await self._who()
            with session_scope(read_only=True) as session:
                self_service.signed_in_contact(session, agent, key)
        except ServiceError as error:
            self.signed_in = False
            return rx.toast.error(error.message)
        if self._embed():
            url = routes.API_PUBLIC_CHAT.format(slug=agent.slug) + routes.PUBLIC_CHAT_MY_DATA
            headers = {"X-Visitor-Token": token}
        else:
            url = routes.API_CHAT + routes.CHAT_MY_DATA.format(slug=agent.slug)
            headers = {}
        script = _DOWNLOAD % {
            "url": json.dumps(url),
            "headers": json.dumps(headers),
            "failed": json.dumps(MSG_FAILED),
        }
        return rx.call_script(script, callback=YourDataState.downloaded)

    @rx.event
    def downloaded(self, message: str):
        if message:
            return rx.toast.error(str(message)[:300])
        return rx.toast.success("Your data was downloaded.")

    @rx.event
    def set_erase_open(self, value: bool):
        self.erase_open = bool(value) and self.signed_in

    @rx.event
    async def request_erasure(self):
        self.sending = True
        yield
        try:
            agent, key, _ = await self._who()
            with session_scope() as session:
                self_service.request_erasure(
                    session, agent, key, ip=self.router.session.client_ip or ""
                )
                self._show(session, agent, key)
        except ServiceError as error:
            self.erase_open = self.sending = False
            yield rx.toast.error(error.message)
            return
        self.erase_open = self.sending = False
        yield rx.toast.success("Your request was sent. The team will erase your data.")
