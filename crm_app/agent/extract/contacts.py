"""Emails and phone numbers.

Emails are validated with email-validator and lower-cased ("name at host dot com" is read
too when the message talks about email); phone numbers are found inside sentences by
phonenumbers' matcher with the agent's region (E.164 out). Values the business itself gave
(`exclude`: numbers and addresses from the agent's own messages) never count.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import phonenumbers
from email_validator import EmailNotValidError, validate_email

from crm_app.agent.base import FieldSpec
from crm_app.agent.extract.context import Span, owner_ok
from crm_app.agent.extract.dates import DATE_NUMERIC

_EMAIL = re.compile(r"(?<![\w.+-])[A-Za-z0-9][A-Za-z0-9._%+-]*@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
_EMAIL_SPOKEN = re.compile(
    r"\b([A-Za-z0-9._%+-]+)\s+(?:at|\[at\]|\(at\)|arroba)\s+([A-Za-z0-9-]+)\s+"
    r"(?:dot|\[dot\]|\(dot\)|punto|point|punkt)\s+([A-Za-z]{2,})\b",
    re.IGNORECASE,
)
_EMAIL_WORDS = re.compile(r"\b(?:e-?mail|mail|correo|courriel)\b", re.IGNORECASE)


def pick_field(candidates: list[FieldSpec], asked: list[FieldSpec], key: str) -> FieldSpec:
    for spec in asked:
        if spec in candidates:
            return spec
    for spec in candidates:
        if spec.key == key:
            return spec
    return candidates[0]


def business_values(exclude: Iterable[str], region: str) -> set[str]:
    values: set[str] = set()
    for chunk in exclude:
        if not chunk:
            continue
        for m in _EMAIL.finditer(chunk):
            values.add(m.group(0).lower().rstrip("."))
        try:
            for m in phonenumbers.PhoneNumberMatcher(chunk, region):
                values.add(
                    phonenumbers.format_number(m.number, phonenumbers.PhoneNumberFormat.E164)
                )
        except Exception:  # a malformed chunk never breaks a reply
            pass
    return values


def find_emails(text: str, business: set[str], *, asked_email: bool) -> list[tuple[str, Span]]:
    found: list[tuple[str, Span]] = []
    candidates = [(m.group(0).rstrip("."), m.start(), m.end()) for m in _EMAIL.finditer(text)]
    if asked_email or _EMAIL_WORDS.search(text):
        for m in _EMAIL_SPOKEN.finditer(text):
            candidates.append((f"{m.group(1)}@{m.group(2)}.{m.group(3)}", m.start(), m.end()))
    for raw, start, end in candidates:
        try:
            value = validate_email(raw, check_deliverability=False).normalized.lower()
        except EmailNotValidError:
            continue
        if value in business or not owner_ok(text, start, end):
            continue
        found.append((value, Span(start, end)))
    return found


def find_phones(text: str, region: str, business: set[str]) -> list[tuple[str, Span]]:
    found: list[tuple[str, Span]] = []
    try:
        matcher = phonenumbers.PhoneNumberMatcher(text, region, phonenumbers.Leniency.VALID)
        matches = list(matcher)
    except Exception:
        return found
    for m in matches:
        if DATE_NUMERIC.fullmatch(m.raw_string.strip()):
            continue
        value = phonenumbers.format_number(m.number, phonenumbers.PhoneNumberFormat.E164)
        if value in business or not owner_ok(text, m.start, m.end):
            continue
        found.append((value, Span(m.start, m.end)))
    return found
