"""`/`: send a signed-in member to their agent's contacts, or to the agents screen."""

import reflex as rx

from crm_app import routes
from crm_app.components.layout import dashboard
from crm_app.state.base import AppState


class HomeState(AppState):
    @rx.event
    def go_home(self):
        redirect = self.load_shell()
        if redirect is not None:
            return redirect
        if self.current_agent_key:
            return rx.redirect(routes.agent_path(routes.CONTACTS, self.current_agent_key))
        return rx.redirect(routes.AGENTS)


def home() -> rx.Component:
    return dashboard(rx.fragment())


def register(app: rx.App) -> None:
    app.add_page(home, route=routes.HOME, title="Agent CRM", on_load=HomeState.go_home)
