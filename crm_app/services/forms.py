"""CRM → Forms: building, publishing, public submissions and their review.

- A form keeps the draft being edited in `Form.draft` ({"elements": [...], "settings": {...}}).
  Publishing snapshots the draft into the next FormVersion; every submission points at the
  version it answered and stores each answer with its label, so editing a form never breaks
  old submissions.
- `submit_form` is the one public submission path: the public page posts to the HTTP
  endpoint (crm_app/api/forms.py), and so does the load benchmark. It validates every
  answer against the published elements, applies the spam rules (services/spam.py) and,
  for a valid submission with an email or phone answer, matches or creates the contact
  through contacts.save_contact (`via Form`) in the same transaction. Spam is kept in a
  quarantine (status Spam) and becomes a contact only when a member releases it.
- Uploaded files are checked by content (services/files.sniff) and kept in private
  storage (settings.files_dir, random key); their metadata lives in the answer, and
  members download them through an authorized route.
"""

from __future__ import annotations

import csv
import io
import os
import re
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any, BinaryIO
from urllib.parse import urlparse

from sqlalchemy import String, and_, cast, event, func
from sqlalchemy import insert as sa_insert
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.orm import defer
from sqlmodel import Session, delete, select

from crm_app.models import (
    Activity,
    Agent,
    Contact,
    ContactField,
    Form,
    FormSubmission,
    FormVersion,
    utcnow,
)
from crm_app.services import audit, settings_cache, spam
from crm_app.services import files as file_service
from crm_app.services.access import Actor, require_agent
from crm_app.services.contacts import ACTIVITY_INSERT, Origin, agent_fields, save_contact
from crm_app.services.errors import Conflict, NotFound, RateLimited, ValidationError
from crm_app.services.export import escape_cell
from crm_app.services.timeline import fmt_time
from crm_app.services.values import format_phone, normalize_email, normalize_phone
from crm_app.settings import get_settings, private_dir, private_open

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
}
_ID = re.compile(r"^[a-z0-9_]{1,24}$")
_SLUG = re.compile(r"^[a-z0-9-]{1,80}$")
# Names the public page posts besides the answers (an element id never takes them).
HONEYPOT_NAME = "website"
TOKEN_NAME = "_token"
RESERVED_IDS = frozenset({HONEYPOT_NAME, TOKEN_NAME})


# ------------------------------------------------------------------ cleaning the draft


def new_element_id() -> str:
    return "e" + secrets.token_hex(4)


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
    element = {
        "id": new_element_id(),
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
    if type_ in CHOICE_TYPES:
        element["options"] = ["Option 1", "Option 2"]
    taken = set(taken)
    if type_ in ("email", "phone") and type_ not in taken:
        element["maps_to"] = type_
        element["required"] = type_ == "email"
    return element


def _text(value: Any, limit: int, what: str, fld: str) -> str:
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
    element = {
        "id": eid,
        "type": type_,
        "label": _text(
            raw.get("label"),
            label_limit,
            "The text" if type_ in DISPLAY_TYPES else "The label",
            f + "label",
        ),
        "placeholder": "",
        "help": "",
        "required": False,
        "min": None,
        "max": None,
        "options": [],
        "maps_to": "",
    }
    if type_ in DISPLAY_TYPES:
        return element
    element["placeholder"] = _text(
        raw.get("placeholder"), MAX_PLACEHOLDER, "The placeholder", f + "placeholder"
    )
    element["help"] = _text(raw.get("help"), MAX_HELP, "The help text", f + "help")
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
            option = _text(value, MAX_OPTION, "An option", f + "options")
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
    out["title"] = _text(raw.get("title"), 120, "The title", "title")
    out["description"] = _text(raw.get("description"), 1000, "The description", "description")
    out["submit_label"] = (
        _text(raw.get("submit_label"), 40, "The button label", "submit_label") or "Submit"
    )
    out["success_message"] = _text(
        raw.get("success_message"), 1000, "The success message", "success_message"
    )
    redirect = _text(raw.get("redirect_url"), 500, "The redirect URL", "redirect_url")
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


def mapping_choices(fields: Mapping[str, ContactField]) -> list[dict]:
    """The "maps to" choices: "Form only" then the agent's default and custom fields."""
    ordered = sorted(fields.values(), key=lambda f: (not f.is_default, f.position, f.id))
    return [{"key": f.key, "label": f.label, "type": f.type} for f in ordered]


# ------------------------------------------------------------------ forms: list and lifecycle


def _slugify(name: str) -> str:
    base = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:50].strip("-") or "form"
    return f"{base}-{secrets.token_hex(3)}"


def form_of(
    session: Session, actor: Actor, agent_id, form_id, minimum: str = "User"
) -> tuple[Agent, Form]:
    agent = require_agent(session, actor, agent_id if isinstance(agent_id, int) else None, minimum)
    form = session.get(Form, int(form_id)) if str(form_id).isdigit() else None
    if form is None or form.agent_id != agent.id:
        raise NotFound("Form not found.")
    return agent, form


def _versions(session: Session, form_id: int) -> dict[int, FormVersion]:
    return {
        v.version: v
        for v in session.exec(select(FormVersion).where(FormVersion.form_id == form_id))
    }


def latest_version(session: Session, form: Form) -> FormVersion | None:
    if not form.published_version:
        return None
    return session.exec(
        select(FormVersion).where(
            FormVersion.form_id == form.id, FormVersion.version == form.published_version
        )
    ).first()


def list_forms(session: Session, actor: Actor, agent_id, tz_name: str = "") -> list[dict]:
    agent = require_agent(session, actor, agent_id if isinstance(agent_id, int) else None)
    forms = list(
        session.exec(
            select(Form)
            .where(Form.agent_id == agent.id)
            .order_by(Form.created_at.desc(), Form.id.desc())
        )
    )
    stats = {}
    if forms:
        stats = {
            row[0]: (row[1], row[2])
            for row in session.exec(
                select(FormSubmission.form_id, func.count(), func.max(FormSubmission.created_at))
                .where(
                    FormSubmission.form_id.in_([f.id for f in forms]),
                    FormSubmission.status != "Spam",
                )
                .group_by(FormSubmission.form_id)
            )
        }
    out = []
    for form in forms:
        count, last = stats.get(form.id, (0, None))
        if last is not None and last.tzinfo is None:
            last = last.replace(tzinfo=UTC)
        out.append(
            {
                "id": str(form.id),
                "name": form.name,
                "slug": form.slug,
                "status": form.status,
                "submissions": int(count),
                "last": fmt_time(last, tz_name) if last else "—",
                "version": form.published_version or 0,
            }
        )
    return out


def create_form(session: Session, actor: Actor, agent_id, name: str) -> Form:
    agent = require_agent(session, actor, agent_id if isinstance(agent_id, int) else None, "Admin")
    name = _text(name, 120, "The form name", "name")
    if not name:
        raise ValidationError("Enter a name for the form.", field="name")
    settings = dict(DEFAULT_SETTINGS, title=name)
    form = Form(
        agent_id=agent.id,
        name=name,
        slug=_slugify(name),
        draft={"elements": [], "settings": settings},
    )
    session.add(form)
    session.flush()
    audit.record(
        session,
        actor,
        "Create",
        RESOURCE,
        f"Created form “{name}” ({form.id}) for agent {agent.id}",
    )
    return form


def rename_form(session: Session, actor: Actor, agent_id, form_id, name: str) -> Form:
    _, form = form_of(session, actor, agent_id, form_id, "Admin")
    name = _text(name, 120, "The form name", "name")
    if not name:
        raise ValidationError("Enter a name for the form.", field="name")
    if name != form.name:
        audit.record(session, actor, "Update", RESOURCE, f"Renamed form {form.id} to “{name}”")
        form.name, form.updated_at = name, utcnow()
        session.add(form)
    return form


def save_draft(session: Session, actor: Actor, agent_id, form_id, draft: Mapping[str, Any]) -> dict:
    """Replace the draft (elements and settings) after cleaning it; returns the cleaned draft."""
    agent, form = form_of(session, actor, agent_id, form_id, "Admin")
    cleaned = with_field_options(clean_draft(draft), agent_fields(session, agent.id))
    if cleaned != form.draft:
        form.draft = cleaned
        form.updated_at = utcnow()
        session.add(form)
    return cleaned


def has_unpublished_changes(session: Session, form: Form) -> bool:
    version = latest_version(session, form)
    return version is not None and version.schema_ != form.draft


def publish(session: Session, actor: Actor, agent_id, form_id) -> FormVersion:
    """Snapshot the draft as the next version; the public page shows it at once."""
    agent, form = form_of(session, actor, agent_id, form_id, "Admin")
    fields = agent_fields(session, agent.id)
    draft = with_field_options(clean_draft(form.draft), fields)
    check_publishable(draft, fields, _archived_fields(session, agent.id))
    current = latest_version(session, form)
    if current is not None and current.schema_ == draft and form.status != "Draft":
        raise Conflict("There are no changes to publish.")
    number = (
        session.exec(
            select(func.max(FormVersion.version)).where(FormVersion.form_id == form.id)
        ).one()
        or 0
    ) + 1
    version = FormVersion(form_id=form.id, version=number, schema_=draft)
    session.add(version)
    form.draft = draft
    form.published_version = number
    if form.status == "Draft":
        form.status = "Published"
    form.updated_at = utcnow()
    session.add(form)
    session.flush()
    audit.record(
        session,
        actor,
        "Update",
        RESOURCE,
        f"Published version {number} of form “{form.name}” ({form.id})",
    )
    return version


def _archived_fields(session: Session, agent_id: int) -> dict[str, ContactField]:
    rows = session.exec(
        select(ContactField).where(
            ContactField.agent_id == agent_id, ContactField.archived_at.is_not(None)
        )
    )
    return {f.key: f for f in rows}


def set_status(session: Session, actor: Actor, agent_id, form_id, status: str) -> Form:
    """Close a published form, or reopen a closed one."""
    _, form = form_of(session, actor, agent_id, form_id, "Admin")
    if status == "Closed":
        if form.status != "Published":
            raise Conflict("Only a published form can be closed.")
    elif status == "Published":
        if form.status != "Closed":
            raise Conflict("Only a closed form can be reopened.")
    else:
        raise ValidationError("Unknown status.", field="status")
    form.status = status
    form.updated_at = utcnow()
    session.add(form)
    audit.record(
        session,
        actor,
        "Update",
        RESOURCE,
        f"{'Closed' if status == 'Closed' else 'Reopened'} form “{form.name}” ({form.id})",
    )
    return form


def duplicate_form(session: Session, actor: Actor, agent_id, form_id) -> Form:
    """A new draft with a copy of the elements and settings (no submissions)."""
    agent, form = form_of(session, actor, agent_id, form_id, "Admin")
    name = f"{form.name} (copy)"[:120]
    draft = clean_draft(form.draft)
    copy = Form(agent_id=agent.id, name=name, slug=_slugify(form.name), draft=draft)
    session.add(copy)
    session.flush()
    audit.record(
        session, actor, "Create", RESOURCE, f"Duplicated form {form.id} as “{name}” ({copy.id})"
    )
    return copy


def delete_form(session: Session, actor: Actor, agent_id, form_id) -> None:
    """Delete the form, its versions and submissions (and their stored files)."""
    _, form = form_of(session, actor, agent_id, form_id, "Admin")
    keys = []
    for answers in session.exec(
        select(FormSubmission.answers).where(FormSubmission.form_id == form.id)
    ):
        keys.extend(_file_keys(answers))
    session.exec(delete(FormSubmission).where(FormSubmission.form_id == form.id))
    session.exec(delete(FormVersion).where(FormVersion.form_id == form.id))
    session.delete(form)
    if keys:
        file_service.remove_stored(session, keys)
    audit.record(session, actor, "Delete", RESOURCE, f"Deleted form “{form.name}” ({form.id})")


def builder_data(session: Session, actor: Actor, agent_id, form_id) -> dict:
    agent, form = form_of(session, actor, agent_id, form_id)
    fields = agent_fields(session, agent.id)
    draft = with_field_options(clean_draft(form.draft), fields)
    return {
        "id": str(form.id),
        "name": form.name,
        "slug": form.slug,
        "status": form.status,
        "version": form.published_version or 0,
        "draft": draft,
        "unpublished": has_unpublished_changes(session, form),
        "fields": mapping_choices(fields),
        # Still named in "Maps to" when an element maps to one (publishing then says why not).
        "archived_fields": [
            {"key": f.key, "label": f.label} for f in _archived_fields(session, agent.id).values()
        ],
        "can_edit": actor.is_admin,
        "agent_name": agent.name,
    }


def share_links(form: Form) -> dict:
    base = get_settings().base_url
    url = f"{base}/f/{form.slug}"
    embed = (
        f'<iframe src="{url}" title="{_attr(form.name)}" width="100%" height="720" '
        f'style="border:0;max-width:640px" loading="lazy"></iframe>'
    )
    return {"url": url, "embed": embed, "qr": f"/api/forms/{form.id}/qr.png"}


def _attr(text: str) -> str:
    return (
        text.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;").replace(">", "&gt;")
    )


def qr_png(session: Session, actor: Actor, form_id) -> tuple[bytes, str]:
    form = session.get(Form, int(form_id)) if str(form_id).isdigit() else None
    if form is None:
        raise NotFound("Form not found.")
    form_of(session, actor, form.agent_id, form.id)
    import qrcode
    from qrcode.image.pure import PyPNGImage

    image = qrcode.make(share_links(form)["url"], image_factory=PyPNGImage, box_size=10, border=3)
    buffer = io.BytesIO()
    image.save(buffer)
    return buffer.getvalue(), f"{form.slug}-qr.png"


# ------------------------------------------------------------------ the public side


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
    return _open_form(session, slug, lock=lock)[0]


def _open_form(
    session: Session, slug: str, *, lock: bool = False
) -> tuple[PublicForm, Form | None, Agent | None]:
    """public_form plus the Form and its Agent, read with one query (form, published version
    and agent joined; `lock` takes the form row's lock)."""
    slug = slug if isinstance(slug, str) else ""
    if not _SLUG.fullmatch(
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


def _answer_value(element: dict, raw: Any, region: str) -> Any:
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


def _payload_size(answers: Mapping[str, Any]) -> int:
    """Characters of text in the answers (other values count 1: their shape is refused per
    question, and str() of a deeply nested value could itself fail)."""
    total = 0
    for value in answers.values():
        for item in value if isinstance(value, list) else [value]:
            total += len(item) if isinstance(item, str) else 1
    return total


def _store_upload(upload: UploadedFile) -> dict:
    """Receive one upload into private storage: size limit, content sniffing, random key."""
    name = file_service.safe_filename(upload.filename)
    root = get_settings().files_dir
    incoming = root / ".incoming"
    private_dir(incoming)
    key = secrets.token_hex(16)
    temp = incoming / key
    try:
        size = 0
        with private_open(temp) as out:
            while chunk := upload.stream.read(1024 * 1024):
                size += len(chunk)
                if size > MAX_FORM_FILE_BYTES:
                    raise ValidationError(FILE_TOO_LARGE)
                out.write(chunk)
        if size == 0:
            raise ValidationError("This file is empty.")
        try:
            sniffed = file_service.sniff(temp, name)
        except ValidationError as error:
            raise ValidationError(error.message) from None
        final = file_service.storage_path(key)
        private_dir(final.parent)
        os.replace(temp, final)
    finally:
        if temp.exists():
            temp.unlink()
    return {"key": key, "name": name, "size": size, "content_type": sniffed.content_type}


def _file_keys(answers: Mapping[str, Any] | None) -> list[str]:
    return [
        a["file"]["key"]
        for a in (answers or {}).values()
        if isinstance(a, dict) and isinstance(a.get("file"), dict) and a["file"].get("key")
    ]


def _contact_data(elements: list[dict], answers: dict, fields: Mapping[str, ContactField]) -> dict:
    data: dict[str, Any] = {}
    for element in elements:
        key = element.get("maps_to")
        target = fields.get(key) if key else None
        # A field archived or changed to another type since publishing: the answer stays in
        # the submission, and the rest still makes the contact.
        if (
            target is None
            or target.type not in MAPPABLE.get(element["type"], ())
            or element["id"] not in answers
        ):
            continue
        value = answers[element["id"]]["value"]
        if value in ("", None, []) or (element["type"] == "consent" and value is False):
            continue
        if isinstance(value, list):
            value = value if target.type == "Multi-select" else ", ".join(value)
        elif isinstance(value, bool):
            value = "Yes" if value else "No"
        data[key] = value
    return data


def _to_contact(
    session: Session,
    agent: Agent,
    form: Form,
    answers: dict,
    elements: list[dict],
    fields: Mapping[str, ContactField],
) -> str | None:
    """Match or create the submission's contact (needs an email or a phone answer)."""
    data = _contact_data(elements, answers, fields)
    if not data.get("email") and not data.get("phone"):
        return None
    origin = Origin("form", f"Form “{form.name}”")
    try:
        result = save_contact(
            session, agent, data, source="Form", origin=origin, policy="fill", fields=dict(fields)
        )
    except ValidationError as error:
        by_key = {e.get("maps_to"): e["id"] for e in elements if e.get("maps_to")}
        raise SubmissionInvalid(
            {by_key.get(error.field, elements[0]["id"]): error.message}
        ) from None
    return result.contact.id


def _submission_activity(form: Form, contact_id: str, submission_id: int) -> dict:
    """The contact's timeline line for a submission (its Form tab links back to it), as values."""
    return {
        "contact_id": contact_id,
        "kind": "submission",
        "actor_type": "form",
        "actor_id": None,
        "actor_label": f"Form “{form.name}”",
        "message": f"Submitted form “{form.name}”",
        "data": {"form_id": form.id, "submission_id": submission_id},
        "created_at": utcnow(),
    }


_SUBMISSION_COLUMNS = [
    (attr.key, attr.columns[0].name)
    for attr in sa_inspect(FormSubmission).column_attrs
    if attr.key != "id"
]
_INSERT_SUBMISSION = sa_insert(FormSubmission.__table__).returning(FormSubmission.__table__.c.id)


def _insert_submission(session: Session, sub: FormSubmission) -> int:
    """INSERT … RETURNING id outside the unit of work (no ORM object); everything it
    references (form, version, contact) is already in the database."""
    row = {column: getattr(sub, key) for key, column in _SUBMISSION_COLUMNS}
    return session.connection().execute(_INSERT_SUBMISSION, row).scalar_one()


def submit_form(
    session: Session,
    slug: str,
    answers: Mapping[str, Any],
    *,
    ip: str = "",
    render_token: str | None = None,
    elapsed: float | None = None,
    honeypot: str | None = None,
    files: Mapping[str, UploadedFile] | None = None,
) -> SubmitResult:
    """The one public submission path (page and HTTP endpoint). See the module docstring.

    `elapsed` (seconds since the page rendered) may be given directly by trusted callers;
    otherwise it comes from the signed `render_token`.
    """
    target, form, agent = _open_form(session, slug)
    if target.state == "open":
        settings = target.schema.get("settings") or {}
        if settings.get("limit"):
            target, form, agent = _open_form(
                session, slug, lock=True
            )  # serialize submissions near the limit
    if target.state != "open":
        raise FormUnavailable(target.state, UNAVAILABLE[target.state])
    answers = answers if isinstance(answers, Mapping) else {}
    files = files or {}
    if _payload_size(answers) > MAX_PAYLOAD_CHARS:
        raise ValidationError(
            "Your answers are too long to send. Please shorten them.", field="form"
        )
    hits = spam.count_hit(session, ip)
    if spam.refused(hits):
        raise RateLimited("Too many submissions from your network. Please try again later.")
    elements = [e for e in target.schema.get("elements", []) if e["type"] not in DISPLAY_TYPES]

    errors: dict[str, str] = {}
    stored: dict[str, dict] = {}
    for element in elements:
        eid = element["id"]
        try:
            if element["type"] == "file":
                upload = files.get(eid)
                if upload is None or not upload.filename:
                    if element.get("required"):
                        raise ValidationError("Please attach a file.")
                    stored[eid] = {"label": element["label"], "type": "file", "value": ""}
                    continue
                continue  # stored after every other answer is valid
            value = _answer_value(element, answers.get(eid), agent.phone_region)
            stored[eid] = {"label": element["label"], "type": element["type"], "value": value}
        except ValidationError as error:
            errors[eid] = error.message
    if errors:
        raise SubmissionInvalid(errors)

    saved_keys: list[str] = []
    try:
        for element in elements:
            eid = element["id"]
            if element["type"] == "file" and eid not in stored:
                try:
                    meta = _store_upload(files[eid])
                except ValidationError as error:
                    raise SubmissionInvalid({eid: error.message}) from None
                saved_keys.append(meta["key"])
                stored[eid] = {
                    "label": element["label"],
                    "type": "file",
                    "value": meta["name"],
                    "file": meta,
                }
        ordered = {e["id"]: stored[e["id"]] for e in elements if e["id"] in stored}

        if elapsed is None:
            elapsed = spam.elapsed_since(render_token, target.slug)
        reason = spam.check(honeypot, elapsed) or spam.over_limit_reason(hits)
        if (
            not reason
            and render_token is not None
            and not spam.claim_token(session, render_token, target.slug)
        ):
            reason = spam.REPLAYED
        # The contact first, so the submission is inserted once, already linked to it.
        contact_id = (
            None
            if reason
            else _to_contact(
                session,
                agent,
                form,
                ordered,
                elements,
                settings_cache.for_agent(session, agent).fields,
            )
        )
        sub = FormSubmission(
            form_id=form.id,
            form_version_id=target.version_id,
            answers=ordered,
            contact_id=contact_id,
            status="Spam" if reason else "New",
            spam_reason=reason[:200],
            ip=(ip or "")[:64],
        )
        sub.id = _insert_submission(session, sub)
        if contact_id is not None:
            session.connection().execute(
                ACTIVITY_INSERT, _submission_activity(form, contact_id, sub.id)
            )
    except BaseException:
        if saved_keys:
            for key in saved_keys:
                try:
                    file_service.storage_path(key).unlink()
                except FileNotFoundError:
                    pass
        raise
    if saved_keys:
        _unlink_on_rollback(session, saved_keys)
    settings = target.schema.get("settings") or {}
    return SubmitResult(
        sub.id,
        sub.status,
        contact_id,
        settings.get("success_message") or DEFAULT_SETTINGS["success_message"],
        settings.get("redirect_url") or "",
    )


def _unlink_on_rollback(session: Session, keys: list[str]) -> None:
    """Stored uploads go away again if the caller's transaction is rolled back."""

    def _unlink(_session) -> None:
        for key in keys:
            try:
                file_service.storage_path(key).unlink()
            except FileNotFoundError:
                pass

    event.listen(session, "after_rollback", _unlink, once=True)


# ------------------------------------------------------------------ submissions view


@dataclass
class SubmissionQuery:
    status: str = ""  # "" (all but spam) | New | Reviewed | Spam | All
    search: str = ""
    date_from: date | None = None
    date_to: date | None = None
    page: int = 1
    page_size: int = 25


def columns_for(session: Session, form: Form) -> list[dict]:
    """One column per question of the latest version (or the draft), then older questions."""
    versions = sorted(_versions(session, form.id).values(), key=lambda v: -v.version)
    schemas = [v.schema_ for v in versions] or [form.draft]
    columns: list[dict] = []
    seen: set[str] = set()
    for schema in schemas:
        for element in schema.get("elements", []):
            if element["type"] in DISPLAY_TYPES or element["id"] in seen:
                continue
            seen.add(element["id"])
            columns.append(
                {"id": element["id"], "label": element["label"] or ELEMENT_TYPES[element["type"]]}
            )
    return columns


def _filtered(form: Form, query: SubmissionQuery):
    where = [FormSubmission.form_id == form.id]
    if query.status in ("New", "Reviewed", "Spam"):
        where.append(FormSubmission.status == query.status)
    elif query.status != "All":
        where.append(FormSubmission.status != "Spam")
    if query.search.strip():
        term = (
            query.search.strip()[:100]
            .lower()
            .replace("\\", "\\\\")
            .replace("%", "\\%")
            .replace("_", "\\_")
        )
        where.append(
            func.lower(cast(FormSubmission.answers, String)).like(f"%{term}%", escape="\\")
        )
    if query.date_from:
        where.append(
            FormSubmission.created_at >= datetime.combine(query.date_from, datetime.min.time(), UTC)
        )
    if query.date_to:
        end = datetime.combine(query.date_to, datetime.min.time(), UTC) + timedelta(days=1)
        where.append(FormSubmission.created_at < end)
    return where


def _cell(answer: Any, region: str | None = None) -> str:
    """An answer as text; with `region` (on screen) a phone answer in the display format,
    without it (the CSV file) as stored, E.164."""
    if isinstance(answer, dict):
        if (
            region is not None
            and answer.get("type") == "phone"
            and isinstance(answer.get("value"), str)
        ):
            return format_phone(answer["value"], region)
        answer = answer.get("value")
    if isinstance(answer, list):
        return ", ".join(str(v) for v in answer)
    if isinstance(answer, bool):
        return "Yes" if answer else "No"
    return "" if answer is None else str(answer)


def _contact_names(session: Session, ids: set[str]) -> dict[str, str]:
    if not ids:
        return {}
    rows = session.exec(
        select(Contact.id, Contact.name, Contact.email, Contact.phone).where(Contact.id.in_(ids))
    )
    return {r[0]: r[1] or r[2] or format_phone(r[3]) or "Contact" for r in rows}


def list_submissions(
    session: Session, actor: Actor, agent_id, form_id, query: SubmissionQuery, tz_name: str = ""
) -> dict:
    agent, form = form_of(session, actor, agent_id, form_id)
    where = _filtered(form, query)
    total = session.exec(select(func.count()).select_from(FormSubmission).where(*where)).one()
    page_size = max(1, min(query.page_size, 100))
    pages = max(1, -(-total // page_size))
    page = max(1, min(query.page, pages))
    rows = list(
        session.exec(
            select(FormSubmission)
            .where(*where)
            .order_by(FormSubmission.created_at.desc(), FormSubmission.id.desc())
            .offset((page - 1) * page_size)
            .limit(page_size)
        )
    )
    columns = columns_for(session, form)
    names = _contact_names(session, {r.contact_id for r in rows if r.contact_id})
    counts = dict(
        session.exec(
            select(FormSubmission.status, func.count())
            .where(FormSubmission.form_id == form.id)
            .group_by(FormSubmission.status)
        ).all()
    )
    items = []
    for sub in rows:
        answers = sub.answers or {}
        items.append(
            {
                "id": str(sub.id),
                "time": fmt_time(sub.created_at, tz_name),
                "status": sub.status,
                "spam_reason": sub.spam_reason,
                "contact_id": sub.contact_id or "",
                "contact": names.get(sub.contact_id, "") if sub.contact_id else "",
                "cells": [_cell(answers.get(c["id"]), agent.phone_region) for c in columns],
            }
        )
    return {
        "columns": columns,
        "items": items,
        "total": total,
        "page": page,
        "pages": pages,
        "counts": {s: int(counts.get(s, 0)) for s in SUBMISSION_STATUSES},
    }


def _submission_of(session: Session, form: Form, submission_id) -> FormSubmission:
    sub = session.get(FormSubmission, int(submission_id)) if str(submission_id).isdigit() else None
    if sub is None or sub.form_id != form.id:
        raise NotFound("Submission not found.")
    return sub


def submission_detail(
    session: Session, actor: Actor, agent_id, form_id, submission_id, tz_name: str = ""
) -> dict:
    agent, form = form_of(session, actor, agent_id, form_id)
    sub = _submission_of(session, form, submission_id)
    version = session.get(FormVersion, sub.form_version_id)
    answers = []
    for eid, answer in (sub.answers or {}).items():
        label = answer.get("label", eid) if isinstance(answer, dict) else eid
        item = {
            "id": eid,
            "label": label,
            "value": _cell(answer, agent.phone_region) or "—",
            "file_url": "",
        }
        if isinstance(answer, dict) and isinstance(answer.get("file"), dict):
            item["file_url"] = f"/api/forms/{form.id}/submissions/{sub.id}/files/{eid}"
            item["value"] = (
                f"{answer['file']['name']} ({file_service.human_size(answer['file']['size'])})"
            )
        answers.append(item)
    names = _contact_names(session, {sub.contact_id} if sub.contact_id else set())
    return {
        "id": str(sub.id),
        "time": fmt_time(sub.created_at, tz_name),
        "status": sub.status,
        "spam_reason": sub.spam_reason,
        "ip": sub.ip,
        "version": str(version.version if version else ""),
        "contact_id": sub.contact_id or "",
        "contact": names.get(sub.contact_id, ""),
        "answers": answers,
    }


def mark_reviewed(
    session: Session, actor: Actor, agent_id, form_id, submission_id
) -> FormSubmission:
    _, form = form_of(session, actor, agent_id, form_id)
    sub = _submission_of(session, form, submission_id)
    if sub.status == "Spam":
        raise Conflict("Release this submission from spam first.")
    if sub.status != "Reviewed":
        sub.status = "Reviewed"
        session.add(sub)
        audit.record(
            session,
            actor,
            "Update",
            "Form Submission",
            f"Marked submission {sub.id} of form {form.id} reviewed",
        )
    return sub


def release_from_spam(
    session: Session, actor: Actor, agent_id, form_id, submission_id
) -> FormSubmission:
    """Not spam after all: the submission becomes New and is processed into a contact."""
    agent, form = form_of(session, actor, agent_id, form_id)
    sub = _submission_of(session, form, submission_id)
    if sub.status != "Spam":
        raise Conflict("This submission is not in spam.")
    version = session.get(FormVersion, sub.form_version_id)
    elements = [
        e
        for e in (version.schema_ if version else {}).get("elements", [])
        if e["type"] not in DISPLAY_TYPES
    ]
    sub.status, sub.spam_reason = "New", ""
    session.add(sub)
    session.flush()
    try:
        sub.contact_id = _to_contact(
            session, agent, form, sub.answers, elements, agent_fields(session, agent.id)
        )
    except SubmissionInvalid as error:
        raise ValidationError(f"This submission can't become a contact: {error.message}") from None
    if sub.contact_id is not None:
        session.add(Activity(**_submission_activity(form, sub.contact_id, sub.id)))
    session.add(sub)
    audit.record(
        session,
        actor,
        "Update",
        "Form Submission",
        f"Released submission {sub.id} of form {form.id} from spam",
    )
    return sub


def export_csv(
    session: Session, actor: Actor, agent_id, form_id, query: SubmissionQuery, tz_name: str = ""
) -> tuple[str, str]:
    """(filename, CSV text) of the filtered submissions; every cell formula-escaped."""
    _, form = form_of(session, actor, agent_id, form_id, "Admin")
    columns = columns_for(session, form)
    where = _filtered(form, query)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(
        [escape_cell(h) for h in ["Submitted", "Status", "Contact", *[c["label"] for c in columns]]]
    )
    rows = list(
        session.exec(
            select(FormSubmission)
            .where(*where)
            .order_by(FormSubmission.created_at, FormSubmission.id)
        )
    )
    names = _contact_names(session, {s.contact_id for s in rows if s.contact_id})
    count = 0
    for sub in rows:
        answers = sub.answers or {}
        writer.writerow(
            [
                escape_cell(v)
                for v in [
                    sub.created_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC"),
                    sub.status,
                    names.get(sub.contact_id, "") if sub.contact_id else "",
                    *[_cell(answers.get(c["id"])) for c in columns],
                ]
            ]
        )
        count += 1
    audit.record(
        session, actor, "Read", "Form Submission", f"Exported {count} submissions of form {form.id}"
    )
    stem = re.sub(r"[^A-Za-z0-9]+", "-", form.name).strip("-").lower() or "form"
    return f"{stem}-submissions-{date.today().isoformat()}.csv", "\ufeff" + buffer.getvalue()


def file_for_download(session: Session, actor: Actor, form_id, submission_id, element_id) -> tuple:
    """(path, filename, content type) of an uploaded form file the member may read."""
    form = session.get(Form, int(form_id)) if str(form_id).isdigit() else None
    if form is None:
        raise NotFound("File not found.")
    try:
        _, form = form_of(session, actor, form.agent_id, form.id)
    except NotFound:
        raise NotFound("File not found.") from None
    sub = _submission_of(session, form, submission_id)
    answer = (sub.answers or {}).get(str(element_id))
    meta = answer.get("file") if isinstance(answer, dict) else None
    if not isinstance(meta, dict):
        raise NotFound("File not found.")
    path = file_service.storage_path(meta.get("key", ""))
    if not path.is_file():
        raise NotFound("File not found.")
    audit.record(
        session, actor, "Read", "File", f"Downloaded a file of submission {sub.id} (form {form.id})"
    )
    return path, meta.get("name", "file"), meta.get("content_type", "application/octet-stream")
