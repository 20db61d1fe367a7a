"""`submit_form`, the one public submission path: answers checked, spam rules applied, files
stored, the contact matched or created in the same transaction."""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from sqlalchemy import insert as sa_insert
from sqlalchemy import inspect as sa_inspect
from sqlmodel import Session

from crm_app.models import Agent, ContactField, Form, FormSubmission, utcnow
from crm_app.services import events, settings_cache, spam
from crm_app.services import files as file_service
from crm_app.services.contact_create import ACTIVITY_INSERT
from crm_app.services.contacts import save_contact
from crm_app.services.errors import RateLimited, ValidationError
from crm_app.services.file_cleanup import remove_after_rollback, unlink_quietly
from crm_app.services.forms.answers import answer_value, payload_size
from crm_app.services.forms.public import (
    UNAVAILABLE,
    FormUnavailable,
    SubmissionInvalid,
    SubmitResult,
    UploadedFile,
    open_form,
)
from crm_app.services.forms.schema import (
    DEFAULT_SETTINGS,
    DISPLAY_TYPES,
    FILE_TOO_LARGE,
    MAPPABLE,
    MAX_FORM_FILE_BYTES,
    MAX_PAYLOAD_CHARS,
)
from crm_app.services.merge import Origin
from crm_app.settings import get_settings, private_dir, private_open


def store_upload(upload: UploadedFile) -> dict:
    """Receive one upload into private storage: size limit, content sniffing, random key."""
    name = file_service.safe_filename(upload.filename)
    root = get_settings().files_dir
    incoming = root / ".incoming"
    private_dir(incoming)
    key = secrets.token_hex(16)
    temp = incoming / key
    try:
        size = 0
        with private_open(temp) as out:
            while chunk := upload.stream.read(1024 * 1024):
                size += len(chunk)
                if size > MAX_FORM_FILE_BYTES:
                    raise ValidationError(FILE_TOO_LARGE)
                out.write(chunk)
        if size == 0:
            raise ValidationError("This file is empty.")
        try:
            sniffed = file_service.sniff(temp, name)
        except ValidationError as error:
            raise ValidationError(error.message) from None
        final = file_service.storage_path(key)
        private_dir(final.parent)
        os.replace(temp, final)
    finally:
        if temp.exists():
            temp.unlink()
    return {"key": key, "name": name, "size": size, "content_type": sniffed.content_type}


def file_keys(answers: Mapping[str, Any] | None) -> list[str]:
    return [
        a["file"]["key"]
        for a in (answers or {}).values()
        if isinstance(a, dict) and isinstance(a.get("file"), dict) and a["file"].get("key")
    ]


def _contact_data(elements: list[dict], answers: dict, fields: Mapping[str, ContactField]) -> dict:
    data: dict[str, Any] = {}
    for element in elements:
        key = element.get("maps_to")
        target = fields.get(key) if key else None
        # A field archived or changed to another type since publishing: the answer stays in
        # the submission, and the rest still makes the contact.
        if (
            target is None
            or target.type not in MAPPABLE.get(element["type"], ())
            or element["id"] not in answers
        ):
            continue
        value = answers[element["id"]]["value"]
        if value in ("", None, []) or (element["type"] == "consent" and value is False):
            continue
        if isinstance(value, list):
            value = value if target.type == "Multi-select" else ", ".join(value)
        elif isinstance(value, bool):
            value = "Yes" if value else "No"
        data[key] = value
    return data


def to_contact(
    session: Session,
    agent: Agent,
    form: Form,
    answers: dict,
    elements: list[dict],
    fields: Mapping[str, ContactField],
) -> str | None:
    """Match or create the submission's contact (needs an email or a phone answer)."""
    data = _contact_data(elements, answers, fields)
    if not data.get("email") and not data.get("phone"):
        return None
    origin = Origin("form", f"Form “{form.name}”")
    try:
        result = save_contact(
            session, agent, data, source="Form", origin=origin, policy="fill", fields=dict(fields)
        )
    except ValidationError as error:
        by_key = {e.get("maps_to"): e["id"] for e in elements if e.get("maps_to")}
        raise SubmissionInvalid(
            {by_key.get(error.field, elements[0]["id"]): error.message}
        ) from None
    return result.contact.id


def submission_activity(form: Form, contact_id: str, submission_id: int) -> dict:
    """The contact's timeline line for a submission (its Form tab links back to it), as values."""
    return {
        "contact_id": contact_id,
        "kind": "submission",
        "actor_type": "form",
        "actor_id": None,
        "actor_label": f"Form “{form.name}”",
        "message": f"Submitted form “{form.name}”",
        "data": {"form_id": form.id, "submission_id": submission_id},
        "created_at": utcnow(),
    }


_SUBMISSION_COLUMNS = [
    (attr.key, attr.columns[0].name)
    for attr in sa_inspect(FormSubmission).column_attrs
    if attr.key != "id"
]


_INSERT_SUBMISSION = sa_insert(FormSubmission.__table__).returning(FormSubmission.__table__.c.id)


def _insert_submission(session: Session, sub: FormSubmission) -> int:
    """INSERT … RETURNING id outside the unit of work (no ORM object); everything it
    references (form, version, contact) is already in the database."""
    row = {column: getattr(sub, key) for key, column in _SUBMISSION_COLUMNS}
    return session.connection().execute(_INSERT_SUBMISSION, row).scalar_one()


def submit_form(
    session: Session,
    slug: str,
    answers: Mapping[str, Any],
    *,
    ip: str = "",
    render_token: str | None = None,
    elapsed: float | None = None,
    honeypot: str | None = None,
    files: Mapping[str, UploadedFile] | None = None,
) -> SubmitResult:
    """The one public submission path (page and HTTP endpoint). See the module docstring.

    `elapsed` (seconds since the page rendered) may be given directly by trusted callers;
    otherwise it comes from the signed `render_token`.
    """
    target, form, agent = open_form(session, slug)
    if target.state == "open":
        settings = target.schema.get("settings") or {}
        if settings.get("limit"):
            target, form, agent = open_form(
                session, slug, lock=True
            )  # serialize submissions near the limit
    if target.state != "open":
        raise FormUnavailable(target.state, UNAVAILABLE[target.state])
    answers = answers if isinstance(answers, Mapping) else {}
    files = files or {}
    if payload_size(answers) > MAX_PAYLOAD_CHARS:
        raise ValidationError(
            "Your answers are too long to send. Please shorten them.", field="form"
        )
    hits = spam.count_hit(ip)
    if spam.refused(hits):
        raise RateLimited("Too many submissions from your network. Please try again later.")
    elements = [e for e in target.schema.get("elements", []) if e["type"] not in DISPLAY_TYPES]

    errors: dict[str, str] = {}
    stored: dict[str, dict] = {}
    for element in elements:
        eid = element["id"]
        try:
            if element["type"] == "file":
                upload = files.get(eid)
                if upload is None or not upload.filename:
                    if element.get("required"):
                        raise ValidationError("Please attach a file.")
                    stored[eid] = {"label": element["label"], "type": "file", "value": ""}
                    continue
                continue  # stored after every other answer is valid
            value = answer_value(element, answers.get(eid), agent.phone_region)
            stored[eid] = {"label": element["label"], "type": element["type"], "value": value}
        except ValidationError as error:
            errors[eid] = error.message
    if errors:
        raise SubmissionInvalid(errors)

    saved: list[Path] = []  # uploads stored by this call
    try:
        for element in elements:
            eid = element["id"]
            if element["type"] == "file" and eid not in stored:
                try:
                    meta = store_upload(files[eid])
                except ValidationError as error:
                    raise SubmissionInvalid({eid: error.message}) from None
                saved.append(file_service.storage_path(meta["key"]))
                stored[eid] = {
                    "label": element["label"],
                    "type": "file",
                    "value": meta["name"],
                    "file": meta,
                }
        ordered = {e["id"]: stored[e["id"]] for e in elements if e["id"] in stored}

        if elapsed is None:
            elapsed = spam.elapsed_since(render_token, target.slug)
        reason = spam.check(honeypot, elapsed) or spam.over_limit_reason(hits)
        if (
            not reason
            and render_token is not None
            and not spam.claim_token(session, render_token, target.slug)
        ):
            reason = spam.REPLAYED
        # The contact first, so the submission is inserted once, already linked to it.
        contact_id = (
            None
            if reason
            else to_contact(
                session,
                agent,
                form,
                ordered,
                elements,
                settings_cache.for_agent(session, agent).fields,
            )
        )
        sub = FormSubmission(
            form_id=form.id,
            form_version_id=target.version_id,
            answers=ordered,
            contact_id=contact_id,
            status="Spam" if reason else "New",
            spam_reason=reason[:200],
            ip=(ip or "")[:64],
        )
        sub.id = _insert_submission(session, sub)
        if contact_id is not None:
            session.connection().execute(
                ACTIVITY_INSERT, submission_activity(form, contact_id, sub.id)
            )
        if not reason:  # spam is kept for review, not announced
            events.emit(
                session,
                agent.id,
                "form.submitted",
                {"form_id": form.id, "submission_id": sub.id, "contact_id": contact_id},
            )
    except BaseException:
        unlink_quietly(saved)
        raise
    remove_after_rollback(session, saved)
    settings = target.schema.get("settings") or {}
    return SubmitResult(
        sub.id,
        sub.status,
        contact_id,
        settings.get("success_message") or DEFAULT_SETTINGS["success_message"],
        settings.get("redirect_url") or "",
    )
