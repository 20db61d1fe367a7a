"""What the forms states share: the palette, the route helpers and the base state."""

from __future__ import annotations

import dataclasses

from crm_app.services import forms as form_service
from crm_app.state.base import AppState, route_param
from crm_app.state.dto import pick, pick_all

PALETTE = [{"type": t, "label": label} for t, label in form_service.ELEMENT_TYPES.items()]
PALETTE_ICONS = {
    "short_text": "type",
    "long_text": "align-left",
    "email": "mail",
    "phone": "phone",
    "number": "hash",
    "date": "calendar",
    "dropdown": "chevron-down",
    "radio": "circle-dot",
    "checkboxes": "square-check",
    "consent": "shield-check",
    "file": "paperclip",
    "heading": "heading",
    "paragraph": "pilcrow",
}
FORM_ONLY = "__form_only__"


def plain(value):
    """Plain dicts and lists from Reflex's mutable proxies and typed records (services check
    Mapping/list types)."""
    value = getattr(value, "__wrapped__", value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        value = {f.name: getattr(value, f.name) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    return value


def form_path(route: str, agent_id, form_id) -> str:
    return route.replace("[agent_id]", str(agent_id)).replace("[form_id]", str(form_id))


class FormsBase(AppState):
    load_error: str = ""
    loaded: bool = False
    can_edit: bool = False
    agent_name: str = ""

    def _agent_id(self) -> int | None:
        return self.route_agent_id()

    def _form_id(self) -> str:
        raw = route_param(self.router, "form_id")
        return raw if raw.isdigit() else ""


@dataclasses.dataclass
class FormElement:
    """An element of the form being built, every setting present. `min`/`max` are kept as
    typed ("" for none): the service reads the number when the draft is saved."""

    id: str = ""
    type: str = ""
    label: str = ""
    placeholder: str = ""
    help: str = ""
    required: bool = False
    min: str = ""
    max: str = ""
    options: list[str] = dataclasses.field(default_factory=list)
    maps_to: str = ""


@dataclasses.dataclass
class FieldChoice:
    """A contact field an element can fill ("Maps to"): its key, label and type."""

    key: str = ""
    label: str = ""
    type: str = ""


def form_elements(elements: list[dict]) -> list[FormElement]:
    """Typed elements from the service's dicts (a bound of None becomes "")."""
    return pick_all(FormElement, elements)


def _bound(text: str):
    if not text.strip():
        return None
    try:
        number = float(text)
    except ValueError:
        return text  # the service says what is wrong with it
    return int(number) if number.is_integer() else number


def element_dicts(elements) -> list[dict]:
    """The service's dicts from typed elements: bounds back to numbers (None for none)."""
    out = plain(list(elements))
    for element in out:
        element["min"], element["max"] = _bound(element["min"]), _bound(element["max"])
    return out


@dataclasses.dataclass
class FormRow:
    """One line of the forms list."""

    id: str = ""
    name: str = ""
    status: str = ""
    submissions: int = 0
    last: str = ""


@dataclasses.dataclass
class SubmissionColumn:
    id: str = ""
    label: str = ""


@dataclasses.dataclass
class SubmissionRow:
    """One line of the submissions table: its answers in the order of the columns."""

    id: str = ""
    time: str = ""
    status: str = ""
    cells: list[str] = dataclasses.field(default_factory=list)


@dataclasses.dataclass
class Answer:
    label: str = ""
    value: str = ""
    file_url: str = ""


@dataclasses.dataclass
class SubmissionDetail:
    """The submission open in the drawer."""

    id: str = ""
    time: str = ""
    status: str = ""
    spam_reason: str = ""
    ip: str = ""
    version: str = ""
    contact_id: str = ""
    contact: str = ""
    answers: list[Answer] = dataclasses.field(default_factory=list)


def submission_detail(data: dict) -> SubmissionDetail:
    detail = pick(SubmissionDetail, data)
    detail.answers = pick_all(Answer, data.get("answers") or [])
    return detail
