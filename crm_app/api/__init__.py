"""HTTP routes mounted in front of Reflex through `rx.App(api_transformer=...)`."""

from __future__ import annotations

from fastapi import FastAPI

from crm_app.api import auth, export, files, forms, imports, oidc
from crm_app.api.body_limit import BodyLimit
from crm_app.settings import get_settings


def build_api() -> FastAPI:
    # The internal API's docs list every route and parameter: development mode only.
    dev = get_settings().dev_mode
    api = FastAPI(title="Agent CRM", docs_url="/api/docs" if dev else None,
                  openapi_url="/api/openapi.json" if dev else None, redoc_url=None)
    api.include_router(auth.router)
    api.include_router(oidc.router)
    api.include_router(export.router)
    api.include_router(files.router)
    api.include_router(imports.router)
    api.include_router(forms.router)
    # Reflex mounts its own routes (uploads included) inside this app: the limit covers them too.
    api.add_middleware(BodyLimit)
    return api
