"""Self-service for a visitor signed in to a gated agent (services/gate/self_service.py):
download what the CRM holds about them (a JSON attachment, never cached) and ask for
erasure. 403 when the visitor is not signed in to that agent. Each download is audited
("Contact … downloaded their data"), as the team's exports are.

For any website, with the visitor token in `X-Visitor-Token` (no cookies: api/origins.py
answers CORS with `*` and strips the Cookie header on /api/public-chat/):

GET  /api/public-chat/{slug}/me/data      the JSON download
POST /api/public-chat/{slug}/me/erasure   {"data": {"id", "status", "requested_at", "created"}}
     (201 for a new request, 200 when an open one already existed)

For the chat page /a/<slug>, whose token is an HttpOnly cookie that its script cannot read:

GET  /api/chat/{slug}/my-data             the same download, by the visitor cookie. A GET
     that changes nothing; api/origins.py refuses it when another site's page asks
     (Origin), and a navigation from elsewhere gets only a file into the visitor's own
     browser.
"""

from __future__ import annotations

import json
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Request
from fastapi.responses import JSONResponse, Response

from crm_app import routes
from crm_app.api.deps import NO_STORE, ClientIp, Db
from crm_app.models import Agent
from crm_app.services import visitor_cookie
from crm_app.services.chat import visitors
from crm_app.services.errors import NotAuthenticated, PermissionDenied
from crm_app.services.gate import self_service

public_router = APIRouter(prefix=routes.API_PUBLIC_CHAT, tags=["visitor chat"])
page_router = APIRouter(prefix=routes.API_CHAT, tags=["chat"])


def _agent(session, slug: str) -> Agent:
    return session.get(Agent, visitors.public_agent(session, slug).id)


def _token_visitor(x_visitor_token: Annotated[str | None, Header()] = None) -> str:
    if not x_visitor_token or not visitors.valid_token(x_visitor_token):
        raise NotAuthenticated(
            "Send the visitor token from POST /visitors in the X-Visitor-Token header."
        )
    return visitors.visitor_key(x_visitor_token)


TokenVisitor = Annotated[str, Depends(_token_visitor)]


def _download(data: dict, filename: str) -> Response:
    return Response(
        json.dumps(data, ensure_ascii=False, indent=2),
        media_type="application/json; charset=utf-8",
        headers={
            **NO_STORE,
            "Cache-Control": "private, no-store",
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Content-Security-Policy": "default-src 'none'; sandbox",
        },
    )


def _my_data(session, slug: str, visitor_key: str, ip: str) -> Response:
    agent = _agent(session, slug)
    data = self_service.download(session, agent, visitor_key, ip=ip)
    return _download(data, self_service.download_filename(agent))


@public_router.get(routes.PUBLIC_CHAT_MY_DATA)
def my_data_by_token(slug: str, visitor: TokenVisitor, session: Db, ip: ClientIp) -> Response:
    return _my_data(session, slug, visitor, ip)


@public_router.post(routes.PUBLIC_CHAT_MY_ERASURE)
def request_erasure(slug: str, visitor: TokenVisitor, session: Db, ip: ClientIp) -> JSONResponse:
    agent = _agent(session, slug)
    result = self_service.request_erasure(session, agent, visitor, ip=ip)
    return JSONResponse(
        {"data": result}, status_code=201 if result["created"] else 200, headers=NO_STORE
    )


@page_router.get(routes.CHAT_MY_DATA)
def my_data_by_cookie(slug: str, request: Request, session: Db, ip: ClientIp) -> Response:
    token = visitor_cookie.token_from_cookie_header(request.headers.get("cookie"))
    if not visitors.valid_token(token):
        raise PermissionDenied(self_service.MSG_NOT_SIGNED_IN)
    return _my_data(session, slug, visitors.visitor_key(token), ip)
