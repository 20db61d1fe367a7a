"""Settings → Profile: the member's first and last name (shown as contact owner and note
author)."""

from __future__ import annotations

from sqlmodel import Session

from crm_app.models import User
from crm_app.services import audit
from crm_app.services.access import Actor
from crm_app.services.errors import NotFound, ValidationError

NAME_MAX = 50


def get_profile(session: Session, actor: Actor) -> dict:
    user = session.get(User, actor.user_id)
    if user is None:
        raise NotFound("Profile not found.")
    return _dto(user)


def _clean(value: str | None, label: str, field: str) -> str:
    value = " ".join((value or "").split())
    if not value:
        raise ValidationError(f"{label} is required.", field=field)
    if len(value) > NAME_MAX:
        raise ValidationError(f"{label} must be at most {NAME_MAX} characters.", field=field)
    return value


def validate_names(first_name: str | None, last_name: str | None) -> dict[str, str]:
    """Field errors for both names at once (empty dict when both are fine)."""
    errors: dict[str, str] = {}
    for value, label, field in (
        (first_name, "First name", "first_name"),
        (last_name, "Last name", "last_name"),
    ):
        try:
            _clean(value, label, field)
        except ValidationError as error:
            errors[field] = error.message
    return errors


def update_profile(
    session: Session, actor: Actor, first_name: str | None, last_name: str | None
) -> dict:
    first = _clean(first_name, "First name", "first_name")
    last = _clean(last_name, "Last name", "last_name")
    user = session.get(User, actor.user_id)
    if user is None:
        raise NotFound("Profile not found.")
    if (user.first_name, user.last_name) != (first, last):
        user.first_name, user.last_name = first, last
        session.add(user)
        audit.record(session, actor, "Update", "Profile", f"Updated their name to {first} {last}")
    return _dto(user)


def _dto(user: User) -> dict:
    return {
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "name": user.display_name,
    }
