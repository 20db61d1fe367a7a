"""One module per screen, each with `register(app)`; routes live in crm_app.routes."""

from __future__ import annotations

import reflex as rx


def register_all(app: rx.App) -> None:
    from crm_app.pages import (
        agent_settings,
        agents,
        audit,
        auth,
        automations,
        chat,
        contact_detail,
        contacts,
        crm_settings,
        data_requests,
        forms,
        history,
        home,
        imports,
        not_found,
        payments,
        pipeline,
        profile,
        public_form,
        subscriptions,
        team,
    )

    for module in (
        auth,
        home,
        agents,
        team,
        profile,
        audit,
        payments,
        contacts,
        contact_detail,
        pipeline,
        imports,
        forms,
        public_form,
        chat,
        automations,
        crm_settings,
        history,
        agent_settings,
        subscriptions,
        data_requests,
        not_found,
    ):
        module.register(app)
