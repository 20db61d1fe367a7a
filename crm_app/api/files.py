"""Contact file downloads: authorized per request from the session cookie, sent as attachments."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import FileResponse

from crm_app import routes
from crm_app.api.deps import ERRORS, Db, Member, private_attachment
from crm_app.services import files

router = APIRouter(prefix=routes.API_CONTACTS, tags=["contacts"], responses=ERRORS)


@router.get(routes.CONTACT_FILE, response_class=FileResponse)
def download_contact_file(session: Db, member: Member, contact_id: str, file_id: str):
    path, filename, content_type = files.file_for_download(session, member, contact_id, file_id)
    return private_attachment(path, filename, content_type)
