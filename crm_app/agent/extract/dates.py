"""Dates: candidate spans found by patterns (month names in four languages, numeric dates,
weekdays, "tomorrow"/"mañana"/"demain"/"morgen", "in 2 weeks"), never by dateparser's
search_dates over the whole message (too many false positives); common forms are computed
here (fast, and in the region's day/month order), anything else parsed by dateparser;
ISO out. A past date never fills a future-looking field; a birth date only a birth field.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from typing import Any

from crm_app.agent.base import FieldSpec
from crm_app.agent.extract.context import THIRD_PERSON, Span, clause_bounds, overlaps

_MONTHS = {
    "en": "january|february|march|april|may|june|july|august|september|october|november|"
    "december|jan|feb|mar|apr|jun|jul|aug|sept|sep|oct|nov|dec",
    "es": "enero|febrero|marzo|abril|mayo|junio|julio|agosto|septiembre|setiembre|octubre|"
    "noviembre|diciembre",
    "fr": "janvier|f[ée]vrier|mars|avril|mai|juin|juillet|ao[ûu]t|septembre|octobre|novembre|"
    "d[ée]cembre",
    "de": "januar|j[äa]nner|februar|m[äa]rz|maerz|april|mai|juni|juli|august|september|"
    "oktober|november|dezember",
}
_MDY_REGIONS = frozenset({"US", "PH", "FM", "PW", "MH", "AS", "GU", "MP", "PR", "VI", "UM"})
_MONTH_NUMBERS = {
    name: number
    for number, names in enumerate(
        (
            "january jan enero janvier januar jänner janner",
            "february feb febrero février fevrier februar",
            "march mar marzo mars märz marz maerz",
            "april apr abril avril",
            "may mayo mai",
            "june jun junio juin juni",
            "july jul julio juillet juli",
            "august aug agosto août aout",
            "september sept sep septiembre setiembre septembre",
            "october oct octubre octobre oktober",
            "november nov noviembre novembre",
            "december dec diciembre décembre decembre dezember",
        ),
        1,
    )
    for name in names.split()
}
_ALL_MONTHS = "|".join(sorted(set("|".join(_MONTHS.values()).split("|")), key=len, reverse=True))
DATE_NAMED = re.compile(
    r"\b(?:\d{1,2}(?:st|nd|rd|th|er|º|°|\.)?\s+(?:of\s+|de\s+)?(?:" + _ALL_MONTHS + r")\b\.?"
    r"(?:,?\s+(?:de\s+)?\d{4}\b)?"
    r"|(?:" + _ALL_MONTHS + r")\.?\s+\d{1,2}(?:st|nd|rd|th)?\b(?!:)(?:,?\s+\d{4}\b)?)",
    re.IGNORECASE,
)
DATE_NUMERIC = re.compile(
    r"(?<![\d/.\-+])(?:\d{4}-\d{2}-\d{2}|\d{1,2}[/.]\d{1,2}[/.](?:\d{4}|\d{2})|\d{1,2}/\d{1,2})"
    r"(?![\d/.\-]?\d)"
)
WEEKDAYS = {
    "monday": 0,
    "tuesday": 1,
    "wednesday": 2,
    "thursday": 3,
    "friday": 4,
    "saturday": 5,
    "sunday": 6,
    "lunes": 0,
    "martes": 1,
    "miércoles": 2,
    "miercoles": 2,
    "jueves": 3,
    "viernes": 4,
    "sábado": 5,
    "sabado": 5,
    "domingo": 6,
    "lundi": 0,
    "mardi": 1,
    "mercredi": 2,
    "jeudi": 3,
    "vendredi": 4,
    "samedi": 5,
    "dimanche": 6,
    "montag": 0,
    "dienstag": 1,
    "mittwoch": 2,
    "donnerstag": 3,
    "freitag": 4,
    "samstag": 5,
    "sonntag": 6,
}
_WEEKDAY_RE = re.compile(
    r"(?<!\w)(?P<pre>(?:last|past|previous|this|next|coming|on|el|próximo|proximo|am|"
    r"nächsten|naechsten|kommenden|letzten|dernier|pasado)\s+)*(?P<day>"
    + "|".join(WEEKDAYS)
    + r")\b(?P<post>\s+(?:prochain|dernier|que\s+viene|pasado))?",
    re.IGNORECASE,
)
_WEEKDAY_DAY_RE = re.compile(  # "Saturday the 12th", "Friday 4th"
    r"(?<!\w)(?:" + "|".join(WEEKDAYS) + r"),?\s+(?:the\s+)?(?P<dom>\d{1,2})(?:st|nd|rd|th)\b",
    re.IGNORECASE,
)
_RELATIVE_RE = re.compile(
    r"(?<!\w)(?:(?P<after>day after tomorrow|pasado mañana|après-demain|apres-demain|"
    r"übermorgen|uebermorgen)|(?P<tomorrow>tomorrow|tmrw|tmr|mañana|demain|morgen)|"
    r"(?P<today>today|tonight|hoy|aujourd'hui|aujourd’hui|heute)|"
    r"in\s+(?P<n>\d{1,2}|a|one|two|three|four|five|six)\s+(?P<unit>days?|weeks?))(?!\w)",
    re.IGNORECASE,
)
_NOT_TOMORROW_BEFORE = re.compile(
    r"(?:\bla|\besta|\bguten|\bam|\bjeden|\bde|\bpor)\s+$|\bcada\s+$", re.IGNORECASE
)
_SMALL_NUMBERS = {"a": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6}
_PAST_BEFORE = re.compile(
    r"\b(?:last|since|ago|was|were|had|did|yesterday|ayer|hier|gestern|desde|depuis|seit|"
    r"went|visited|came)\b[^.!?;]{0,20}$",
    re.IGNORECASE,
)
_BIRTH = re.compile(
    r"\b(?:born|birth|birthday|dob|d\.o\.b|nac[íi]|nacimiento|cumpleaños|n[ée]e?|naissance|"
    r"geboren|geburtstag|geburtsdatum)\b",
    re.IGNORECASE,
)


def find_dates(
    text: str,
    date_fields: list[FieldSpec],
    asked: list[FieldSpec],
    today: date,
    region: str,
    taken: list[Span],
) -> dict[str, str]:
    out: dict[str, str] = {}
    asked_date = [f for f in asked if f.type == "Date"]
    birth_fields = [f for f in date_fields if _BIRTH.search(f"{f.label} {f.hint} {f.key}")]
    other_fields = [f for f in date_fields if f not in birth_fields]
    for start, end, kind, found in _date_candidates(text, today):
        if overlaps(start, end, taken):
            continue
        left, right = clause_bounds(text, start, end)
        clause = text[left:right]
        before = text[left:start]
        birth = bool(_BIRTH.search(clause))
        past = bool(_PAST_BEFORE.search(before))
        if (
            birth
            and THIRD_PERSON.search(before)
            and not re.search(r"(?:i|me|my)", before[-25:], re.I)
        ):
            continue  # "my son was born on …"
        target: FieldSpec | None = None
        if birth:
            target = next((f for f in birth_fields if f.key not in out), None)
        elif asked_date and asked_date[0].key not in out:
            target = asked_date[0]
        elif not past and other_fields:
            target = next((f for f in other_fields if f.key not in out), None)
        if target is None:
            continue
        in_past_field = target in birth_fields
        value = found if kind == "computed" else _parse_date(found, region, today, in_past_field)
        if value is None:
            continue
        if not in_past_field and value < today and target not in asked_date:
            continue
        if in_past_field and value > today:
            continue
        out[target.key] = value.isoformat()
    return out


def _date_candidates(text: str, today: date) -> list[tuple[int, int, str, Any]]:
    found: list[tuple[int, int, str, Any]] = []
    for m in DATE_NAMED.finditer(text):
        found.append((m.start(), m.end(), "parse", m.group(0)))
    for m in DATE_NUMERIC.finditer(text):
        if m.group(0) == "24/7":
            continue
        found.append((m.start(), m.end(), "parse", m.group(0)))
    for m in _WEEKDAY_DAY_RE.finditer(text):
        day = int(m.group("dom"))
        year, month = today.year, today.month
        if day < today.day:
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        try:
            found.append((m.start(), m.end(), "computed", date(year, month, day)))
        except ValueError:
            continue
    for m in _WEEKDAY_RE.finditer(text):
        pre = (m.group("pre") or "").lower()
        post = (m.group("post") or "").lower()
        if any(w in pre.split() for w in ("last", "past", "previous", "letzten", "pasado")) or (
            "dernier" in post or "pasado" in post
        ):
            continue
        target = WEEKDAYS[m.group("day").lower()]
        ahead = (target - today.weekday()) % 7 or 7
        found.append((m.start(), m.end(), "computed", today + timedelta(days=ahead)))
    for m in _RELATIVE_RE.finditer(text):
        if m.group("tomorrow"):
            word = m.group("tomorrow").lower()
            if word in ("mañana", "morgen") and _NOT_TOMORROW_BEFORE.search(text[: m.start()]):
                continue
            if word == "morgen" and text[m.start()] == "M" and m.start() > 0:
                continue  # "Morgen" mid-sentence is the morning
            days = 1
        elif m.group("after"):
            days = 2
        elif m.group("today"):
            days = 0
        else:
            n = m.group("n").lower()
            count = int(n) if n.isdigit() else _SMALL_NUMBERS[n]
            days = count * (7 if m.group("unit").lower().startswith("week") else 1)
        found.append((m.start(), m.end(), "computed", today + timedelta(days=days)))
    found.sort(key=lambda item: item[0])
    kept: list[tuple[int, int, str, Any]] = []
    for item in found:
        if kept and item[0] < kept[-1][1]:
            continue
        kept.append(item)
    return kept


def _named_date(raw: str, today: date, past: bool) -> date | None:
    """ "12 décembre", "December 18", "3. März 1985" without dateparser (fast path)."""
    m = re.fullmatch(
        r"(?:(?P<d1>\d{1,2})\.?\s+(?:of\s+|de\s+)?(?P<m1>[^\W\d]+)\.?"
        r"|(?P<m2>[^\W\d]+)\.?\s+(?P<d2>\d{1,2}))(?:,?\s+(?:de\s+)?(?P<y>\d{4}))?",
        raw.strip(),
        re.IGNORECASE,
    )
    if not m:
        return None
    month = _MONTH_NUMBERS.get((m.group("m1") or m.group("m2")).lower())
    if month is None:
        return None
    day = int(m.group("d1") or m.group("d2"))
    return _in_year(month, day, int(m.group("y")) if m.group("y") else None, today, past)


def _numeric_date(raw: str, region: str, today: date, past: bool) -> date | None:
    """ "12/21", "21.12.2026", "3/4/85" in the region's order, without dateparser."""
    m = re.fullmatch(r"(\d{1,2})[/.](\d{1,2})(?:[/.](\d{4}|\d{2}))?", raw.strip())
    if not m:
        return None
    first, second = int(m.group(1)), int(m.group(2))
    month, day = (first, second) if region in _MDY_REGIONS else (second, first)
    year = None
    if m.group(3):
        year = int(m.group(3))
        if year < 100:
            year += 2000 if 2000 + year <= today.year + (0 if past else 10) else 1900
    return _in_year(month, day, year, today, past)


def _in_year(month: int, day: int, year: int | None, today: date, past: bool) -> date | None:
    """The day in `year`; without a year, this year's when it lies on the field's side of
    today (before it for a past-looking field, else from today on), otherwise the
    year's before (past) or after. None when there is no such day."""
    years = [year] if year is not None else [today.year, today.year + (-1 if past else 1)]
    value = None
    for candidate in years:
        try:
            value = date(candidate, month, day)
        except ValueError:
            return None
        if year is not None or (value <= today if past else value >= today):
            return value
    return value


def _parse_date(raw: str, region: str, today: date, past: bool) -> date | None:
    import dateparser  # imported on first use: it takes ~0.2 s

    cleaned = re.sub(r"(?<=\d)(?:st|nd|rd|th|er|º|°)\b", "", raw, flags=re.IGNORECASE)
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", cleaned):
        try:
            return date.fromisoformat(cleaned)
        except ValueError:
            return None
    quick = _named_date(cleaned, today, past) or _numeric_date(cleaned, region, today, past)
    if quick is not None:
        return quick
    languages = [
        lang
        for lang, names in _MONTHS.items()
        if re.search(r"\b(?:" + names + r")\b", cleaned, re.I)
    ]
    settings = {
        "RELATIVE_BASE": datetime(today.year, today.month, today.day, 12),
        "PREFER_DATES_FROM": "past" if past else "future",
        "DATE_ORDER": "MDY" if region in _MDY_REGIONS else "DMY",
        "PREFER_DAY_OF_MONTH": "first",
        "RETURN_AS_TIMEZONE_AWARE": False,
        "STRICT_PARSING": False,
    }
    try:
        parsed = dateparser.parse(cleaned, languages=languages or ["en"], settings=settings)
    except Exception:
        return None
    return parsed.date() if parsed else None
