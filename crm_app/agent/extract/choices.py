"""Numbers, Dropdown / Multi-select options and yes/no answers.

Numbers fill Number fields when the message talks about that field (or answers the agent's
question about it); options match by label (exact word match or rapidfuzz ratio >= 85 over
word windows), never under a negation ("I don't want braces") and never two options of one
Dropdown (ambiguous); yes/no fills a Checkbox field only when the message is about it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from rapidfuzz import fuzz, process

from crm_app.agent.base import FieldSpec
from crm_app.agent.extract.context import (
    NEGATED_BEFORE,
    THIRD_PERSON,
    Span,
    clause_bounds,
    overlaps,
    word_spans,
)
from crm_app.agent.extract.dates import DATE_NAMED

FUZZY_THRESHOLD = 85


_NUMBER = re.compile(
    r"(?<![\w.,/:+-])(?P<cur>[$€£])?\s?(?P<num>\d{1,3}(?:[,.]\d{3})+|\d+(?:[.,]\d+)?)"
    r"(?:\s?(?P<k>k|K|thousand|mil|mille|tausend)\b)?"
    r"(?:\s?(?P<cur2>\$|€|£|euros?|dollars?|usd|eur|gbp|pounds?|bucks)\b)?(?![\w/:%])",
    re.IGNORECASE,
)
_TIME_AFTER = re.compile(r"^\s?(?:am|pm|a\.m|p\.m|h\b|uhr|o'clock|hours?|hrs?|minutes?|min|%)")
_NUMBER_SYNONYMS = {
    "budget": "budget spend spending afford price cost pay paying presupuesto gastar pagar "
    "dépenser payer ausgeben zahlen max maximum up to",
    "age": "age aged old years edad años âge ans alter jahre",
    "people": "people persons guests party personas personnes personen",
}
_MONEY_WORDS = re.compile(
    r"\b(?:budget|price|cost|spend|amount|fee|salary|income|revenue|presupuesto|prix|preis)\b",
    re.IGNORECASE,
)

_GENDER_SYNONYMS = {
    "Female": ("female", "woman", "lady", "girl", "mujer", "femme", "weiblich", "f"),
    "Male": ("male", "man", "guy", "hombre", "homme", "männlich", "mannlich", "m"),
    "Non-binary": ("non-binary", "nonbinary", "non binary", "enby", "nb", "no binario"),
    "Prefer not to say": ("prefer not to say", "rather not say", "prefer not to answer"),
}
_GENDER_CONTEXT = re.compile(
    r"\b(?:i'm|i’m|im|i am|i identify|gender|sex|soy|je suis|ich bin|identify as)\b",
    re.IGNORECASE,
)
_OPTION_NEGATION = re.compile(
    r"\b(?:not|don't|dont|doesn't|no|without|never|nor|instead of|rather than|sin|pas|"
    r"nicht|kein|keine|ni|had|used to have|already have|already had)\b(?:\s+\w+){0,3}\s*$",
    re.IGNORECASE,
)
_GENERIC_OPTION_WORDS = frozenset(
    "appointment appointments plan plans care service services option options other "
    "general check checkup consultation treatment".split()
)

_YES = re.compile(
    r"\b(?:yes|yeah|yep|yup|ya|sure|ok|okay|of course|please do|sign me up|subscribe|"
    r"add me|i'd like|i would like|i want|i'd love|i would love|love to|count me in|"
    r"absolutely|definitely|"
    r"s[íi]|claro|vale|oui|volontiers|bien s[ûu]r|ja|gerne|klar|natürlich)\b",
    re.IGNORECASE,
)
_NO = re.compile(
    r"\b(?:no|nope|nah|not|don't|dont|do not|never|unsubscribe|no thanks|no thank you|"
    r"rather not|non|nein|ne|pas|nicht|kein)\b",
    re.IGNORECASE,
)


_STOP_LABEL_WORDS = frozenset(
    "the a an your you of for to and or in on at is are do does what which how would like "
    "please patient's patient customer's client's contact's person's their his her its "
    "who why when where in own words want wants see".split()
)


def _field_terms(spec: FieldSpec) -> set[str]:
    terms = {
        w
        for w in re.findall(r"[a-zà-ÿ]+", f"{spec.label} {spec.hint}".lower())
        if len(w) > 2 and w not in _STOP_LABEL_WORDS
    }
    for key, synonyms in _NUMBER_SYNONYMS.items():
        if key in terms or key in spec.key.lower():
            terms.update(synonyms.split())
    return terms


def _mentions(text: str, terms: set[str]) -> list[tuple[int, int]]:
    spans = []
    for word, start, end in word_spans(text):
        if word in terms:
            spans.append((start, end))
        elif len(word) >= 6:
            for term in terms:
                if len(term) >= 6 and fuzz.ratio(word, term) >= FUZZY_THRESHOLD:
                    spans.append((start, end))
                    break
    for term in terms:
        if " " in term:
            for m in re.finditer(re.escape(term), text, re.IGNORECASE):
                spans.append((m.start(), m.end()))
    return spans


def _to_number(m: re.Match) -> float | int | None:
    raw = m.group("num")
    if re.fullmatch(r"\d{1,3}(?:[,.]\d{3})+", raw):
        value = float(re.sub(r"[,.]", "", raw))
    else:
        value = float(raw.replace(",", "."))
    if m.group("k"):
        value *= 1000
    return int(value) if value.is_integer() else value


def find_number(
    text: str, spec: FieldSpec, taken: list[Span], *, asked: bool
) -> float | int | None:
    terms = _field_terms(spec)
    mentions = _mentions(text, terms)
    money_field = bool(_MONEY_WORDS.search(f"{spec.label} {spec.hint}"))
    candidates = []
    for m in _NUMBER.finditer(text):
        if overlaps(m.start(), m.end(), taken) or _TIME_AFTER.match(text[m.end() :]):
            continue
        if DATE_NAMED.search(text[max(0, m.start() - 12) : m.end() + 12]):
            continue  # the day of "3 March"
        candidates.append(m)
    if not candidates:
        return None
    for m in candidates:
        left, right = clause_bounds(text, m.start(), m.end())
        near = any(
            left <= s < right and (m.start() - s < 60) and (s - m.end() < 30) for s, _ in mentions
        )
        money = bool(m.group("cur") or m.group("cur2"))
        clause = text[left:right]
        if re.search(r"\b(?:paid|spent|last time|was|were|cost me|charged)\b", clause, re.I):
            continue  # what the visitor paid before is not their budget
        if near or (money and money_field):
            if NEGATED_BEFORE.search(text[left : m.start()]) and not money:
                continue
            return _to_number(m)
    if asked and len(candidates) == 1:
        return _to_number(candidates[0])
    return None


def find_options(text: str, spec: FieldSpec, *, asked: bool) -> list[str] | str | None:
    low = text.lower()
    words = word_spans(text)
    is_gender = spec.key == "gender"
    hits: list[tuple[int, str]] = []
    for option in spec.options:
        forms = [option.lower()]
        if is_gender:
            forms += [s for s in _GENDER_SYNONYMS.get(option, ()) if len(s) > 1 or asked]
        position = _option_position(low, words, forms, spec.options)
        if position is None:
            continue
        left, _ = clause_bounds(text, position, position + 1)
        if _OPTION_NEGATION.search(text[left:position]):
            continue
        if is_gender and not asked:
            before = text[left:position]
            _, right = clause_bounds(text, position, position + 1)
            alone = (
                re.fullmatch(r"\W*[\w -]+\W*", text[left:right])
                and len(text[left:right].split()) <= 2
            )
            if THIRD_PERSON.search(before) or not (_GENDER_CONTEXT.search(before) or alone):
                continue
        hits.append((position, option))
    if not hits:
        return None
    hits.sort()
    chosen = list(dict.fromkeys(option for _, option in hits))
    if spec.type == "Multi-select":
        return chosen
    if len(chosen) > 1:
        return None  # "braces or implants?": ambiguous
    return chosen[0]


def _option_position(
    low: str, words: list[tuple[str, int, int]], forms: list[str], options: Sequence[str]
) -> int | None:
    for form in forms:
        m = re.search(r"(?<![\w-])" + re.escape(form) + r"(?![\w-])", low)
        if m:
            return m.start()
    windows = _windows(low)
    for form in forms:
        n = len(form.split())
        if len(form) < 5:
            continue
        for size in sorted({max(1, n - 1), n, n + 1}):
            chunks, starts = windows.get(size, ((), ()))
            best = process.extractOne(form, chunks, scorer=fuzz.ratio, score_cutoff=FUZZY_THRESHOLD)
            if best is not None:
                return starts[best[2]]
    # A multi-word option named by its one distinctive word ("a cleaning" -> Teeth cleaning).
    long_words, long_starts = windows.get(0, ((), ()))
    for form in forms:
        tokens = form.split()
        if len(tokens) < 2:
            continue
        others = {t for o in options if o.lower() != form for t in o.lower().split()}
        for token in tokens:
            if len(token) < 6 or token in _GENERIC_OPTION_WORDS or token in others:
                continue
            best = process.extractOne(token, long_words, scorer=fuzz.ratio, score_cutoff=90)
            if best is not None:
                return long_starts[best[2]]
    return None


@lru_cache(maxsize=64)
def _windows(low: str) -> dict[int, tuple[tuple[str, ...], tuple[int, ...]]]:
    """Word windows of 1-5 words of one message (for fuzzy option matching), and under key
    0 the words of 6+ letters."""
    words = word_spans(low)
    out: dict[int, tuple[tuple[str, ...], tuple[int, ...]]] = {}
    for size in range(1, 6):
        spans = [words[i : i + size] for i in range(0, len(words) - size + 1)]
        out[size] = (
            tuple(" ".join(w for w, _, _ in s) for s in spans),
            tuple(s[0][1] for s in spans),
        )
    long = [(w, start) for w, start, _ in words if len(w) >= 6]
    out[0] = (tuple(w for w, _ in long), tuple(start for _, start in long))
    return out


def find_checkbox(text: str, spec: FieldSpec, *, asked: bool) -> bool | None:
    terms = _field_terms(spec)
    mentions = _mentions(text, terms)
    if mentions:
        start = mentions[0][0]
        left, right = clause_bounds(text, start, start + 1)
        clause = text[left:right]
        if _NO.search(clause):
            return False
        if _YES.search(clause) or re.search(
            r"\b(?:send me|sign up|join|receive|get)\b", clause, re.IGNORECASE
        ):
            return True
        return None
    if asked:
        words = text.split()
        head = " ".join(words[:4])
        if len(words) <= 8 or _YES.match(head) or _NO.match(head):
            if _NO.search(head):
                return False
            if _YES.search(head):
                return True
    return None
