"""A form's definition: the element palette, limits, and cleaning of the draft the builder
saves; what a form needs before it can be published."""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any
from urllib.parse import urlparse

from crm_app.models import ContactField
from crm_app.services.errors import ValidationError

RESOURCE = "Form"
# Palette, in the order the builder shows it: type -> label.
ELEMENT_TYPES: dict[str, str] = {
    "short_text": "Short text",
    "long_text": "Long text",
    "email": "Email",
    "phone": "Phone",
    "number": "Number",
    "date": "Date",
    "dropdown": "Dropdown",
    "radio": "Multiple choice",
    "checkboxes": "Checkboxes",
    "consent": "Consent checkbox",
    "file": "File upload",
    "heading": "Heading",
    "paragraph": "Paragraph",
}
DISPLAY_TYPES = ("heading", "paragraph")
CHOICE_TYPES = ("dropdown", "radio", "checkboxes")
TEXT_TYPES = ("short_text", "long_text")
# Which contact field types an element may fill ("maps to").
MAPPABLE: dict[str, tuple[str, ...]] = {
    "short_text": ("Text", "Long text", "URL"),
    "long_text": ("Text", "Long text"),
    "email": ("Email",),
    "phone": ("Phone",),
    "number": ("Number", "Text"),
    "date": ("Date", "Text"),
    "dropdown": ("Dropdown", "Text"),
    "radio": ("Dropdown", "Text"),
    "checkboxes": ("Multi-select", "Text"),
    "consent": ("Checkbox",),
}
# Contact field types with a fixed list of options: choice elements mapped to them offer those.
OPTION_FIELD_TYPES = ("Dropdown", "Multi-select")
STATUSES = ("Draft", "Published", "Closed")
SUBMISSION_STATUSES = ("New", "Reviewed", "Spam")
MAX_ELEMENTS = 60
MAX_LABEL = 200
MAX_PARAGRAPH = 2000
MAX_HELP = 500
MAX_PLACEHOLDER = 200
MAX_OPTIONS = 100
MAX_OPTION = 200
TEXT_LIMITS = {"short_text": 500, "long_text": 5000}
MAX_PAYLOAD_CHARS = 100_000  # all answers of one submission together
MAX_FORM_FILE_BYTES = 10 * 1024 * 1024
FILE_TOO_LARGE = "This file is larger than 10 MB. Please choose a smaller file."
DEFAULT_SETTINGS = {
    "title": "",
    "description": "",
    "submit_label": "Submit",
    "success_message": "Thank you! We received your answers and will be in touch soon.",
    "redirect_url": "",
    "close_date": "",
    "limit": 0,
    # The agent asks this form's questions in chat (services/forms/chat.py).
    "ask_in_chat": False,
}
_ID = re.compile(r"^[a-z0-9_]{1,24}$")
SLUG_PATTERN = re.compile(r"^[a-z0-9-]{1,80}$")
# Names the public page posts besides the answers (an element id never takes them).
HONEYPOT_NAME = "website"
TOKEN_NAME = "_token"
RESERVED_IDS = frozenset({HONEYPOT_NAME, TOKEN_NAME})


def new_element_id() -> str:
    return "e" + secrets.token_hex(4)


def _element(eid: str, type_: str, label: str) -> dict:
    """An element with every setting at its default."""
    return {
        "id": eid,
        "type": type_,
        "label": label,
        "placeholder": "",
        "help": "",
        "required": False,
        "min": None,
        "max": None,
        "options": [],
        "maps_to": "",
    }


def new_element(
    type_: str, fields: Mapping[str, ContactField] | None = None, taken: Iterable[str] = ()
) -> dict:
    """A palette element with sensible defaults (Email/Phone map to the contact's field)."""
    if type_ not in ELEMENT_TYPES:
        raise ValidationError("Choose an element from the palette.", field="type")
    label = {
        "heading": "Section heading",
        "paragraph": "Add some text for your visitors here.",
        "consent": "I agree to be contacted about my request",
        "phone": "Mobile number",
    }.get(type_, ELEMENT_TYPES[type_])
    element = _element(new_element_id(), type_, label)
    if type_ in CHOICE_TYPES:
        element["options"] = ["Option 1", "Option 2"]
    taken = set(taken)
    if type_ in ("email", "phone") and type_ not in taken:
        element["maps_to"] = type_
        element["required"] = type_ == "email"
    return element


def clean_text(value: Any, limit: int, what: str, fld: str) -> str:
    text = str(value or "").strip()
    if len(text) > limit:
        raise ValidationError(f"{what} can be at most {limit} characters.", field=fld)
    return text


def _bound(value: Any, fld: str, integer: bool) -> float | int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        number = float(str(value).strip())
    except ValueError:
        raise ValidationError("Enter a number.", field=fld) from None
    if number != number or abs(number) > 1e12:
        raise ValidationError("Enter a finite number.", field=fld)
    if integer:
        if number < 0 or not number.is_integer():
            raise ValidationError("Enter a whole number of characters (0 or more).", field=fld)
        return int(number)
    return int(number) if number.is_integer() else number


def clean_element(raw: Mapping[str, Any]) -> dict:
    if not isinstance(raw, Mapping):
        raise ValidationError("This element is not valid.", field="elements")
    type_ = raw.get("type")
    if type_ not in ELEMENT_TYPES:
        raise ValidationError("Choose an element from the palette.", field="type")
    eid = str(raw.get("id") or "")
    if not _ID.fullmatch(eid) or eid in RESERVED_IDS:
        eid = new_element_id()
    f = f"{eid}."
    label_limit = MAX_PARAGRAPH if type_ == "paragraph" else MAX_LABEL
    what = "The text" if type_ in DISPLAY_TYPES else "The label"
    element = _element(eid, type_, clean_text(raw.get("label"), label_limit, what, f + "label"))
    if type_ in DISPLAY_TYPES:
        return element
    element["placeholder"] = clean_text(
        raw.get("placeholder"), MAX_PLACEHOLDER, "The placeholder", f + "placeholder"
    )
    element["help"] = clean_text(raw.get("help"), MAX_HELP, "The help text", f + "help")
    element["required"] = bool(raw.get("required"))
    if type_ in TEXT_TYPES or type_ == "number":
        integer = type_ in TEXT_TYPES
        low, high = (
            _bound(raw.get("min"), f + "min", integer),
            _bound(raw.get("max"), f + "max", integer),
        )
        if integer and high is not None and high > TEXT_LIMITS[type_]:
            raise ValidationError(
                f"The maximum length can be at most {TEXT_LIMITS[type_]}.", field=f + "max"
            )
        if low is not None and high is not None and low > high:
            raise ValidationError("The minimum is larger than the maximum.", field=f + "min")
        element["min"], element["max"] = low, high
    if type_ in CHOICE_TYPES:
        options: list[str] = []
        seen: set[str] = set()
        for value in raw.get("options") or []:
            option = clean_text(value, MAX_OPTION, "An option", f + "options")
            if option and option.lower() not in seen:
                seen.add(option.lower())
                options.append(option)
        if len(options) > MAX_OPTIONS:
            raise ValidationError(f"Keep it to {MAX_OPTIONS} options.", field=f + "options")
        element["options"] = options
    if type_ in MAPPABLE:
        element["maps_to"] = str(raw.get("maps_to") or "")[:60]
    return element


def clean_settings(raw: Mapping[str, Any] | None) -> dict:
    raw = raw if isinstance(raw, Mapping) else {}
    out = dict(DEFAULT_SETTINGS)
    out["title"] = clean_text(raw.get("title"), 120, "The title", "title")
    out["description"] = clean_text(raw.get("description"), 1000, "The description", "description")
    out["submit_label"] = (
        clean_text(raw.get("submit_label"), 40, "The button label", "submit_label") or "Submit"
    )
    out["success_message"] = clean_text(
        raw.get("success_message"), 1000, "The success message", "success_message"
    )
    redirect = clean_text(raw.get("redirect_url"), 500, "The redirect URL", "redirect_url")
    if redirect:
        parsed = urlparse(redirect)
        if parsed.scheme not in ("http", "https") or not parsed.hostname:
            raise ValidationError(
                "Enter a full web address starting with https:// (or http://).",
                field="redirect_url",
            )
    out["redirect_url"] = redirect
    close = str(raw.get("close_date") or "").strip()
    if close:
        try:
            close = date.fromisoformat(close[:10]).isoformat()
        except ValueError:
            raise ValidationError(
                "Enter the close date as YYYY-MM-DD.", field="close_date"
            ) from None
    out["close_date"] = close
    limit = raw.get("limit")
    if limit in (None, ""):
        out["limit"] = 0
    else:
        try:
            out["limit"] = int(str(limit).strip())
        except ValueError:
            raise ValidationError(
                "Enter a whole number (or leave it empty for no limit).", field="limit"
            ) from None
        if out["limit"] < 0 or out["limit"] > 10_000_000:
            raise ValidationError("Enter a number between 0 and 10,000,000.", field="limit")
    out["ask_in_chat"] = str(raw.get("ask_in_chat")).strip().lower() in ("true", "on", "1")
    return out


def clean_draft(draft: Mapping[str, Any] | None) -> dict:
    draft = draft if isinstance(draft, Mapping) else {}
    elements = draft.get("elements") or []
    if not isinstance(elements, list):
        raise ValidationError("The form elements are not valid.", field="elements")
    if len(elements) > MAX_ELEMENTS:
        raise ValidationError(f"A form can have at most {MAX_ELEMENTS} elements.", field="elements")
    cleaned = [clean_element(e) for e in elements]
    ids = [e["id"] for e in cleaned]
    for index, element in enumerate(cleaned):
        if ids.index(element["id"]) != index:
            element["id"] = new_element_id()
    return {"elements": cleaned, "settings": clean_settings(draft.get("settings"))}


def options_field(
    element: Mapping[str, Any], fields: Mapping[str, ContactField]
) -> ContactField | None:
    """The contact field whose options a choice element offers: the Dropdown or Multi-select
    field it maps to (None for "form only", a Text field, or a field not in `fields`)."""
    if element.get("type") not in CHOICE_TYPES or not element.get("maps_to"):
        return None
    target = fields.get(element["maps_to"])
    return target if target is not None and target.type in OPTION_FIELD_TYPES else None


def with_field_options(schema: Mapping[str, Any], fields: Mapping[str, ContactField]) -> dict:
    """`schema` (a draft or a published version) whose choice elements mapped to a Dropdown or
    Multi-select field offer that field's current options, so every answer a visitor can pick
    is one the contact field stores, and later edits of the field's options reach the form.
    A copy: the stored schema is left as it is."""
    elements = []
    for element in schema.get("elements", []):
        target = options_field(element, fields)
        if target is not None and element.get("options") != list(target.options or []):
            element = {**element, "options": list(target.options or [])}
        elements.append(element)
    return {**schema, "elements": elements}


def check_publishable(
    draft: dict,
    fields: Mapping[str, ContactField],
    archived: Mapping[str, ContactField] | None = None,
) -> None:
    """What a form needs before visitors can see it: every answer it accepts can be stored.
    `draft` has its field options applied (with_field_options); errors name the element at
    fault and say why."""
    inputs = [e for e in draft["elements"] if e["type"] not in DISPLAY_TYPES]
    if not inputs:
        raise ValidationError("Add at least one question before publishing.", field="elements")
    archived = archived or {}
    mapped: dict[str, str] = {}
    for element in draft["elements"]:
        f = element["id"] + "."
        if not element["label"]:
            what = "text" if element["type"] in DISPLAY_TYPES else "label"
            raise ValidationError(
                f"Give every {ELEMENT_TYPES[element['type']]} element a {what}.", field=f + "label"
            )
        key = element.get("maps_to")
        if key and key not in fields:
            if key in archived:
                raise ValidationError(
                    f"“{element['label']}” fills the contact field “{archived[key].label}”, which is archived. "
                    "Restore it in CRM → Settings, or choose another field.",
                    field=f + "maps_to",
                )
            raise ValidationError(
                f"“{element['label']}” maps to a contact field that no longer exists.",
                field=f + "maps_to",
            )
        if element["type"] in CHOICE_TYPES and not element["options"]:
            raise ValidationError(
                f"“{element['label']}” needs at least one option.", field=f + "options"
            )
        if key:
            target = fields[key]
            if target.type not in MAPPABLE.get(element["type"], ()):
                allowed = " or ".join(MAPPABLE.get(element["type"], ())) or "no"
                raise ValidationError(
                    f"“{element['label']}” ({ELEMENT_TYPES[element['type']]}) can't fill the {target.type} "
                    f"field “{target.label}”: map it to a {allowed} field, or “Form only”.",
                    field=f + "maps_to",
                )
            if key in mapped:
                raise ValidationError(
                    f"“{mapped[key]}” and “{element['label']}” both map to {target.label}.",
                    field=f + "maps_to",
                )
            mapped[key] = element["label"]
    if draft.get("settings", {}).get("ask_in_chat") and any(
        e["type"] == "file" for e in draft["elements"]
    ):
        raise ValidationError(
            "This form has a file upload question, so it can't be asked in chat. Remove "
            "that question or turn off “Ask in chat”.",
            field="ask_in_chat",
        )


def mapping_choices(fields: Mapping[str, ContactField]) -> list[dict]:
    """The "maps to" choices: "Form only" then the agent's default and custom fields."""
    ordered = sorted(fields.values(), key=lambda f: (not f.is_default, f.position, f.id))
    return [{"key": f.key, "label": f.label, "type": f.type} for f in ordered]
