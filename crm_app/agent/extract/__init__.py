"""Offline extraction of contact field values from one visitor message.

`extract(message, fields, region, previous_agent_message=..., now=..., exclude=...)` returns
{field key: raw value} for the given FieldSpecs only (the agent's Allow-for-AI fields):

- emails (validated with email-validator, lower-cased), phone numbers found inside sentences
  by phonenumbers' matcher with the agent's region (E.164 out);
- names from introductions ("I'm …", "my name is …", "this is …", "call me …", "me llamo",
  "je m'appelle", "ich heiße/ich bin" …) or a bare answer to "what is your name?";
- dates: candidate spans found by patterns (month names in four languages, numeric dates,
  weekdays, "tomorrow"/"mañana"/"demain"/"morgen", "in 2 weeks"), never by dateparser's
  search_dates over the whole message (too many false positives); common forms are computed
  here (fast, and in the region's day/month order), anything else parsed by dateparser;
  ISO out. A past date never fills a future-looking field; a birth date only a birth field, numbers for Number fields when the message talks about that
  field, Dropdown / Multi-select options by label (exact word match or rapidfuzz ratio >= 85
  over word windows), yes/no for Checkbox fields only when the message is about that field;
- Text / Long text / URL fields only as the answer to the agent's last question about them.

What it refuses on purpose: contact details of a third person ("my wife's number is …",
"call my brother at …"), negated or stale details ("not my number", "my old email …"), values
the business itself gave (`exclude`: numbers and addresses from the agent's own messages),
options under a negation ("I don't want braces"), and ambiguous choices (two options of one
Dropdown). Precision is preferred over recall: a wrong value in a CRM costs more than asking.
The extractor is pure: no I/O, no database; the chat service validates every value again.

The package, by responsibility: context (whose a detail is; clauses, spans), contacts (emails,
phones), names, dates, choices (numbers, options, yes/no), questions (what the agent asked,
free-text answers); `extract` here puts them together. Callers use the names exported here.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from crm_app.agent.base import FieldSpec
from crm_app.agent.extract.choices import find_checkbox, find_number, find_options
from crm_app.agent.extract.contacts import business_values, find_emails, find_phones, pick_field
from crm_app.agent.extract.context import Span, clean
from crm_app.agent.extract.dates import find_dates
from crm_app.agent.extract.names import find_name
from crm_app.agent.extract.questions import asked_fields, find_free_text

__all__ = ["asked_fields", "extract"]


def extract(
    message: str,
    fields: Sequence[FieldSpec],
    region: str = "US",
    *,
    previous_agent_message: str = "",
    now: datetime | None = None,
    exclude: Iterable[str] = (),
) -> dict[str, Any]:
    """{field key: value} understood from one visitor message, for `fields` only.

    `previous_agent_message` lets a bare answer fill the field the agent just asked for;
    `exclude` holds texts the business wrote (its own phone numbers and addresses are never
    the visitor's); `now` is "today" for relative dates."""
    text = clean(message)
    if not text or not fields:
        return {}
    region = (region or "US").upper()
    today = (now or datetime.now()).date()
    asked = asked_fields(previous_agent_message, fields)
    asked_keys = {f.key for f in asked}
    business = business_values(exclude, region)
    taken: list[Span] = []
    out: dict[str, Any] = {}

    email_fields = [f for f in fields if f.type == "Email"]
    phone_fields = [f for f in fields if f.type == "Phone"]
    emails = find_emails(text, business, asked_email=any(f.type == "Email" for f in asked))
    taken.extend(span for _, span in emails)
    if emails and email_fields:
        target = pick_field(email_fields, asked, "email")
        out[target.key] = emails[0][0]
    phones = find_phones(text, region, business)
    taken.extend(span for _, span in phones)
    if phones and phone_fields:
        target = pick_field(phone_fields, asked, "phone")
        out[target.key] = phones[0][0]

    for spec in fields:
        if spec.key in out:
            continue
        value: Any = None
        if spec.key == "name":
            value = find_name(text, taken, asked_name="name" in asked_keys)
        elif spec.type == "Date":
            continue  # below, all Date fields together
        elif spec.type == "Number":
            value = find_number(text, spec, taken, asked=spec.key in asked_keys)
        elif spec.type in ("Dropdown", "Multi-select"):
            value = find_options(text, spec, asked=spec.key in asked_keys)
        elif spec.type == "Checkbox":
            value = find_checkbox(text, spec, asked=spec.key in asked_keys)
        elif spec.type in ("Text", "Long text", "URL") and spec.key in asked_keys:
            value = find_free_text(text, spec, only=len(asked) == 1)
        if value is not None and value != []:
            out[spec.key] = value
    date_fields = [f for f in fields if f.type == "Date"]
    if date_fields:
        out.update(find_dates(text, date_fields, asked, today, region, taken))
    return out
