"""What the agent's last message asked for, and free-text answers to it: Text / Long text /
URL fields are filled only as the answer to the agent's last question about them.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from rapidfuzz import fuzz

from crm_app.agent.base import FieldSpec

_REFUSAL = re.compile(
    r"^\W*(?:no|nope|nah|n/?a|none|skip|pass|idk|dunno|not sure|i don't know|i dont know|"
    r"i do not know|don't know|dont know|rather not|i'd rather not|i would rather not|"
    r"prefer not|i prefer not|no idea|later|maybe later|why|what)\b",
    re.IGNORECASE,
)
_URL = re.compile(
    r"\b(?:https?://[^\s<>\"']+|www\.[^\s<>\"']+|[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\."
    r"(?:com|org|net|io|co|dev|app|de|fr|es|uk|us|eu|info|biz|me|ai)(?:/[^\s<>\"']*)?)",
    re.IGNORECASE,
)

_FIELD_SYNONYMS = {
    "email": r"e-?mail|email address|correo|courriel|mail",
    "phone": r"phone|mobile|cell|telephone|number to reach|tel[ée]fono|t[ée]l[ée]phone|"
    r"telefon|handy|whatsapp",
    "name": r"name|nombre|nom|who i'm speaking|who am i speaking",
    "gender": r"gender|g[ée]nero|genre|geschlecht",
}


def asked_fields(agent_message: str, fields: Sequence[FieldSpec]) -> list[FieldSpec]:
    """The fields the agent's message asks for, in the order its question names them.

    Only the last question (sentence ending in "?") counts, so "I've noted your phone
    number. What is your email?" asks for the email only. No question: nothing asked."""
    text = (agent_message or "").strip()
    if not text or not fields:
        return []
    sentences = [s for s in re.split(r"(?<=[.!?])\s+|\n+", text) if s.strip()]
    questions = [s for s in sentences if s.rstrip().endswith("?")]
    if not questions:
        return []
    question = questions[-1].lower()
    found: list[tuple[int, int, FieldSpec]] = []
    for order, spec in enumerate(fields):
        patterns = [re.escape(spec.label.lower())]
        if spec.key in _FIELD_SYNONYMS:
            patterns.append(_FIELD_SYNONYMS[spec.key])
        elif spec.type == "Email":
            patterns.append(_FIELD_SYNONYMS["email"])
        elif spec.type == "Phone":
            patterns.append(_FIELD_SYNONYMS["phone"])
        match = re.search(r"\b(?:" + "|".join(patterns) + r")\b", question)
        if match:
            found.append((match.start(), order, spec))
        elif spec.hint and fuzz.partial_ratio(spec.hint.lower().strip(), question) >= 90:
            found.append((0, order, spec))  # the field's own hint, asked as the question
    found.sort(key=lambda item: (item[0], item[1]))
    result: list[FieldSpec] = []
    taken: set[str] = set()
    for _, _, spec in found:
        if spec.key not in taken:
            taken.add(spec.key)
            result.append(spec)
    return result


def find_free_text(text: str, spec: FieldSpec, *, only: bool) -> str | None:
    if not only or text.endswith("?") or _REFUSAL.match(text):
        return None
    if spec.type == "URL":
        m = _URL.search(text)
        return m.group(0).rstrip(".,;") if m else None
    limit = 2000 if spec.type == "Long text" else 500
    return text[:limit].strip()
