"""What a caller offers for a contact, read and checked: the agent's fields, every value
validated by its field into a CleanInput, and the existing contact it matches (external
reference, then email, then phone)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlmodel import Session, select

from crm_app.models import Agent, Contact, ContactField
from crm_app.services import settings_cache
from crm_app.services.errors import ValidationError
from crm_app.services.merge import CleanInput
from crm_app.services.values import (
    coerce_value,
    normalize_email,
    normalize_gender,
    normalize_phone,
)


def agent_fields(session: Session, agent_id: int) -> dict[str, ContactField]:
    rows = session.exec(
        select(ContactField).where(
            ContactField.agent_id == agent_id, ContactField.archived_at.is_(None)
        )
    )
    return {f.key: f for f in rows}


def clean_input(
    session: Session,
    agent: Agent,
    data: Mapping[str, Any],
    fields: dict[str, ContactField] | None = None,
) -> CleanInput:
    """Validate every value by its field; raises ValidationError naming the field key."""
    fields = fields if fields is not None else settings_cache.for_agent(session, agent).fields
    defaults: dict[str, Any] = {}
    custom: dict[int, tuple] = {}
    labels = {k: f.label for k, f in fields.items()}
    external_ref = None
    for key, raw in data.items():
        if key == "external_ref":
            external_ref = (str(raw).strip() or None) if raw is not None else None
            if external_ref and len(external_ref) > 100:
                raise ValidationError("External reference is at most 100 characters.", field=key)
        elif key == "name":
            name = " ".join(str(raw or "").split())
            if len(name) > 200:
                raise ValidationError("Name is at most 200 characters.", field=key)
            defaults["name"] = name
        elif key == "email":
            defaults["email"] = normalize_email(raw)
        elif key == "phone":
            defaults["phone"] = normalize_phone(raw, agent.phone_region)
        elif key == "gender":
            defaults["gender"] = normalize_gender(raw)
        elif key in fields and not fields[key].is_default:
            f = fields[key]
            custom[f.id] = coerce_value(f.type, raw, f.options or [], agent.phone_region, field=key)
        else:
            raise ValidationError(f"Unknown field '{key}'.", field=key)
    return CleanInput(
        defaults, custom, external_ref, labels, {f.id: f.label for f in fields.values()}
    )


def match_contact(
    session: Session,
    agent_id: int,
    *,
    external_ref: str | None = None,
    email: str | None = None,
    phone: str | None = None,
) -> Contact | None:
    """External reference first, then email, then phone."""
    for column, value in (
        (Contact.external_ref, external_ref),
        (Contact.email, email),
        (Contact.phone, phone),
    ):
        if value:
            found = session.exec(
                select(Contact).where(Contact.agent_id == agent_id, column == value)
            ).first()
            if found is not None:
                return found
    return None
