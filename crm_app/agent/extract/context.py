"""Whose a detail is, and the text helpers every extractor shares.

A contact detail counts only when it is the visitor's own, current one: not a third
person's ("my wife's number is …", "call my brother at …"), not the business's ("your
office number"), not negated or stale ("not my number", "my old email …"). `owner_ok`
decides that from the clause around the value; `clause_bounds` finds that clause.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

_RELATIONS = (
    "wife|husband|partner|boyfriend|girlfriend|fianc[ée]e?|spouse|brother|sister|mother|mom|"
    "mum|mommy|father|dad|daddy|parents?|son|daughter|kids?|child|children|baby|friend|boss|"
    "manager|colleague|co-?worker|neighbou?r|grandma|grandmother|grandpa|grandfather|aunt|"
    "uncle|cousin|nephew|niece|assistant|secretary|roommate|flatmate|"
    "esposa|esposo|marido|novia|novio|hermano|hermana|madre|padre|mam[áa]|pap[áa]|hijo|hija|"
    "amigo|amiga|jefe|jefa|femme|mari|fr[èe]re|s[œo]e?ur|m[èe]re|p[èe]re|fils|fille|ami|amie|"
    "copain|copine|patron|frau|mann|bruder|schwester|mutter|vater|sohn|tochter|freund|"
    "freundin|chef|chefin|kollege|kollegin"
)
THIRD_PERSON = re.compile(
    r"\b(?:my|mi|mis|mon|ma|mes|mein|meine|meinem|meiner|meines|a|an|the|our)\s+(?:"
    + _RELATIONS
    + r")(?:'s|’s|s)?\b"
    r"|\b(?:his|her|hers|their|theirs|him|them|he|she|they|sein|seine|seiner|ihr|ihre|ihrer)\b"
    r"|\b(?!(?:it|that|what|here|there|let|he|she|who|where|how|name|number|email|phone|today|"
    r"tomorrow|one|mine)['’]s\b)[a-z]+['’]s\b",
    re.IGNORECASE,
)
_FIRST_PERSON = re.compile(
    r"\b(?:my|mine|me|i|i'm|i’m|im|myself|mi|mí|me|mío|mio|moi|je|j'|mon|ma|mes|ich|mich|"
    r"mir|mein|meine|meiner)\b",
    re.IGNORECASE,
)
_BUSINESS = re.compile(
    r"\b(?:your|yours|votre|vos|vuestro|vuestra|ihre?r?)\s+(?:\w+\s+)?(?:number|phone|line|"
    r"office|email|e-mail|address|clinic|website|site|n[úu]mero|tel[ée]fono|t[ée]l[ée]phone|"
    r"nummer|telefon)\b",
    re.IGNORECASE,
)
NEGATED_BEFORE = re.compile(
    r"\b(?:not|isn't|isnt|don't|dont|doesn't|no longer|old|former|previous|wrong|ex|"
    r"instead of|rather than|never|tried calling|tried|called|dialed|dialled|rang|no es|n'est pas|pas|nicht|kein|keine|alte|alten|ancien|"
    r"ancienne|antiguo|antigua|viejo|vieja)\b[^.!?;]{0,25}$",
    re.IGNORECASE,
)
_CORRECTION = re.compile(
    r"\b(?:should be|is actually|it's actually|correct (?:one|email|number|address) is|"
    r"right (?:one|email|number|address) is|new (?:one|email|number|address) is|use)\W*$",
    re.IGNORECASE,
)
_NEGATED_AFTER = re.compile(
    r"^[^.!?;]{0,30}?\b(?:doesn't work|does not work|isn't working|is not working|"
    r"not working|no longer|is wrong|was wrong|anymore|any more|not mine|isn't mine|"
    r"is not mine|is old|is outdated|bounces|is disconnected|no funciona|ne marche pas|"
    r"ne fonctionne pas|funktioniert nicht)\b",
    re.IGNORECASE,
)
_THIRD_AFTER = re.compile(
    r"^\W{0,3}(?:is|are|was|belongs to|es|est|ist|de|von)\s+(?:(?:my|mi|mon|ma|mein|meine)\s+(?:"
    + _RELATIONS
    + r")|his|hers|her|theirs|their|the office|for)\b"
    r"|^\W{0,3}(?:is|was|'s|are)?\s*(?:this\s+|that\s+)?(?:your|yours|the clinic's|the office's)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Span:
    start: int
    end: int


def clean(message: str) -> str:
    text = unicodedata.normalize("NFC", message or "").replace("\u00a0", " ")
    return re.sub(r"[ \t]+", " ", text).strip()


def clause_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    """The sentence/clause around text[start:end]: split at . ! ? ; and newlines (a dot
    only when followed by a space, so addresses and numbers stay whole)."""
    left = start
    while left > 0:
        ch = text[left - 1]
        if ch in "!?;\n" or (ch == "." and left < len(text) and text[left] == " "):
            break
        left -= 1
    right = end
    while right < len(text):
        ch = text[right]
        if ch in "!?;\n" or (ch == "." and (right + 1 == len(text) or text[right + 1] == " ")):
            break
        right += 1
    return left, right


def owner_ok(text: str, start: int, end: int) -> bool:
    """Whether the detail at text[start:end] is the visitor's own, current one."""
    left, right = clause_bounds(text, start, end)
    before = text[left:start]
    after = text[end:right]
    corrected = _CORRECTION.search(before)
    if (NEGATED_BEFORE.search(before) and not corrected) or _NEGATED_AFTER.search(after):
        return False
    if _THIRD_AFTER.search(after):
        return False
    # The nearest person marker before the value decides whose it is.
    marks: list[tuple[int, str]] = []
    third_spans: list[tuple[int, int]] = []
    for m in THIRD_PERSON.finditer(before):
        marks.append((m.end(), "third"))
        third_spans.append((m.start(), m.end()))
    for m in _BUSINESS.finditer(before):
        marks.append((m.end(), "business"))
        third_spans.append((m.start(), m.end()))
    for m in _FIRST_PERSON.finditer(before):
        if any(a <= m.start() < b for a, b in third_spans):
            continue
        marks.append((m.end(), "first"))
    if not marks:
        return True
    marks.sort()
    return marks[-1][1] == "first"


def overlaps(start: int, end: int, taken: list[Span]) -> bool:
    return any(start < s.end and s.start < end for s in taken)


def word_spans(text: str) -> list[tuple[str, int, int]]:
    return [(m.group(0).lower(), m.start(), m.end()) for m in re.finditer(r"[\w'’-]+", text)]
