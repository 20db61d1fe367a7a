"""Agent → Agent settings: General, Visibility, Reply engine (each saved on its own)."""

from __future__ import annotations

import reflex as rx

from crm_app import routes
from crm_app.pages.agent_settings.page import page
from crm_app.state.agent_settings import AgentSettingsState as S
from crm_app.state.base import AppState
from crm_app.state.paid_access import PaidAccessState

__all__ = ["page", "register"]


def register(app: rx.App) -> None:
    app.add_page(
        page,
        route=routes.AGENT_SETTINGS,
        title="Agent settings · Agent CRM",
        on_load=[AppState.load_shell, S.load, PaidAccessState.load],
    )
