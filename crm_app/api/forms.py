"""Members' form downloads: the QR code, the submissions CSV and a submission's file.
Each resolves the session cookie (401), and the service checks the form's agent (404)."""

from __future__ import annotations

import re

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, Response

from crm_app import routes
from crm_app.api.deps import ERRORS, NO_STORE, Db, Member, iso_date, private_attachment
from crm_app.services import forms

router = APIRouter(prefix=routes.API_FORMS, tags=["forms"], responses=ERRORS)
agent_router = APIRouter(prefix=routes.API_AGENT, tags=["forms"], responses=ERRORS)


@router.get(routes.FORM_QR, response_class=Response)
def qr_code(session: Db, member: Member, form_id: str, download: int = 0):
    png, filename = forms.qr_png(session, member, form_id)
    disposition = "attachment" if download else "inline"
    return Response(
        png,
        media_type="image/png",
        headers={
            "Content-Disposition": f'{disposition}; filename="{filename}"',
            "Cache-Control": "private, max-age=300",
            "X-Content-Type-Options": "nosniff",
        },
    )


@agent_router.get(routes.FORM_EXPORT, response_class=Response)
def export_submissions(request: Request, session: Db, member: Member, agent_id: int, form_id: str):
    params = request.query_params
    query = forms.SubmissionQuery(
        status=params.get("status", "")[:10],
        search=params.get("search", "")[:100],
        date_from=iso_date(params.get("from"), "from"),
        date_to=iso_date(params.get("to"), "to"),
    )
    filename, body = forms.export_csv(session, member, agent_id, form_id, query)
    safe = re.sub(r"[^A-Za-z0-9._-]", "_", filename)
    return Response(
        body.encode("utf-8"),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{safe}"', **NO_STORE},
    )


@router.get(routes.FORM_FILE, response_class=FileResponse)
def download_file(session: Db, member: Member, form_id: str, submission_id: str, element_id: str):
    path, filename, content_type = forms.file_for_download(
        session, member, form_id, submission_id, element_id
    )
    return private_attachment(path, filename, content_type)
