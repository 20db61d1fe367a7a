"""Placeholder until the sign-in work lands."""

import reflex as rx

from crm_app import routes


def login() -> rx.Component:
    return rx.center(rx.heading("Sign in"))


def register(app: rx.App) -> None:
    app.add_page(login, route=routes.LOGIN, title="Sign in · Agent CRM")
