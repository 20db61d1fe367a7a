"""Forms over HTTP: the public submission endpoint (the page and the load benchmark post
here), the public form description, and members' QR code, CSV export and file downloads.

POST /api/forms/{slug}/submit  — multipart (the public page: answers named by element id,
     checkboxes repeated, files, `_token`, honeypot `website`) or JSON
     {"answers": {...}, "token": "...", "website": ""}.
     200 {"ok": true, "message", "redirect_url"} — spam gets the same answer, so bots learn nothing;
     422 {"ok": false, "errors": {element id: message}}; 404/409 {"ok": false, "unavailable": reason};
     413 over 12 MB (api/body_limit.py, counted while the body streams in); 429 rate limited.
GET  /api/forms/{slug}  — the published questions and a signed render stamp (`token`).
"""

from __future__ import annotations

import asyncio
import os
import re
import weakref
from datetime import date

import anyio
import anyio.to_thread
from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, JSONResponse, Response
from starlette.datastructures import UploadFile

from crm_app import routes
from crm_app.api.deps import client_ip, signed_in_member
from crm_app.db import session_scope
from crm_app.services import forms, spam
from crm_app.services.errors import NotFound, RateLimited, ServiceError, ValidationError

router = APIRouter()
_NO_STORE = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"}


def _json(body: dict, status: int = 200) -> JSONResponse:
    return JSONResponse(body, status_code=status, headers=_NO_STORE)


def _error(error: ServiceError) -> JSONResponse:
    return _json({"error": {"message": error.message, "field": error.field}}, error.status)


# Submissions run their transaction on a worker thread, at most SUBMIT_THREADS at a time per
# process (CRM_FORM_SUBMIT_THREADS, default 8); the rest wait on the event loop. This bounds
# the database connections a burst can open (5 workers × 8, instead of up to 5 × 30 pooled
# connections against PostgreSQL's default max_connections of 100); throughput was the same
# within noise either way on the 2-core bench machine (bench/README.md, Forms).
SUBMIT_THREADS = max(1, int(os.environ.get("CRM_FORM_SUBMIT_THREADS") or 8))
_limiters: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # event loop -> its limiter


def _limiter() -> anyio.CapacityLimiter:
    key = asyncio.get_running_loop()
    if key not in _limiters:
        _limiters[key] = anyio.CapacityLimiter(SUBMIT_THREADS)
    return _limiters[key]


def _submit(
    slug: str, answers: dict, token: str | None, honeypot: str | None, files: dict, ip: str
) -> JSONResponse:
    try:
        with session_scope() as session:
            result = forms.submit_form(
                session, slug, answers, ip=ip, render_token=token, honeypot=honeypot, files=files
            )
    except forms.SubmissionInvalid as error:
        return _json(
            {
                "ok": False,
                "message": "Please check the highlighted answers.",
                "errors": error.errors,
            },
            422,
        )
    except forms.FormUnavailable as error:
        return _json(
            {"ok": False, "unavailable": error.reason, "message": error.message},
            404 if error.reason == "not_found" else 409,
        )
    except RateLimited as error:
        return _json({"ok": False, "message": error.message}, 429)
    except ValidationError as error:
        return _json({"ok": False, "message": error.message, "errors": {}}, 422)
    return _json(
        {"ok": True, "message": result.success_message, "redirect_url": result.redirect_url}
    )


@router.post(routes.API_FORM_SUBMIT)
async def submit(request: Request, slug: str):
    ctype = request.headers.get("content-type", "")
    answers: dict = {}
    files: dict[str, forms.UploadedFile] = {}
    token = honeypot = None
    if ctype.startswith("application/json"):
        try:
            body = await request.json()
        except (ValueError, RecursionError):  # RecursionError: nested too deep to parse
            return _json({"ok": False, "message": "The request body is not valid JSON."}, 400)
        if not isinstance(body, dict):
            return _json({"ok": False, "message": "Send a JSON object."}, 400)
        answers = body.get("answers") if isinstance(body.get("answers"), dict) else {}
        token, honeypot = body.get("token"), body.get(forms.HONEYPOT_NAME)
    else:
        try:
            data = await request.form(max_files=20, max_fields=500)
        except Exception:
            return _json({"ok": False, "message": "The form data could not be read."}, 400)
        for name in set(data.keys()):
            values = data.getlist(name)
            if name == forms.TOKEN_NAME:
                token = str(values[0])
            elif name == forms.HONEYPOT_NAME:
                honeypot = str(values[0])
            elif isinstance(values[0], UploadFile):
                upload = values[0]
                if upload.filename:
                    files[name] = forms.UploadedFile(upload.filename, upload.file)
            else:
                answers[name] = [str(v) for v in values] if len(values) > 1 else str(values[0])
    return await anyio.to_thread.run_sync(
        _submit, slug, answers, token, honeypot, files, client_ip(request), limiter=_limiter()
    )


@router.get(routes.API_FORM_PUBLIC)
def describe(slug: str):
    with session_scope() as session:
        target = forms.public_form(session, slug)
    if target.state != "open":
        return _json(
            {"ok": False, "unavailable": target.state, "message": forms.UNAVAILABLE[target.state]},
            404 if target.state == "not_found" else 409,
        )
    return _json(
        {
            "ok": True,
            "name": target.name,
            "slug": target.slug,
            "token": spam.render_token(target.slug),
            "settings": target.schema.get("settings", {}),
            "elements": forms.public_elements(target.schema),
        }
    )


@router.get(routes.API_FORM_QR)
def qr_code(request: Request, form_id: str, download: int = 0):
    try:
        with session_scope() as session:
            png, filename = forms.qr_png(session, signed_in_member(session, request), form_id)
    except ServiceError as error:
        return _error(error)
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


def _date(raw: str | None, name: str) -> date | None:
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise ValidationError(f"'{raw[:20]}' is not a date (use YYYY-MM-DD).", field=name) from None


@router.get(routes.API_FORM_EXPORT)
def export_submissions(request: Request, agent_id: int, form_id: str):
    params = request.query_params
    try:
        query = forms.SubmissionQuery(
            status=params.get("status", "")[:10],
            search=params.get("search", "")[:100],
            date_from=_date(params.get("from"), "from"),
            date_to=_date(params.get("to"), "to"),
        )
        with session_scope() as session:
            filename, body = forms.export_csv(
                session, signed_in_member(session, request), agent_id, form_id, query
            )
    except ServiceError as error:
        return _error(error)
    safe = re.sub(r"[^A-Za-z0-9._-]", "_", filename)
    return Response(
        body.encode("utf-8"),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{safe}"', **_NO_STORE},
    )


@router.get(routes.API_FORM_FILE)
def download_file(request: Request, form_id: str, submission_id: str, element_id: str):
    try:
        with session_scope() as session:
            path, filename, content_type = forms.file_for_download(
                session, signed_in_member(session, request), form_id, submission_id, element_id
            )
    except NotFound as error:
        return _error(error)
    except ServiceError as error:
        return _error(error)
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
