"""CSV import downloads: the agent's template and an import's error report.

GET /api/agents/{agent_id}/imports/template
GET /api/agents/{agent_id}/imports/{job_id}/errors

The dashboard session cookie is resolved on every request: 401 without a session, 404 for
an agent or import the member cannot see, 403 for the `User` role (who cannot import).
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, Response

from crm_app import routes
from crm_app.api.deps import error_response, signed_in_member
from crm_app.db import session_scope
from crm_app.services import imports
from crm_app.services.errors import ServiceError

router = APIRouter()


def _attachment(filename: str) -> dict:
    return {
        "Content-Disposition": f'attachment; filename="{filename}"',
        "Cache-Control": "no-store",
        "X-Content-Type-Options": "nosniff",
    }


@router.get(routes.API_IMPORT_TEMPLATE)
def import_template(request: Request, agent_id: int):
    try:
        with session_scope(read_only=True) as session:
            body, filename = imports.template_csv(
                session,
                signed_in_member(session, request, "Sign in to download this file."),
                agent_id,
            )
    except ServiceError as exc:
        return error_response(exc)
    return Response(
        body.encode("utf-8"), media_type="text/csv; charset=utf-8", headers=_attachment(filename)
    )


@router.get(routes.API_IMPORT_ERRORS)
def import_errors(request: Request, agent_id: int, job_id: int):
    try:
        with session_scope(read_only=True) as session:
            path, filename = imports.error_file(
                session,
                signed_in_member(session, request, "Sign in to download this file."),
                agent_id,
                job_id,
            )
    except ServiceError as exc:
        return error_response(exc)
    return FileResponse(path, media_type="text/csv; charset=utf-8", headers=_attachment(filename))
