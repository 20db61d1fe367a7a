"""Request and response bodies of the JSON routes (Pydantic), so each route's contract is
written once, validated, and described in the development API docs."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator


class ErrorBody(BaseModel):
    message: str
    field: str | None = None  # the input at fault, when there is one


class ErrorEnvelope(BaseModel):
    """Every typed service error (services/errors.py) on a dashboard route."""

    error: ErrorBody

    @classmethod
    def of(cls, message: str, field: str | None = None) -> ErrorEnvelope:
        return cls(error=ErrorBody(message=message, field=field))


# ---------------------------------------------------------------- public forms


class FormSubmission(BaseModel):
    """A JSON submission (the public page posts multipart with the same names). `token` and
    `website` are taken as sent: the spam rules judge any value, so none is refused here."""

    model_config = ConfigDict(populate_by_name=True)

    answers: dict[str, Any] = Field(default_factory=dict)
    token: Any = None  # the render stamp from GET /api/forms/{slug}
    website: Any = None  # the honeypot: empty for a person

    @field_validator("answers", mode="before")
    @classmethod
    def _answers_object(cls, value: Any) -> dict:
        return value if isinstance(value, dict) else {}


class SubmitAccepted(BaseModel):
    """200 — also what spam gets, so a bot learns nothing."""

    ok: bool = True
    message: str
    redirect_url: str | None = None


class SubmitRefused(BaseModel):
    """422 — `errors` maps element ids to messages."""

    ok: bool = False
    message: str
    errors: dict[str, str] = Field(default_factory=dict)


class FormUnavailable(BaseModel):
    """404 (not_found) or 409 (closed, full, ...)."""

    ok: bool = False
    unavailable: str
    message: str


class Failure(BaseModel):
    """400 (unreadable body), 413 (too large) or 429 (rate limited)."""

    ok: bool = False
    message: str


class FormDescription(BaseModel):
    """The published questions and a signed render stamp to send back with the answers."""

    ok: bool = True
    name: str
    slug: str
    token: str
    settings: dict[str, Any]
    elements: list[dict[str, Any]]
