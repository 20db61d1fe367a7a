"""The public side of a form: what /f/<slug> shows, and the errors a submission can get."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, BinaryIO

from sqlalchemy import and_, func
from sqlalchemy.orm import defer
from sqlmodel import Session, select

from crm_app.models import Agent, Form, FormSubmission, FormVersion, utcnow
from crm_app.services import settings_cache
from crm_app.services.errors import Conflict, ValidationError
from crm_app.services.forms.schema import SLUG_PATTERN, TEXT_LIMITS, TEXT_TYPES, with_field_options


@dataclass
class PublicForm:
    state: str  # open | closed | limit | not_found
    slug: str = ""
    name: str = ""
    schema: dict = field(default_factory=dict)
    form_id: int = 0
    version_id: int = 0
    agent_id: int = 0


def _closed_by_date(settings: Mapping[str, Any], now: datetime) -> bool:
    close = settings.get("close_date") or ""
    if not close:
        return False
    try:
        return now.date() > date.fromisoformat(close)
    except ValueError:
        return False


def _accepted_count(session: Session, form_id: int) -> int:
    return session.exec(
        select(func.count())
        .select_from(FormSubmission)
        .where(FormSubmission.form_id == form_id, FormSubmission.status != "Spam")
    ).one()


def public_form(session: Session, slug: str, *, lock: bool = False) -> PublicForm:
    """What a visitor of /f/<slug> gets: the published version, or why there is none."""
    return open_form(session, slug, lock=lock)[0]


def open_form(
    session: Session, slug: str, *, lock: bool = False
) -> tuple[PublicForm, Form | None, Agent | None]:
    """public_form plus the Form and its Agent, read with one query (form, published version
    and agent joined; `lock` takes the form row's lock)."""
    slug = slug if isinstance(slug, str) else ""
    if not SLUG_PATTERN.fullmatch(
        slug
    ):  # what _slugify makes; anything else (NUL included) never reaches SQL
        return PublicForm("not_found", ""), None, None
    query = (
        select(Form, FormVersion, Agent)
        .join(Agent, Agent.id == Form.agent_id)
        .outerjoin(
            FormVersion,
            and_(FormVersion.form_id == Form.id, FormVersion.version == Form.published_version),
        )
        .where(Form.slug == slug)
        .options(defer(Form.draft))
    )  # the builder's draft: not needed here, maybe large
    if lock:
        query = query.with_for_update(of=Form)
    row = session.exec(query).first()
    form, version, agent = row if row is not None else (None, None, None)
    if form is None or form.status == "Draft" or not form.published_version or version is None:
        return PublicForm("not_found", slug), form, agent
    schema = with_field_options(version.schema_, settings_cache.for_agent(session, agent).fields)
    settings = schema.get("settings") or {}
    out = PublicForm("open", slug, form.name, schema, form.id, version.id, form.agent_id)
    if form.status == "Closed" or _closed_by_date(settings, utcnow()):
        out.state = "closed"
    elif settings.get("limit") and _accepted_count(session, form.id) >= int(settings["limit"]):
        out.state = "limit"
    return out, form, agent


def public_elements(schema: Mapping[str, Any]) -> list[dict]:
    """Element DTOs for the public page (string-only values, ready for HTML attributes)."""
    out = []
    for element in schema.get("elements", []):
        type_ = element["type"]
        low, high = element.get("min"), element.get("max")
        limit = TEXT_LIMITS.get(type_)
        out.append(
            {
                "id": element["id"],
                "type": type_,
                "label": element["label"],
                "placeholder": element.get("placeholder") or "",
                "help": element.get("help") or "",
                "required": bool(element.get("required")),
                "options": list(element.get("options") or []),
                # HTML attribute values (None: no attribute).
                "minlength": low if type_ in TEXT_TYPES else None,
                "maxlength": (high if high is not None else limit) if type_ in TEXT_TYPES else None,
                "min": low if type_ == "number" else None,
                "max": high if type_ == "number" else None,
            }
        )
    return out


@dataclass
class UploadedFile:
    filename: str
    stream: BinaryIO


@dataclass
class SubmitResult:
    submission_id: int
    status: str  # New | Spam
    contact_id: str | None
    success_message: str
    redirect_url: str


class SubmissionInvalid(ValidationError):
    """Answers that fail validation: `errors` maps element id -> message."""

    def __init__(self, errors: dict[str, str]):
        first = next(iter(errors.values()))
        super().__init__(first, field=next(iter(errors)))
        self.errors = errors


class FormUnavailable(Conflict):
    """Closed, over its limit, past its close date or not published: `reason` says which."""

    def __init__(self, reason: str, message: str):
        super().__init__(message)
        self.reason = reason


UNAVAILABLE = {
    "not_found": "This form doesn't exist or is no longer available.",
    "closed": "This form is closed and no longer accepts answers.",
    "limit": "This form has reached its limit of answers and no longer accepts new ones.",
}
