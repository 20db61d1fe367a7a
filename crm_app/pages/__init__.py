"""One module per screen, each with `register(app)`; routes live in crm_app.routes."""

from __future__ import annotations

import reflex as rx


def register_all(app: rx.App) -> None:
    from crm_app.pages import (
        agents,
        audit,
        auth,
        automations,
        contacts,
        crm_settings,
        forms,
        home,
        profile,
        team,
    )

    for module in (auth, home, agents, team, profile, audit, contacts, forms, automations, crm_settings):
        module.register(app)
    from crm_app.pages import contact_detail  # noqa: E402 - contact details (issue #3)

    contact_detail.register(app)
    from crm_app.pages import public_form  # noqa: E402 - public form pages /f/<slug> (issue #6)

    public_form.register(app)
    from crm_app.pages import pipeline  # noqa: E402 - contacts pipeline board (issue #3)

    pipeline.register(app)
    from crm_app.pages import imports  # noqa: E402 - CSV import (issue #5)

    imports.register(app)
