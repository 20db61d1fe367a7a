"""HTTP routes mounted in front of Reflex through `rx.App(api_transformer=...)`.

One router per area (prefix and tag in crm_app/routes.py), the shared dependencies in
api/deps.py, one handler that answers every typed service error with the JSON envelope,
and request/response bodies in api/schemas.py.

Every route here serves the app's own pages (sign-in hand-off, downloads, the public form
page), except the visitor chat API (api/public_chat.py) that other websites may call. Their description exists only in development mode, for a
browser on the server's machine; production serves no API docs."""

from __future__ import annotations

from fastapi import Depends, FastAPI, HTTPException, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse

from crm_app.api import (
    auth,
    chat,
    export,
    files,
    forms,
    gate_oidc,
    imports,
    oidc,
    payments,
    public_chat,
    public_forms,
    self_service,
    subscriptions,
)
from crm_app.api.body_limit import BodyLimit
from crm_app.api.deps import service_error_handler
from crm_app.services.errors import ServiceError
from crm_app.services.network import is_loopback_request
from crm_app.settings import get_settings

DOCS_URL = "/api/docs"
OPENAPI_URL = "/api/openapi.json"


def build_api() -> FastAPI:
    api = FastAPI(title="Agent CRM", docs_url=None, openapi_url=None, redoc_url=None)
    for router in (
        auth.router,
        oidc.router,
        files.router,
        export.router,
        subscriptions.router,
        imports.router,
        forms.router,
        forms.agent_router,
        public_forms.router,
        public_chat.router,
        self_service.public_router,
        self_service.page_router,
        chat.router,
        gate_oidc.router,
        chat.widget_router,
        payments.router,
    ):
        api.include_router(router)
    api.add_exception_handler(ServiceError, service_error_handler)
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
