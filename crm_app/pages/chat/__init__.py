"""The agent's chat: the public page /a/<slug> (and its widget embed) and the Playground."""

from __future__ import annotations

import reflex as rx

from crm_app.pages.chat import playground, public


def register(app: rx.App) -> None:
    public.register(app)
    playground.register(app)
