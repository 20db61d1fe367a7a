"""The Reflex app: pages registered, HTTP API mounted (background jobs run in the worker:
`python -m crm_app.cli worker`)."""

import reflex as rx

from crm_app.api import build_api
from crm_app.api.embed import ChatPageStorageGuard
from crm_app.api.frames import FrameGuard
from crm_app.api.origins import RefuseForeignOrigins, use_public_cors
from crm_app.pages import register_all


class App(rx.App):
    """Reflex's app, with its CORS middleware leaving the public chat and form endpoints to
    crm_app/api/origins.py (any site, no credentials)."""

    def __call__(self):
        asgi = super().__call__()
        for layer in (asgi, API):
            use_public_cors(layer)
        return asgi


API = build_api()
app = App(
    api_transformer=[API, RefuseForeignOrigins, FrameGuard, ChatPageStorageGuard],
    stylesheets=["/styles.css"],
    head_components=[rx.script(src="/input-modality.js")],
)
register_all(app)
