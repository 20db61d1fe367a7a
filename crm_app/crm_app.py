"""The Reflex app: pages registered, HTTP API mounted, the periodic jobs started."""

import reflex as rx

from crm_app import jobs
from crm_app.api import build_api
from crm_app.api.origins import RefuseForeignOrigins
from crm_app.pages import register_all

app = rx.App(
    api_transformer=[build_api(), RefuseForeignOrigins],
    stylesheets=["/styles.css"],
    head_components=[rx.script(src="/input-modality.js")],
)
register_all(app)
app.register_lifespan_task(jobs.recover_imports_periodically)
