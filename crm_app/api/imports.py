"""CSV import downloads: the agent's template and an import's error report.

The dashboard session cookie is resolved on every request: 401 without a session, 404 for
an agent or import the member cannot see, 403 for the `User` role (who cannot import).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.responses import FileResponse, Response

from crm_app import routes
from crm_app.api.deps import ERRORS, DbSnapshot, SignedInReading
from crm_app.services import imports
from crm_app.services.principal import Principal

router = APIRouter(prefix=routes.API_AGENT, tags=["imports"], responses=ERRORS)
Member = Annotated[Principal, Depends(SignedInReading("Sign in to download this file."))]


def _attachment(filename: str) -> dict:
    return {
        "Content-Disposition": f'attachment; filename="{filename}"',
        "Cache-Control": "no-store",
        "X-Content-Type-Options": "nosniff",
    }


@router.get(routes.IMPORT_TEMPLATE, response_class=Response)
def import_template(session: DbSnapshot, member: Member, agent_id: int):
    body, filename = imports.template_csv(session, member, agent_id)
    return Response(
        body.encode("utf-8"), media_type="text/csv; charset=utf-8", headers=_attachment(filename)
    )


@router.get(routes.IMPORT_ERRORS, response_class=FileResponse)
def import_errors(session: DbSnapshot, member: Member, agent_id: int, job_id: int):
    path, filename = imports.error_file(session, member, agent_id, job_id)
    return FileResponse(path, media_type="text/csv; charset=utf-8", headers=_attachment(filename))
