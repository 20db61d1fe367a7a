"""Agent → Subscriptions: what the agent's Pay for Access visitors paid (Owner/Admin)."""

from __future__ import annotations

import reflex as rx

from crm_app import routes
from crm_app.pages.subscriptions.page import page
from crm_app.state.base import AppState
from crm_app.state.subscriptions import SubscriptionsState as S

__all__ = ["page", "register"]


def register(app: rx.App) -> None:
    app.add_page(
        page,
        route=routes.SUBSCRIPTIONS,
        title="Subscriptions · Agent CRM",
        on_load=[AppState.load_shell, S.load],
    )
