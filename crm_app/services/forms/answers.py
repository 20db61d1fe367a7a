"""Validating one answer of a public submission against its element."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from typing import Any

from crm_app.services.errors import ValidationError
from crm_app.services.forms.schema import CHOICE_TYPES, TEXT_LIMITS, TEXT_TYPES
from crm_app.services.values import normalize_email, normalize_phone

# C0 and C1 control characters (tab, line feed and carriage return are decided per element
# type) and lone UTF-16 surrogates: invisible, and PostgreSQL refuses NUL in text.
_UNPRINTABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
UNPRINTABLE = "This answer contains invisible control characters. Please retype it."


def _visible_text(value: str, multiline: bool) -> str:
    """`value` with line breaks normalized; refuses control characters (newline and tab are
    allowed in multi-line answers only)."""
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    if _UNPRINTABLE.search(value) or (not multiline and ("\n" in value or "\t" in value)):
        raise ValidationError(UNPRINTABLE)
    return value


def answer_value(element: dict, raw: Any, region: str) -> Any:
    """The cleaned value of one answer (raises ValidationError with a visitor-facing message).

    Answers arrive as the page posts them (strings; a list for checkboxes) or as JSON from
    other callers: a number is accepted for a Number question and true/false for a consent
    box; any other shape (objects, lists for single answers, NaN) is refused, never stored
    as its Python repr."""
    type_ = element["type"]
    required = element.get("required")
    if type_ == "checkboxes":
        items = raw if isinstance(raw, list) else ([raw] if raw not in (None, "") else [])
        chosen = []
        for item in items:
            if not isinstance(item, str):
                raise ValidationError("Choose from the options shown.")
            match = next((o for o in element["options"] if o.lower() == item.strip().lower()), None)
            if match is None:
                raise ValidationError("Choose from the options shown.")
            if match not in chosen:
                chosen.append(match)
        if required and not chosen:
            raise ValidationError("Choose at least one option.")
        return [o for o in element["options"] if o in chosen]
    if isinstance(raw, list):
        raise ValidationError("Send one answer for this question.")
    if type_ == "consent":
        if isinstance(raw, bool):
            checked = raw
        elif raw is None or isinstance(raw, str):
            checked = (raw or "").strip().lower() in ("true", "on", "yes", "1", "checked")
        else:
            raise ValidationError("Tick the box, or leave it empty.")
        if required and not checked:
            raise ValidationError("Please tick this box to continue.")
        return checked
    if type_ == "number" and isinstance(raw, (int, float)) and not isinstance(raw, bool):
        raw = repr(raw)
    if raw is not None and not isinstance(raw, str):
        raise ValidationError("Enter this answer as text.")
    text = _visible_text(raw or "", type_ == "long_text").strip()
    if not text:
        if required:
            raise ValidationError(
                "Please fill in this field." if type_ not in CHOICE_TYPES else "Choose an option."
            )
        return ""
    if type_ in TEXT_TYPES:
        limit = element.get("max") if element.get("max") is not None else TEXT_LIMITS[type_]
        if len(text) > limit:
            raise ValidationError(f"Keep this to {limit} characters or fewer (now {len(text)}).")
        low = element.get("min")
        if low is not None and len(text) < low:
            raise ValidationError(f"Write at least {low} characters.")
        return text
    if type_ == "email":
        try:
            return normalize_email(text[:254])
        except ValidationError:
            raise ValidationError("Enter a valid email address, like name@example.com.") from None
    if type_ == "phone":
        try:
            return normalize_phone(text[:40], region)
        except ValidationError:
            raise ValidationError(
                "Enter a valid phone number, including the country code if it's not local."
            ) from None
    if type_ == "number":
        try:
            number = float(text.replace(",", ""))
        except ValueError:
            raise ValidationError("Enter a number.") from None
        if number != number or abs(number) > 1e15:
            raise ValidationError("Enter a number.")
        low, high = element.get("min"), element.get("max")
        if low is not None and number < low:
            raise ValidationError(f"Enter a number of at least {_num(low)}.")
        if high is not None and number > high:
            raise ValidationError(f"Enter a number no larger than {_num(high)}.")
        return _num(number)
    if type_ == "date":
        try:
            return date.fromisoformat(text[:10]).isoformat()
        except ValueError:
            raise ValidationError("Enter a date like 2026-03-31.") from None
    if type_ in ("dropdown", "radio"):
        match = next((o for o in element["options"] if o.lower() == text.lower()), None)
        if match is None:
            raise ValidationError("Choose one of the options shown.")
        return match
    return text


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def payload_size(answers: Mapping[str, Any]) -> int:
    """Characters of text in the answers (other values count 1: their shape is refused per
    question, and str() of a deeply nested value could itself fail)."""
    total = 0
    for value in answers.values():
        for item in value if isinstance(value, list) else [value]:
            total += len(item) if isinstance(item, str) else 1
    return total
