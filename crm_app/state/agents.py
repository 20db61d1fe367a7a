"""Agents page: list, create, rename and delete the organization's agents.

Handlers that read or write data open `self.unit()` (signed-in member checked again) and
go through services/agents, which enforce Admin+ and the organization. Typing handlers
only change this browser's own form state. After a change the shell is reloaded so the
sidebar's agent switcher shows the new list.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

import reflex as rx

from crm_app import routes
from crm_app.services import agents as agent_service
from crm_app.services.stages import region_name
from crm_app.settings import get_settings
from crm_app.state.base import AppState, DialogFlags, shows_errors
from crm_app.state.ids import as_int


@dataclass
class AgentCard:
    """An agent as its card shows it."""

    id: int
    name: str
    slug: str
    welcome_message: str
    contacts: int
    region_label: str
    contacts_label: str
    public_path: str
    crm_href: str
    playground_href: str = ""
    open_to_public: bool = False  # Public (any mode): the chat page and widget answer

    @classmethod
    def of(cls, agent: dict) -> AgentCard:
        count = agent["contacts"]
        return cls(
            id=agent["id"],
            name=agent["name"],
            slug=agent["slug"],
            welcome_message=agent["welcome_message"],
            contacts=count,
            region_label=f"{agent['region']} · {region_name(agent['region'])}",
            contacts_label=f"{count:,} contact{'s' if count != 1 else ''}",
            public_path=f"/a/{agent['slug']}",
            crm_href=routes.agent_path(routes.CONTACTS, agent["id"]),
            playground_href=routes.agent_path(routes.PLAYGROUND, agent["id"]),
            # Restrict and Pay for Access agents answer too, after sign-in or payment.
            open_to_public=agent.get("visibility") == "Public",
        )


class AgentsState(DialogFlags, AppState):
    loaded: bool = False
    can_manage: bool = False
    agent_cards: list[AgentCard] = []

    # Create agent dialog
    create_open: bool = False
    new_name: str = ""
    new_slug: str = ""
    new_slug_touched: bool = False
    new_region: str = "US"
    new_welcome: str = ""
    create_errors: dict[str, str] = {}
    creating: bool = False

    # Rename dialog
    rename_open: bool = False
    rename_id: int = 0
    rename_value: str = ""
    rename_error: str = ""

    # Share dialog (chat link, widget and iframe snippets)
    share_open: bool = False
    share_name: str = ""
    share_link: str = ""
    share_script: str = ""
    share_iframe: str = ""
    share_public: bool = False

    # Delete dialog
    delete_open: bool = False
    delete_id: int = 0
    delete_name: str = ""
    delete_contacts: int = 0
    delete_confirm: str = ""
    delete_error: str = ""

    @rx.var
    def agents_subtitle(self) -> str:
        n = len(self.agent_cards)
        if not self.can_manage:
            return "The agents you work in. Open an agent's CRM to see its contacts."
        if n == 0:
            return "Create an agent to start collecting contacts from chats and forms."
        return f"You have {n} agent{'s' if n != 1 else ''}. Each agent has its own CRM."

    @rx.var
    def delete_ready(self) -> bool:
        return self.delete_confirm.strip() == self.delete_name and self.delete_name != ""

    # ------------------------------------------------------------------ loading

    def _reload(self, session, actor) -> None:
        self.can_manage = actor.is_admin
        self.agent_cards = [AgentCard.of(a) for a in agent_service.list_agents(session, actor)]
        self.loaded = True

    @rx.event
    @shows_errors
    def load_agents(self):
        with self.unit() as (session, actor):
            self._reload(session, actor)

    # ------------------------------------------------------------------ create

    @rx.event
    def open_create(self):
        self.create_open = True
        self.new_name = self.new_slug = self.new_welcome = ""
        self.new_slug_touched = False
        self.new_region = "US"
        self.create_errors = {}

    @rx.event
    def set_new_name(self, value: str):
        self.new_name = str(value)[:200]
        if not self.new_slug_touched:
            self.new_slug = agent_service.slugify(self.new_name)
        self._clear_error("name")

    @rx.event
    def set_new_slug(self, value: str):
        self.new_slug = str(value)[:100].lower()
        self.new_slug_touched = self.new_slug != ""
        self._clear_error("slug")

    @rx.event
    def set_new_region(self, value: str):
        self.new_region = str(value)[:2]
        self._clear_error("region")

    @rx.event
    def set_new_welcome(self, value: str):
        self.new_welcome = str(value)[:1000]
        self._clear_error("welcome_message")

    def _clear_error(self, field: str) -> None:
        if field in self.create_errors:
            self.create_errors = {k: v for k, v in self.create_errors.items() if k != field}

    def _take(self, form_data, key: str, current: str) -> str:
        """The submitted value (a form submit can overtake the input's debounced change)."""
        if isinstance(form_data, dict) and isinstance(form_data.get(key), str):
            return form_data[key][:1000]
        return current

    @rx.event
    @shows_errors(fields="create_errors")
    def submit_create(self, form_data: dict | None = None):
        self.create_errors = {}
        self.new_name = self._take(form_data, "name", self.new_name)
        self.new_slug = self._take(form_data, "slug", self.new_slug)
        self.new_region = self._take(form_data, "region", self.new_region) or self.new_region
        self.new_welcome = self._take(form_data, "welcome_message", self.new_welcome)
        with self.unit() as (session, actor):
            agent = agent_service.create_agent(
                session,
                actor,
                self.new_name,
                slug=self.new_slug or None,
                region=self.new_region,
                welcome_message=self.new_welcome,
            )
            name = agent.name
            self._reload(session, actor)
        self.create_open = False
        return [
            rx.toast.success(f"{name} is ready. Its CRM has the default fields and stages."),
            AppState.load_shell,
        ]

    # ------------------------------------------------------------------ rename

    def _card_by_id(self, agent_id) -> AgentCard | None:
        wanted = as_int(agent_id)
        return next((a for a in self.agent_cards if a.id == wanted), None)

    @rx.event
    def start_rename(self, agent_id: int):
        card = self._card_by_id(agent_id)
        if card is None or not self.can_manage:
            return rx.toast.error("Agent not found.")
        self.rename_id, self.rename_value, self.rename_error = card.id, card.name, ""
        self.rename_open = True

    @rx.event
    def set_rename_value(self, value: str):
        self.rename_value = str(value)[:200]
        self.rename_error = ""

    @rx.event
    @shows_errors(fields="rename_error")
    def submit_rename(self, form_data: dict | None = None):
        self.rename_value = self._take(form_data, "name", self.rename_value)
        with self.unit() as (session, actor):
            name = agent_service.rename_agent(
                session, actor, self.rename_id, self.rename_value
            ).name
            self._reload(session, actor)
        self.rename_open = False
        return [rx.toast.success(f"Renamed to {name}."), AppState.load_shell]

    # ------------------------------------------------------------------ share

    @rx.event
    def start_share(self, agent_id: int):
        card = self._card_by_id(agent_id)
        if card is None:
            return rx.toast.error("Agent not found.")
        base = get_settings().base_url
        link = base + card.public_path
        self.share_name, self.share_link, self.share_public = card.name, link, card.open_to_public
        self.share_script = (
            f'<script src="{base}{routes.WIDGET_JS}" data-agent="{card.slug}" async></script>'
        )
        title = html.escape(f"Chat with {card.name}", quote=True)
        self.share_iframe = (
            f'<iframe src="{link}?embed=1" title="{title}" allow="clipboard-write" '
            'style="width:100%;max-width:420px;height:640px;border:1px solid #ddd;'
            'border-radius:12px"></iframe>'
        )
        self.share_open = True

    @rx.event
    def copy_snippet(self, which: str):
        text = {
            "link": self.share_link,
            "script": self.share_script,
            "iframe": self.share_iframe,
        }.get(str(which), "")
        if not text:
            return
        return [rx.set_clipboard(text), rx.toast.success("Copied to the clipboard")]

    # ------------------------------------------------------------------ delete

    @rx.event
    def start_delete(self, agent_id: int):
        card = self._card_by_id(agent_id)
        if card is None or not self.can_manage:
            return rx.toast.error("Agent not found.")
        self.delete_id, self.delete_name, self.delete_contacts = (
            card.id,
            card.name,
            card.contacts,
        )
        self.delete_confirm, self.delete_error = "", ""
        self.delete_open = True

    @rx.event
    def set_delete_confirm(self, value: str):
        self.delete_confirm = str(value)[:200]
        self.delete_error = ""

    @rx.event
    @shows_errors(fields="delete_error")
    def submit_delete(self, form_data: dict | None = None):
        self.delete_confirm = self._take(form_data, "confirm_name", self.delete_confirm)
        with self.unit() as (session, actor):
            agent_service.delete_agent(session, actor, self.delete_id, self.delete_confirm)
            self._reload(session, actor)
        name = self.delete_name
        self.delete_open = False
        return [rx.toast.success(f"Deleted {name} and its CRM."), AppState.load_shell]
