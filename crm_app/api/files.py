"""Contact file downloads: authorized per request from the session cookie, sent as attachments."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, JSONResponse

from crm_app import routes
from crm_app.api.deps import signed_in_member
from crm_app.db import session_scope
from crm_app.services import files
from crm_app.services.errors import NotAuthenticated, NotFound

router = APIRouter()


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse(
        {"error": {"message": message}},
        status_code=status,
        headers={"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"},
    )


@router.get(routes.API_CONTACT_FILE)
def download_contact_file(request: Request, contact_id: str, file_id: str):
    with session_scope() as session:
        try:
            actor = signed_in_member(session, request)
        except NotAuthenticated as error:
            return _error(401, error.message)
        try:
            path, filename, content_type = files.file_for_download(
                session, actor, contact_id, file_id
            )
        except NotFound as error:
            return _error(404, error.message)
    return FileResponse(
        path,
        media_type=content_type,
        filename=filename,
        content_disposition_type="attachment",
        headers={
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "private, no-store",
            "Content-Security-Policy": "default-src 'none'; sandbox",
        },
    )
