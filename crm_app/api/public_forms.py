"""Public forms over HTTP: the submission endpoint (the public page and the load benchmark
post here) and the form's description. Signed-out visitors use these, so they answer with
their own small envelope ({"ok": ...}, api/schemas.py) that the public page reads.

POST /api/forms/{slug}/submit  — multipart (the public page: answers named by element id,
     checkboxes repeated, files, `_token`, honeypot `website`) or JSON FormSubmission.
     413 over 12 MB (api/body_limit.py, counted while the body streams in).
GET  /api/forms/{slug}  — the published questions and a signed render stamp (`token`).
"""

from __future__ import annotations

import asyncio
import os
import weakref

import anyio
import anyio.to_thread
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.datastructures import UploadFile

from crm_app import routes
from crm_app.api.deps import NO_STORE, ClientIp, DbSnapshot
from crm_app.api.schemas import (
    Failure,
    FormDescription,
    FormSubmission,
    FormUnavailable,
    SubmitAccepted,
    SubmitRefused,
)
from crm_app.db import session_scope
from crm_app.services import forms, spam
from crm_app.services.errors import RateLimited, ValidationError

router = APIRouter(prefix=routes.API_FORMS, tags=["public forms"])


def _json(body: BaseModel, status: int = 200) -> JSONResponse:
    return JSONResponse(body.model_dump(), status_code=status, headers=NO_STORE)


def _unavailable(reason: str, message: str) -> JSONResponse:
    return _json(
        FormUnavailable(unavailable=reason, message=message), 404 if reason == "not_found" else 409
    )


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


def _submit(slug: str, answers: dict, token, honeypot, files: dict, ip: str) -> JSONResponse:
    try:
        with session_scope() as session:
            result = forms.submit_form(
                session,
                slug,
                answers,
                ip=ip,
                render_token=token,
                honeypot=honeypot,
                files=files,
            )
    except forms.SubmissionInvalid as error:
        return _json(
            SubmitRefused(message="Please check the highlighted answers.", errors=error.errors),
            422,
        )
    except forms.FormUnavailable as error:
        return _unavailable(error.reason, error.message)
    except RateLimited as error:
        return _json(Failure(message=error.message), 429)
    except ValidationError as error:
        return _json(SubmitRefused(message=error.message), 422)
    return _json(SubmitAccepted(message=result.success_message, redirect_url=result.redirect_url))


async def _read_multipart(request: Request) -> tuple[FormSubmission, dict]:
    data = await request.form(max_files=20, max_fields=500)
    answers: dict = {}
    files: dict[str, forms.UploadedFile] = {}
    token = honeypot = None
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
    return FormSubmission(answers=answers, token=token, website=honeypot), files


@router.post(
    routes.FORM_SUBMIT,
    response_model=SubmitAccepted,
    responses={
        400: {"model": Failure},
        404: {"model": FormUnavailable},
        409: {"model": FormUnavailable},
        413: {"model": Failure},
        422: {"model": SubmitRefused},
        429: {"model": Failure},
    },
    openapi_extra={
        "requestBody": {
            "content": {
                "application/json": {"schema": FormSubmission.model_json_schema()},
                "multipart/form-data": {"schema": {"type": "object"}},
            }
        }
    },
)
async def submit(request: Request, slug: str, ip: ClientIp):
    files: dict = {}
    if request.headers.get("content-type", "").startswith("application/json"):
        try:
            body = await request.json()
        except (ValueError, RecursionError):  # RecursionError: nested too deep to parse
            return _json(Failure(message="The request body is not valid JSON."), 400)
        if not isinstance(body, dict):
            return _json(Failure(message="Send a JSON object."), 400)
        submission = FormSubmission.model_validate(body)
    else:
        try:
            submission, files = await _read_multipart(request)
        except Exception:
            return _json(Failure(message="The form data could not be read."), 400)
    return await anyio.to_thread.run_sync(
        _submit,
        slug,
        submission.answers,
        submission.token,
        submission.website,
        files,
        ip,
        limiter=_limiter(),
    )


@router.get(
    routes.FORM_PUBLIC,
    response_model=FormDescription,
    responses={404: {"model": FormUnavailable}, 409: {"model": FormUnavailable}},
)
def describe(slug: str, session: DbSnapshot):
    target = forms.public_form(session, slug)
    if target.state != "open":
        return _unavailable(target.state, forms.UNAVAILABLE[target.state])
    return _json(
        FormDescription(
            name=target.name,
            slug=target.slug,
            token=spam.render_token(target.slug),
            settings=target.schema.get("settings", {}),
            elements=forms.public_elements(target.schema),
        )
    )
