"""/agents/<id>/playground: a member tries the agent's chat (the same chat as visitors see).

The conversation is a test one (chat_turn with member=...): nothing is written to contacts,
and after each reply the page shows what the agent would have captured. The member's
"visitor key" is `member:<user id>`, so each member sees their own test chats.
"""

from __future__ import annotations

import reflex as rx

from crm_app.db import session_scope
from crm_app.services import access
from crm_app.services.errors import NotFound
from crm_app.state.base import AppState, shows_errors
from crm_app.state.chat.backend import visitors
from crm_app.state.chat.core import ChatCore, Who


class PlaygroundState(ChatCore, AppState):
    loaded: bool = False
    load_error: str = ""

    def _who(self) -> Who:
        agent_id = self.route_agent_id()
        with session_scope(read_only=True) as session:
            actor = self.actor(session)
            access.require_agent(session, actor, agent_id)
        return Who(agent_id, visitors.member_key(actor.user_id), actor, self._client_ip())

    @rx.event
    @shows_errors
    def load(self):
        self.loaded, self.load_error, self.replying, self.chat_ready = False, "", False, False
        try:
            who = self._who()
            with session_scope(read_only=True) as session:
                agent = access.require_agent(session, who.member, who.agent_id)
                self.agent_name, self.avatar_url = agent.name, agent.avatar_url or ""
                self.welcome = agent.welcome_message or ""
                self._fill_chats(session, who, open_latest=True)
        except NotFound:
            self.load_error = "Agent not found"
        self.loaded = self.chat_ready = True
