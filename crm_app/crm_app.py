"""The Reflex app: pages registered, HTTP API mounted (background jobs run in the worker:
`python -m crm_app.cli worker`)."""

import reflex as rx

from crm_app.api import build_api
from crm_app.api.origins import RefuseForeignOrigins
from crm_app.pages import register_all

app = rx.App(
    api_transformer=[build_api(), RefuseForeignOrigins],
    stylesheets=["/styles.css"],
    head_components=[rx.script(src="/input-modality.js")],
)
register_all(app)
