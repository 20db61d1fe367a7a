"""Cleaning one CSV row like contacts.clean_input, keeping every cell's error."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from sqlmodel import Session

from crm_app.models import Agent, ContactField
from crm_app.services.contact_input import agent_fields
from crm_app.services.errors import ValidationError
from crm_app.services.export import unescape_cell
from crm_app.services.merge import CleanInput
from crm_app.services.values import coerce_value, normalize_email, normalize_gender, normalize_phone

_LOCAL_PART = re.compile(r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$")


@lru_cache(maxsize=8192)
def _email_domain(domain: str) -> str | None:
    try:
        return normalize_email("x@" + domain).partition("@")[2]
    except ValidationError:
        return None


def fast_email(raw: str) -> str | None:
    """normalize_email's result, with each domain validated once per process."""
    value = (raw or "").strip()
    if not value:
        return None
    local, sep, domain = value.rpartition("@")
    if sep and len(local) <= 64 and len(value) <= 254 and _LOCAL_PART.match(local):
        normalized = _email_domain(domain)
        if normalized is not None:
            return (local + "@" + normalized).lower()
    return normalize_email(value)


MEMO_LIMIT = 100_000  # distinct raw values remembered per column and run (phones, dates, options…)
_UNCACHED_TYPES = ("Multi-select",)  # results holding a list are recomputed, never shared


@dataclass
class Plan:
    """A validated mapping ready for rows: (cell index, key) pairs and the agent's fields.

    Cleaning a value is a pure function of the raw text (and the field / region), so each
    distinct raw value is validated once per run: phone parsing and date/number/option
    checks then cost a dict lookup for values seen before (memo, bounded by MEMO_LIMIT)."""

    agent_id: int
    region: str
    columns: list[tuple[int, str, str]]  # cell index, target key, header
    fields: dict[str, ContactField]
    labels: dict[str, str]
    memo: dict[str, dict[str, tuple]] = field(default_factory=dict)
    specs: dict[str, tuple | None] = field(default_factory=dict)

    @classmethod
    def build(
        cls, session: Session, agent: Agent, headers: list[str], mapping: Mapping[str, str]
    ) -> Plan:
        fields = agent_fields(session, agent.id)
        columns = [(i, mapping[h], h) for i, h in enumerate(headers) if mapping.get(h)]
        return cls(
            agent.id, agent.phone_region, columns, fields, {k: f.label for k, f in fields.items()}
        )

    def spec(self, key: str) -> tuple | None:
        """(field id, type, options) of a custom field key, read off the ORM object once."""
        if key not in self.specs:
            f = self.fields.get(key)
            self.specs[key] = (
                None if f is None or f.is_default else (f.id, f.type, list(f.options or []))
            )
        return self.specs[key]


def _memo(plan: Plan, key: str, raw: str, compute: Callable[[], Any], cache: bool = True):
    """compute()'s value for this column and raw text, or its ValidationError, from the memo."""
    seen = plan.memo.setdefault(key, {})
    hit = seen.get(raw)
    if hit is None:
        try:
            hit = (compute(), None)
        except ValidationError as exc:
            hit = (None, exc.message)
        if cache and len(seen) < MEMO_LIMIT:
            seen[raw] = hit
    if hit[1] is not None:
        raise ValidationError(hit[1], field=key)
    return hit[0]


def clean_row(plan: Plan, cells: list[str]) -> tuple[CleanInput | None, list[tuple[str, str, str]]]:
    """contacts.clean_input for one CSV row; returns (clean, []) or (None, [(header, value, reason)])."""
    defaults: dict[str, Any] = {}
    custom: dict[int, tuple] = {}
    external_ref = None
    first = last = None
    errors: list[tuple[str, str, str]] = []
    region = plan.region
    for index, key, header in plan.columns:
        raw = cells[index] if index < len(cells) else ""
        if raw[:1] == "'":  # a cell our export (or the error report) escaped: its value
            raw = unescape_cell(raw)
        try:
            if key == "email":
                defaults["email"] = fast_email(raw)
            elif key == "phone":
                defaults["phone"] = (
                    _memo(plan, key, raw, lambda: normalize_phone(raw, region))  # noqa: B023
                    if raw
                    else None
                )
            elif key == "name":
                name = " ".join(raw.split())
                if len(name) > 200:
                    raise ValidationError("Name is at most 200 characters.", field=key)
                defaults["name"] = name
            elif key == "first_name":
                first = " ".join(raw.split())
            elif key == "last_name":
                last = " ".join(raw.split())
            elif key == "gender":
                defaults["gender"] = _memo(plan, key, raw, lambda: normalize_gender(raw))  # noqa: B023 (called at once)
            elif key == "external_ref":
                external_ref = raw.strip() or None
                if external_ref and len(external_ref) > 100:
                    raise ValidationError(
                        "External reference is at most 100 characters.", field=key
                    )
            else:
                spec = plan.spec(key)
                if spec is None:
                    raise ValidationError(f"Unknown field '{key}'.", field=key)
                field_id, field_type, options = spec
                custom[field_id] = _memo(
                    plan,
                    key,
                    raw,
                    lambda: coerce_value(field_type, raw, options, region, field=key),  # noqa: B023
                    cache=field_type not in _UNCACHED_TYPES,
                )
        except ValidationError as exc:
            errors.append((header, raw, exc.message))
    if first is not None or last is not None:
        joined = " ".join(p for p in (first, last) if p)
        if not defaults.get("name"):
            if len(joined) > 200:
                errors.append(("Name", joined, "Name is at most 200 characters."))
            defaults["name"] = joined
    if errors:
        return None, errors
    if not defaults.get("email") and not defaults.get("phone") and not external_ref:
        return None, [("", "", "A contact needs at least an email or a mobile number.")]
    return CleanInput(defaults, custom, external_ref, plan.labels), []
