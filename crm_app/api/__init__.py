"""HTTP routes mounted in front of Reflex through `rx.App(api_transformer=...)`."""

from __future__ import annotations

from fastapi import Depends, FastAPI, HTTPException, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse

from crm_app.api import auth, export, files, forms, imports, oidc
from crm_app.api.body_limit import BodyLimit
from crm_app.services.network import is_loopback_request
from crm_app.settings import get_settings

DOCS_URL = "/api/docs"
OPENAPI_URL = "/api/openapi.json"


def build_api() -> FastAPI:
    api = FastAPI(title="Agent CRM", docs_url=None, openapi_url=None, redoc_url=None)
    api.include_router(auth.router)
    api.include_router(oidc.router)
    api.include_router(export.router)
    api.include_router(files.router)
    api.include_router(imports.router)
    api.include_router(forms.router)
    # Reflex mounts its own routes (uploads included) inside this app: the limit covers them too.
    api.add_middleware(BodyLimit)
    if get_settings().dev_mode:
        _add_docs(api)
    return api


def _add_docs(api: FastAPI) -> None:
    """The internal API's docs list every route and parameter: development mode only, and,
    like /dev/mailbox, only for a browser on the server's own machine."""

    def this_machine(request: Request) -> None:
        if not is_loopback_request(request.client.host if request.client else "", request.headers):
            raise HTTPException(status_code=404)

    local = [Depends(this_machine)]

    @api.get(OPENAPI_URL, include_in_schema=False, dependencies=local)
    def openapi() -> dict:
        return api.openapi()

    @api.get(DOCS_URL, include_in_schema=False, dependencies=local)
    def docs() -> HTMLResponse:
        return get_swagger_ui_html(openapi_url=OPENAPI_URL, title="Agent CRM API (development)")
