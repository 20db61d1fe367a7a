"""The Agent settings screen: the three sections under the page header."""

from __future__ import annotations

import reflex as rx

from crm_app.components.kit import agent_screen, read_only_notice
from crm_app.components.layout import dashboard, page_header
from crm_app.pages.agent_settings.engine import engine
from crm_app.pages.agent_settings.general import general
from crm_app.pages.agent_settings.paid_access import paid_access
from crm_app.pages.agent_settings.visibility import visibility
from crm_app.state.agent_settings import AgentSettingsState as S


def _content() -> rx.Component:
    return rx.vstack(
        rx.cond(
            ~S.can_edit,
            read_only_notice(
                "You can view these settings. Only Owners and Admins can change them."
            ),
        ),
        general(),
        visibility(),
        paid_access(),
        engine(),
        spacing="4",
        width="100%",
        max_width="760px",
    )


def page() -> rx.Component:
    return dashboard(
        page_header(
            "Agent settings",
            rx.cond(
                S.agent_name != "",
                S.agent_name + ": its name and greeting, who can chat with it, and what replies.",
                "The agent's name and greeting, who can chat with it, and what replies.",
            ),
        ),
        agent_screen(S.loaded, S.load_error, _content()),
    )
