"""Normalizing and validating contact values, shared by every input path
(dashboard, forms, chat capture, CSV import, API)."""

from __future__ import annotations

import re
from datetime import date
from urllib.parse import urlparse

import phonenumbers
from email_validator import EmailNotValidError, validate_email

from crm_app.services.errors import ValidationError

FIELD_TYPES = (
    "Text",
    "Long text",
    "Number",
    "Date",
    "Dropdown",
    "Multi-select",
    "Checkbox",
    "Email",
    "Phone",
    "URL",
)
GENDERS = ("Female", "Male", "Non-binary", "Prefer not to say")
_MAX_TEXT = {"Text": 500, "Long text": 2000, "URL": 2000}


def normalize_email(raw: str | None, field: str = "email") -> str | None:
    value = (raw or "").strip()
    if not value:
        return None
    try:
        return validate_email(value, check_deliverability=False).normalized.lower()
    except EmailNotValidError:
        raise ValidationError(
            f"'{value[:60]}' is not a valid email address.", field=field
        ) from None


def require_email(
    raw: str | None, field: str = "email", *, empty_message: str | None = None
) -> str:
    """A required address: trimmed, lower-cased and syntactically valid (no DNS lookup)."""
    message = "Enter a valid email address."
    if not (raw or "").strip() or len((raw or "").strip()) > 254:
        raise ValidationError(
            empty_message if empty_message and not (raw or "").strip() else message, field=field
        )
    try:
        return normalize_email(raw, field)
    except ValidationError:
        raise ValidationError(message, field=field) from None


def normalize_phone(raw: str | None, region: str, field: str = "phone") -> str | None:
    """E.164, parsing local numbers with the agent's default region."""
    value = (raw or "").strip()
    if not value:
        return None
    try:
        number = phonenumbers.parse(value, region or None)
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_valid_number(number):
        raise ValidationError(
            f"'{value[:40]}' is not a valid phone number for region {region}.", field=field
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def format_phone(value: str | None, region: str = "") -> str:
    """The one way a phone number is shown on screen: international, grouped the way its
    country writes it ("+1 415-555-2671", "+44 20 7946 0958"). Stored numbers are E.164; a
    number stored without its country code is read as one of `region` (the agent's). What
    is not a phone number comes back as it is. Files for machines keep E.164."""
    text = (value or "").strip()
    if not text:
        return ""
    try:
        number = phonenumbers.parse(text, region or None)
    except phonenumbers.NumberParseException:
        return text
    if not phonenumbers.is_possible_number(number):
        return text
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def normalize_gender(raw: str | None, field: str = "gender") -> str | None:
    value = (raw or "").strip()
    if not value:
        return None
    for option in GENDERS:
        if option.lower() == value.lower():
            return option
    raise ValidationError(f"Gender must be one of: {', '.join(GENDERS)}.", field=field)


def coerce_value(
    field_type: str, raw, options: list[str], region: str = "US", field: str = "value"
):
    """Validate one custom-field value by its type.

    Returns (text, number, json_list) to store, or None when the value is empty.
    """
    if raw is None or (isinstance(raw, str) and not raw.strip()) or raw == []:
        return None
    if field_type in ("Text", "Long text"):
        text = str(raw).strip()
        if len(text) > _MAX_TEXT[field_type]:
            raise ValidationError(
                f"Keep this under {_MAX_TEXT[field_type]} characters.", field=field
            )
        return text, None, None
    if field_type == "Number":
        try:
            number = float(str(raw).strip().replace(",", ""))
        except ValueError:
            raise ValidationError(f"'{str(raw)[:40]}' is not a number.", field=field) from None
        if number != number or number in (float("inf"), float("-inf")):
            raise ValidationError("Enter a finite number.", field=field)
        text = str(int(number)) if number.is_integer() else repr(number)
        return text, number, None
    if field_type == "Date":
        try:
            parsed = date.fromisoformat(str(raw).strip()[:10])
        except ValueError:
            raise ValidationError(
                f"'{str(raw)[:40]}' is not a date (use YYYY-MM-DD).", field=field
            ) from None
        return parsed.isoformat(), None, None
    if field_type == "Dropdown":
        return _option(str(raw), options, field), None, None
    if field_type == "Multi-select":
        items = raw if isinstance(raw, list) else [p for p in re.split(r"[;,|]", str(raw))]
        chosen = [_option(str(i), options, field) for i in items if str(i).strip()]
        chosen = list(dict.fromkeys(chosen))
        return ", ".join(chosen), None, chosen
    if field_type == "Checkbox":
        truthy = str(raw).strip().lower()
        if truthy in ("true", "yes", "y", "1", "on", "checked"):
            return "Yes", 1.0, None
        if truthy in ("false", "no", "n", "0", "off", "unchecked"):
            return "No", 0.0, None
        raise ValidationError(f"'{str(raw)[:20]}' is not yes or no.", field=field)
    if field_type == "Email":
        return normalize_email(str(raw), field), None, None
    if field_type == "Phone":
        return normalize_phone(str(raw), region, field), None, None
    if field_type == "URL":
        text = str(raw).strip()
        if "://" not in text:
            text = "https://" + text
        parsed = urlparse(text)
        if parsed.scheme not in ("http", "https") or "." not in (parsed.hostname or ""):
            raise ValidationError(f"'{str(raw)[:60]}' is not a web address.", field=field)
        return text[:2000], None, None
    raise ValidationError(f"Unknown field type {field_type}.", field=field)


def _option(raw: str, options: list[str], field: str) -> str:
    value = raw.strip()
    for option in options:
        if option.lower() == value.lower():
            return option
    raise ValidationError(
        f"'{value[:40]}' is not one of the options: {', '.join(options[:10])}.", field=field
    )
