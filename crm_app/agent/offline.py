"""The offline reply engine: the embedded default, no network, deterministic.

For the newest visitor message it yields one `Capture` (when `extract` understood anything)
and then the reply as word-sized `TextDelta`s so the UI streams it like a provider's. The reply:

1. thanks the visitor and says what was noted ("Thanks, Maria — I've noted your phone
   number."), or "Nice to meet you, Maria!" when only the name was given;
2. answers from the team's revised answers (History → Revise Answer) when the message is
   close enough to a revised question (rapidfuzz on normalized text, >= 80, per sentence too);
   a revised answer wins over everything below;
3. otherwise greets back, says "you're welcome", or gives a helpful fallback naming the agent;
4. asks for the next missing *required* Allow-for-AI field, one at a time, with the field's AI
   hint (a hint written as a question is used as the question); then, while neither an email
   nor a mobile number is known, for either (without one the chat cannot become a contact).
   A field the agent asked for last turn and did not get is not asked again straight away
   (no nagging).

The welcome message is stored by the chat service when a conversation starts: not here.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from rapidfuzz import fuzz

from crm_app.agent.base import Capture, Chunk, FieldSpec, Revision, TextDelta, Turn
from crm_app.agent.extract import asked_fields, extract

REVISION_THRESHOLD = 80
_GREETING = re.compile(
    r"^\W*(?:hi|hii+|hello|hey|hiya|good (?:morning|afternoon|evening)|hola|buenas|buenos d[íi]as|"
    r"bonjour|salut|hallo|guten (?:tag|morgen|abend)|servus|moin)(?: there| all)?\W*$",
    re.IGNORECASE,
)
_THANKS = re.compile(
    r"^\W*(?:thanks|thank you|thx|ty|cheers|great,? thanks|ok,? thanks|gracias|merci|danke)"
    r"(?: (?:so much|a lot|very much|beaucoup|sch[öo]n|vielmals))?\W*$",
    re.IGNORECASE,
)


class OfflineEngine:
    name = "offline"

    def reply(self, turn: Turn) -> Iterator[Chunk]:
        values, text = respond(turn)
        if values:
            yield Capture(values=values)
        for piece in stream_pieces(text):
            yield TextDelta(piece)


def respond(turn: Turn) -> tuple[dict[str, Any], str]:
    """(captured values, reply text) for the newest visitor message of `turn`."""
    message = turn.history[-1].content if turn.history else ""
    previous = _previous_agent_message(turn)
    own_words = [turn.welcome_message] + [
        m.content for m in turn.history[:-1] if m.role in ("agent", "member")
    ]
    values = extract(
        message,
        turn.fields,
        turn.phone_region,
        previous_agent_message=previous,
        now=turn.now,
        exclude=own_words,
    )
    known = {**{k: v for k, v in turn.known.items() if _filled(v)}, **values}
    parts: list[str] = []
    name = str(known.get("name") or "").split()
    first_name = name[0] if name else ""
    if values:
        parts.append(_acknowledge(values, turn.fields, first_name))
    answer = best_revision(message, turn.revisions)
    if answer is not None:
        parts.append(answer)
    elif not values:
        if _GREETING.match(message):
            parts.append(
                f"Hello{', ' + first_name if first_name else ''}! How can I help you today?"
            )
        elif _THANKS.match(message):
            parts.append("You're welcome! Is there anything else I can help you with?")
        elif message.strip():
            parts.append(
                f"Thanks for your message! I'm {turn.agent_name or 'the virtual assistant'}. "
                "I can't answer that myself, but the team can see this conversation and will "
                "follow up with you."
            )
    question = next_question(turn.fields, known, previous)
    if question:
        parts.append(question)
    elif values and answer is None:
        parts.append("Is there anything else I can help you with?")
    if not parts:
        parts.append("How can I help you today?")
    return values, " ".join(parts)


def stream_pieces(text: str) -> list[str]:
    """The reply cut word by word (each piece keeps its trailing space): joined = text."""
    return re.findall(r"\s*\S+\s*", text) or ([text] if text else [])


def best_revision(message: str, revisions: tuple[Revision, ...]) -> str | None:
    """The revised answer whose question is closest to the message (or one of its
    sentences), when the similarity reaches REVISION_THRESHOLD."""
    if not revisions or not message.strip():
        return None
    whole = _normalize(message)
    candidates = {whole} | {
        _normalize(s) for s in re.split(r"(?<=[.!?])\s+|\n+", message) if len(s.split()) >= 2
    }
    candidates.discard("")
    best_score, best_answer = 0.0, None
    for revision in revisions:
        question = _normalize(revision.question)
        if not question or not revision.answer.strip():
            continue
        for candidate in candidates:
            score = max(fuzz.ratio(question, candidate), fuzz.token_sort_ratio(question, candidate))
            if score > best_score:
                best_score, best_answer = score, revision.answer.strip()
    return best_answer if best_score >= REVISION_THRESHOLD else None


def next_question(
    fields: tuple[FieldSpec, ...], known: Mapping[str, Any], previous_agent_message: str
) -> str | None:
    """The question for the next missing required field; the one just asked (and still not
    answered) is skipped this turn."""
    just_asked = {f.key for f in asked_fields(previous_agent_message, fields)}
    for spec in fields:
        if spec.required and not _filled(known.get(spec.key)) and spec.key not in just_asked:
            return question_for(spec)
    # The team can only follow up (and the chat only becomes a contact) with an email or a
    # mobile number: ask for either while neither is known.
    reach = [f for f in fields if f.key in ("email", "phone")]
    unknown = not any(_filled(known.get(f.key)) for f in reach)
    if reach and unknown and not just_asked & {f.key for f in reach}:
        return (
            "So the team can get back to you, could you share your "
            f"{_or_list([_lower(f.label) for f in reach])}?"
        )
    return None


def question_for(spec: FieldSpec) -> str:
    hint = spec.hint.strip()
    if hint.endswith("?"):
        return hint
    label = _label(spec)
    options = ""
    if spec.key == "email" or (spec.type == "Email" and not hint):
        base = f"Could you share your {label} so the team can reach you?"
    elif spec.key == "phone" or (spec.type == "Phone" and not hint):
        base = f"What's the best {label} to reach you on?"
    elif spec.key == "name":
        base = f"May I have your {label}?"
    elif spec.type == "Dropdown" and spec.options:
        base = f"Which {label} would you like?"
        options = f" The options are {_or_list(spec.options, 'and')}."
    elif spec.type == "Multi-select" and spec.options:
        base = f"Which {label} apply to you?"
        options = f" You can pick several: {_or_list(spec.options, 'and')}."
    elif spec.type == "Checkbox":
        base = f"Shall I note yes or no for {spec.label}?"
    elif spec.type == "Date":
        base = f"Which {label} should I note?"
    else:
        base = f"Could you tell me your {label}?"
    if hint:
        hint_text = hint[0].lower() + hint[1:] if hint[1:2].islower() else hint
        base = base[:-1] + f" ({hint_text.rstrip('.')})?"
    return base + options


def _acknowledge(values: Mapping[str, Any], fields: tuple[FieldSpec, ...], first: str) -> str:
    labels = [_label(f) for f in fields if f.key in values]
    if list(values) == ["name"] and first:
        return f"Nice to meet you, {first}!"
    noted = _or_list([lbl for lbl in labels if lbl != "name" or not first], "and")
    who = f"Thanks, {first}" if first else "Thanks"
    if not noted:
        return f"{who}!"
    return f"{who} — I've noted your {noted}."


def _label(spec: FieldSpec) -> str:
    if spec.key == "email":
        return "email address"
    if spec.key == "phone":
        return spec.label.lower() if spec.label.lower() != "phone" else "phone number"
    if spec.type == "Checkbox":
        return f"{_lower(spec.label)} preference"
    return _lower(spec.label)


def _lower(label: str) -> str:
    # "Preferred date" -> "preferred date"; acronyms and proper nouns ("VAT ID") stay.
    return " ".join(w if w[1:2].isupper() else w.lower() for w in label.split())


def _or_list(items, word: str = "or") -> str:
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + f" {word} " + items[-1]


def _normalize(text: str) -> str:
    text = re.sub(r"[^\w\s]", " ", text.lower())
    return re.sub(r"\s+", " ", text).strip()


def _filled(value: Any) -> bool:
    return value not in (None, "", [], ())


def _previous_agent_message(turn: Turn) -> str:
    for message in reversed(turn.history[:-1]):
        if message.role in ("agent", "member"):
            return message.content
        if message.role == "visitor":
            continue
    return turn.welcome_message if len(turn.history) <= 1 else ""
