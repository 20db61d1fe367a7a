"""CSV download of an agent's Subscriptions transactions (payments and refunds).

GET /api/agents/{agent_id}/subscriptions/export?search=maria&from=2026-11-01&to=2026-11-30
    &tz=Europe/Madrid

The dashboard session cookie is resolved on every request; the route answers 401 without
a session, 404 for an agent of another organization (or one a User does not work in) and
403 for the `User` role (PRODUCT.md §1: Users do not export).
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import StreamingResponse

from crm_app import routes
from crm_app.api.deps import ERRORS, Db, SignedIn
from crm_app.db import session_scope
from crm_app.services.access import require_agent
from crm_app.services.payments import subscriptions, subscriptions_csv
from crm_app.services.principal import Principal

router = APIRouter(prefix=routes.API_AGENT, tags=["subscriptions"], responses=ERRORS)
Member = Annotated[Principal, Depends(SignedIn("Sign in to export transactions."))]


@router.get(routes.SUBSCRIPTIONS_EXPORT, response_class=StreamingResponse)
def export_transactions(request: Request, session: Db, member: Member, agent_id: int):
    params = request.query_params
    query = subscriptions.clean_query(
        search=params.get("search") or "",
        date_from=params.get("from") or None,
        date_to=params.get("to") or None,
        tz=params.get("tz") or "UTC",
    )
    agent = require_agent(session, member, agent_id, "Admin")
    subscriptions_csv.iter_csv(session, member, agent_id, query)  # checks; nothing read yet
    filename = subscriptions_csv.export_filename(agent, date.today())

    def body():
        # Its own read-only snapshot for the download; the audit entry once it is all out.
        with session_scope(read_only=True) as snapshot:
            rows = subscriptions_csv.iter_csv(snapshot, member, agent_id, query)
            for chunk in rows:
                yield chunk.encode("utf-8")
        with session_scope() as done:
            subscriptions_csv.record_export(done, member, rows.agent, rows.count)

    return StreamingResponse(
        body(),
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",
        },
    )
