"""CSV export download: the list's filters or a selection, streamed.

GET /api/agents/{agent_id}/contacts/export?search=..&stage=3&stage=4&status=Active
    &owner=7&source=Form&created_from=2025-01-01&created_to=2025-03-31
    &custom[insurance]=Aetna&archived=0&sort=name&descending=0
or  ...?ids=<id>,<id>  (also repeated ids=<id>)

The dashboard session cookie is resolved on every request; the route answers 401 without
a session, 404 for an agent the member cannot see and 403 for the `User` role.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import StreamingResponse

from crm_app import routes
from crm_app.api.deps import ERRORS, Db, SignedIn, iso_date
from crm_app.db import session_scope
from crm_app.services import export
from crm_app.services.access import require_agent
from crm_app.services.contact_list import SORTABLE, ListQuery
from crm_app.services.errors import ValidationError
from crm_app.services.principal import Principal

router = APIRouter(prefix=routes.API_AGENT, tags=["contacts"], responses=ERRORS)
Member = Annotated[Principal, Depends(SignedIn("Sign in to export contacts."))]
_CUSTOM = re.compile(r"^custom\[([a-z][a-z0-9_]{0,59})\]$")


def _ints(values: list[str], name: str) -> list[int]:
    out = []
    for raw in values:
        for part in raw.split(","):
            if part.strip():
                try:
                    out.append(int(part))
                except ValueError:
                    raise ValidationError(
                        f"'{part[:20]}' is not a valid {name}.", field=name
                    ) from None
    return out


def _strings(values: list[str]) -> list[str]:
    return [p.strip() for raw in values for p in raw.split(",") if p.strip()]


def _flag(raw: str | None) -> bool:
    return (raw or "").strip().lower() in ("1", "true", "yes", "on")


def query_from_params(request: Request) -> tuple[ListQuery | None, list[str] | None]:
    params = request.query_params
    ids = _strings(params.getlist("ids"))
    if ids:
        return None, ids
    sort = params.get("sort") or "created"
    if sort not in SORTABLE:
        raise ValidationError(f"Cannot sort by '{sort[:20]}'.", field="sort")
    custom = {}
    for key, value in params.multi_items():
        match = _CUSTOM.match(key)
        if match and value != "":
            custom[match.group(1)] = value
    return ListQuery(
        search=(params.get("search") or "")[:200],
        stage_ids=_ints(params.getlist("stage"), "stage"),
        statuses=_strings(params.getlist("status")),
        owner_ids=_ints(params.getlist("owner"), "owner"),
        sources=[s.removeprefix("via ") for s in _strings(params.getlist("source"))],
        created_from=iso_date(params.get("created_from"), "created_from"),
        created_to=iso_date(params.get("created_to"), "created_to"),
        custom=custom,
        archived=_flag(params.get("archived")),
        sort=sort,
        descending=params.get("descending", "1") not in ("0", "false"),
    ), None


@router.get(routes.EXPORT, response_class=StreamingResponse)
def export_contacts(request: Request, session: Db, member: Member, agent_id: int):
    agent = require_agent(session, member, agent_id, "Admin")
    filename = export.export_filename(agent, date.today())
    query, ids = query_from_params(request)
    export.iter_export(session, member, agent_id, query, ids)  # validates; nothing is read yet

    def body():
        # Its own read-only snapshot that lives as long as the download (it does not hold
        # the SQLite write lock); the audit entry is written once the last row is out.
        with session_scope(read_only=True) as snapshot:
            rows = export.iter_export(
                snapshot, member, agent_id, query, ids, audit_in_session=False
            )
            for chunk in rows:
                yield chunk.encode("utf-8")
        with session_scope() as done:
            export.record_export(done, member, rows.agent, rows.count, rows.selection)

    return StreamingResponse(
        body(),
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",
        },
    )
