"""Ask a form in chat: the agent walks a visitor through a published form's questions.

A form whose settings have `ask_in_chat` on is asked by its agent at the start of every new
conversation (when several are, the one published last). The walk is plain data kept on the conversation (`begin` makes it, `answer` moves
it on), so it survives between messages and processes. Each chat answer is turned into what
the public page would post (an option picked by a close label match or its number, a date
in words, a yes/no for a consent box, a number or an address inside a sentence), then
checked by the same `answer_value` as the public page, so a chat answer the page would
refuse is refused here too, with the page's message and the question asked again. The last
answer files the submission through `submit_form`, the one submission path: the contact is
matched or created, the automations run, and the submission shows in the form's
Submissions and on the contact's Form tab, linked to the conversation.

Forms with a file upload question cannot be asked in chat (the builder says so).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import phonenumbers
from rapidfuzz import fuzz, process
from rapidfuzz import utils as fuzz_utils
from sqlmodel import Session, select

from crm_app.models import Form, FormSubmission, FormVersion
from crm_app.services.errors import ValidationError
from crm_app.services.forms.answers import answer_value
from crm_app.services.forms.public import SubmitResult, open_form
from crm_app.services.forms.schema import DISPLAY_TYPES

SETTING = "ask_in_chat"
NOT_IN_CHAT = "file"  # element types a chat cannot collect
SKIP_WORDS = frozenset({"skip", "pass", "none", "no answer", "n/a", "na", "-", "nothing"})
STOP_WORDS = frozenset({"stop", "cancel", "quit", "never mind", "nevermind", "stop the form"})
YES_WORDS = frozenset(
    {"yes", "y", "yeah", "yep", "sure", "ok", "okay", "i agree", "agree", "si", "sí", "oui", "ja"}
)
NO_WORDS = frozenset({"no", "n", "nope", "no thanks", "i don't", "i do not", "non", "nein"})
_EMAIL = re.compile(r"[^\s<>()\[\],;:\"']+@[^\s<>()\[\],;:\"']+\.[A-Za-z]{2,}")
_NUMBER = re.compile(r"-?\d[\d,]*(?:\.\d+)?")
_SPLIT = re.compile(r"\s*(?:,|;|/|\band\b|\by\b|\bet\b|\bund\b|&)\s*", re.IGNORECASE)
OPTION_SCORE = 80


@dataclass(frozen=True)
class Step:
    """The walk after one visitor message: what the agent says, and whether it is over."""

    walk: dict
    reply: str
    finished: bool = False  # all questions answered: file the submission
    stopped: bool = False  # the visitor asked to stop


def questions(schema: Mapping[str, Any]) -> list[dict]:
    return [
        e
        for e in schema.get("elements", [])
        if e["type"] not in DISPLAY_TYPES and e["type"] != NOT_IN_CHAT
    ]


def chat_form(session: Session, agent_id: int) -> Form | None:
    """The agent's published form that is asked in chat, if any (the newest published)."""
    rows = session.exec(
        select(Form, FormVersion)
        .join(
            FormVersion,
            (FormVersion.form_id == Form.id) & (FormVersion.version == Form.published_version),
        )
        .where(Form.agent_id == agent_id, Form.status == "Published")
        .order_by(FormVersion.created_at.desc(), Form.id.desc())
    ).all()
    for form, version in rows:
        if (version.schema_.get("settings") or {}).get(SETTING):
            return form
    return None


def ask(element: Mapping[str, Any], position: int, total: int) -> str:
    """The question as the agent asks it."""
    parts = [f"({position}/{total}) {element['label']}"]
    if element.get("help"):
        parts.append(str(element["help"]))
    options = element.get("options") or []
    if element["type"] in ("dropdown", "radio"):
        parts.append("Options: " + "; ".join(f"{i}. {o}" for i, o in enumerate(options, 1)))
    elif element["type"] == "checkboxes":
        parts.append(
            "Choose any of: "
            + "; ".join(f"{i}. {o}" for i, o in enumerate(options, 1))
            + " (separate several with commas)"
        )
    elif element["type"] == "consent":
        parts.append("Please answer yes or no.")
    elif element["type"] == "date":
        parts.append("Any date format works, e.g. 31 March 2026.")
    if not element.get("required"):
        parts.append("(Optional: type “skip” to leave it out.)")
    return "\n".join(parts)


def begin(form: Form, schema: Mapping[str, Any]) -> Step:
    elements = questions(schema)
    walk = {"form_id": form.id, "slug": form.slug, "index": 0, "answers": {}, "state": "asking"}
    title = (schema.get("settings") or {}).get("title") or form.name
    intro = (
        f"Before we start, I have {len(elements)} quick question"
        f"{'s' if len(elements) != 1 else ''} from “{title}”. "
        "You can type “stop” at any time."
    )
    return Step(walk, intro + "\n\n" + ask(elements[0], 1, len(elements)))


def _option(options: list[str], text: str) -> str | None:
    text = text.strip().rstrip(".!")
    if text.isdigit() and 1 <= int(text) <= len(options):
        return options[int(text) - 1]
    for option in options:
        if option.lower() == text.lower():
            return option
    best = process.extractOne(
        text, options, scorer=fuzz.WRatio, processor=fuzz_utils.default_process
    )
    return best[0] if best and best[1] >= OPTION_SCORE else None


def _date(text: str, now: datetime | None) -> str:
    import dateparser  # loaded on the first date answer, not at start-up

    found = dateparser.parse(
        text,
        settings={
            "PREFER_DATES_FROM": "future",
            "RELATIVE_BASE": (now or datetime.now()).replace(tzinfo=None),
            "DATE_ORDER": "DMY",
        },
    )
    return found.date().isoformat() if found else text


def to_raw(element: Mapping[str, Any], text: str, region: str, now: datetime | None) -> Any:
    """What the public page would have posted for this chat answer (not yet validated)."""
    type_ = element["type"]
    text = text.strip()
    words = text.lower().strip(" .!")
    if words in SKIP_WORDS:
        return [] if type_ == "checkboxes" else ""
    options = list(element.get("options") or [])
    if type_ in ("dropdown", "radio"):
        return _option(options, text) or text
    if type_ == "checkboxes":
        return [_option(options, part) or part for part in _SPLIT.split(text) if part.strip()]
    if type_ == "consent":
        if words in YES_WORDS or words.startswith(("yes", "i agree", "sure")):
            return True
        if words in NO_WORDS or words.startswith("no"):
            return False
        return text
    if type_ == "date":
        return _date(text, now)
    if type_ == "number":
        found = _NUMBER.search(text)
        return found.group(0) if found else text
    if type_ == "email":
        found = _EMAIL.search(text)
        return found.group(0).rstrip(".") if found else text
    if type_ == "phone":
        for match in phonenumbers.PhoneNumberMatcher(text, region or "US"):
            return match.raw_string
        return text
    return text


def answer(
    walk: Mapping[str, Any],
    schema: Mapping[str, Any],
    text: str,
    region: str,
    now: datetime | None = None,
) -> Step:
    """Take the visitor's answer to the current question; re-ask with the page's message if
    it is not valid, ask the next one, or finish."""
    elements = questions(schema)
    walk = {**walk, "answers": dict(walk.get("answers") or {})}
    if text.strip().lower().strip(" .!") in STOP_WORDS:
        return Step(
            {**walk, "state": "stopped"}, "No problem, I've stopped the form.", stopped=True
        )
    index = int(walk.get("index") or 0)
    element = elements[index]
    try:
        value = answer_value(element, to_raw(element, text, region, now), region)
    except ValidationError as error:
        return Step(walk, f"{error.message}\n\n" + ask(element, index + 1, len(elements)))
    walk["answers"][element["id"]] = value
    index += 1
    walk["index"] = index
    if index < len(elements):
        return Step(walk, "Thanks! " + ask(elements[index], index + 1, len(elements)))
    return Step({**walk, "state": "done"}, "", finished=True)


def file_submission(
    session: Session, walk: Mapping[str, Any], *, conversation_id: int | None, ip: str = ""
) -> SubmitResult:
    """Submit the walk's answers through the public submission path, linked to the chat.

    A chat is not a bot that filled a page in a second: the page's timing check does not
    apply (elapsed is given), the per-network limits do."""
    result = _submit(session, walk, ip)
    session.get(FormSubmission, result.submission_id).conversation_id = conversation_id
    return result


def _submit(session: Session, walk: Mapping[str, Any], ip: str) -> SubmitResult:
    from crm_app.services.forms.submit import submit_form

    return submit_form(session, walk["slug"], walk.get("answers") or {}, ip=ip, elapsed=3600.0)


def form_schema(session: Session, walk: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """The published schema the walk asks (None once the form closed or was unpublished)."""
    target, _form, _agent = open_form(session, walk["slug"])
    return target.schema if target.state == "open" else None
