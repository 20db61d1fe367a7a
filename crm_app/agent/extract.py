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
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Any

import phonenumbers
from email_validator import EmailNotValidError, validate_email
from rapidfuzz import fuzz, process

from crm_app.agent.base import FieldSpec

FUZZY_THRESHOLD = 85

# ---------------------------------------------------------------------------------------
# Words and patterns

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
_THIRD_PERSON = re.compile(
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
_NEGATED_BEFORE = re.compile(
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

_EMAIL = re.compile(r"(?<![\w.+-])[A-Za-z0-9][A-Za-z0-9._%+-]*@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
_EMAIL_SPOKEN = re.compile(
    r"\b([A-Za-z0-9._%+-]+)\s+(?:at|\[at\]|\(at\)|arroba)\s+([A-Za-z0-9-]+)\s+"
    r"(?:dot|\[dot\]|\(dot\)|punto|point|punkt)\s+([A-Za-z]{2,})\b",
    re.IGNORECASE,
)
_EMAIL_WORDS = re.compile(r"\b(?:e-?mail|mail|correo|courriel)\b", re.IGNORECASE)

_NAME_TOKEN = r"[A-Za-zÀ-ÖØ-öø-ÿ][A-Za-zÀ-ÖØ-öø-ÿ'’-]*"
_STRONG_INTRO = (
    r"my\s+name\s+is|my\s+name's|my\s+name’s|my\s+names|call\s+me|name\s*:|me\s+llamo|"
    r"mi\s+nombre\s+es|je\s+m['’]\s?appelle|mon\s+nom\s+est|ich\s+hei(?:ß|ss)e|"
    r"mein\s+name\s+ist|name\s+is|name's"
)
_WEAK_INTRO = r"i\s+am|i['’]m|im|this\s+is|it['’]s|its|soy|je\s+suis|ich\s+bin|here\s+is"
_INTRO = re.compile(
    r"(?:^|(?<=[\s,.!;:(¡¿\-—]))(?P<intro>" + _STRONG_INTRO + "|" + _WEAK_INTRO + r")\s+"
    r"(?P<name>" + _NAME_TOKEN + r"(?:\s+" + _NAME_TOKEN + r"){0,3})",
    re.IGNORECASE,
)
_GREETING_ONLY = re.compile(
    r"\W*(?:h+i+|h+e+l+o+|h+e+y+|hiya|hola|bonjour|hallo|good (?:morning|afternoon|evening))?\W*",
    re.IGNORECASE,
)
_NAME_HERE = re.compile(  # "Hello, Rob here - …", "jane doe here, …"
    r"^\W*(?:(?i:(?:h+i+|h+e+l+o+|h+e+y+|hiya|hola|bonjour|hallo|good (?:morning|afternoon|evening)))\W+)?(?P<name>[A-ZÀ-ÖØ-Þ][a-zß-öø-ÿ'’-]+"
    r"(?:\s+[A-ZÀ-ÖØ-Þ][a-zß-öø-ÿ'’-]+)?|[a-zß-öø-ÿ'’-]{2,}(?:\s+[a-zß-öø-ÿ'’-]{2,})?)"
    r"\s+here(?=\s*[,.!;:\-—]|\s*$)"
)
_NOT_NAMES = frozenset(
    """a an the not no so too very just also still really only now here there back new
    looking interested calling writing trying planning wondering hoping having asking
    thinking going getting waiting searching contacting reaching emailing texting
    sure fine good great ok okay well glad happy sorry afraid scared nervous worried
    available unavailable free busy open flexible ready done married single retired
    pregnant allergic diabetic sick ill hurt in at on with about from for of to by after
    over under into out off up down around currently usually always never sometimes
    interested a bit kind sort little bit both all your you my his her their our its
    urgent important possible correct right wrong true false yes yeah yep nope
    monday tuesday wednesday thursday friday saturday sunday today tomorrow tonight
    january february march april may june july august september october november december
    anyone someone somebody everyone nobody anybody
    hi hello hey thanks thank please mr mrs ms miss dr doctor sir madam
    patient customer client member visitor new existing regular first second
    what who where when why how which that this these those it
    email mail phone number mobile cell name address
    et y und de la le les el los las der die das ein eine un una une des du
    nuevo nueva paciente cliente interesado interesada disponible alérgico alérgica
    nouveau nouvelle patiente intéressé intéressée disponible libre prêt prête désolé désolée
    neu neue neuer patientin kunde kundin interessiert verfügbar nicht auf an bei hier
    gerne leider noch schon sehr
    american british english irish scottish welsh canadian mexican brazilian dutch german
    french spanish italian portuguese polish russian ukrainian chinese japanese korean indian
    pakistani filipino vietnamese thai turkish greek swedish norwegian danish finnish swiss
    austrian belgian australian african nigerian""".split()
)
_NAME_STOP = frozenset(
    "and y et und from de del da von van here speaking again calling writing".split()
)

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
_DATE_NAMED = re.compile(
    r"\b(?:\d{1,2}(?:st|nd|rd|th|er|º|°|\.)?\s+(?:of\s+|de\s+)?(?:" + _ALL_MONTHS + r")\b\.?"
    r"(?:,?\s+(?:de\s+)?\d{4}\b)?"
    r"|(?:" + _ALL_MONTHS + r")\.?\s+\d{1,2}(?:st|nd|rd|th)?\b(?!:)(?:,?\s+\d{4}\b)?)",
    re.IGNORECASE,
)
_DATE_NUMERIC = re.compile(
    r"(?<![\d/.\-+])(?:\d{4}-\d{2}-\d{2}|\d{1,2}[/.]\d{1,2}[/.](?:\d{4}|\d{2})|\d{1,2}/\d{1,2})"
    r"(?![\d/.\-]?\d)"
)
_WEEKDAYS = {
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
    + "|".join(_WEEKDAYS)
    + r")\b(?P<post>\s+(?:prochain|dernier|que\s+viene|pasado))?",
    re.IGNORECASE,
)
_WEEKDAY_DAY_RE = re.compile(  # "Saturday the 12th", "Friday 4th"
    r"(?<!\w)(?:" + "|".join(_WEEKDAYS) + r"),?\s+(?:the\s+)?(?P<dom>\d{1,2})(?:st|nd|rd|th)\b",
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
_STOP_LABEL_WORDS = frozenset(
    "the a an your you of for to and or in on at is are do does what which how would like "
    "please patient's patient customer's client's contact's person's their his her its "
    "who why when where in own words want wants see".split()
)


@dataclass(frozen=True)
class _Span:
    start: int
    end: int


# ---------------------------------------------------------------------------------------
# Public API


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
    text = _clean(message)
    if not text or not fields:
        return {}
    region = (region or "US").upper()
    today = (now or datetime.now()).date()
    asked = asked_fields(previous_agent_message, fields)
    asked_keys = {f.key for f in asked}
    business = _business_values(exclude, region)
    taken: list[_Span] = []
    out: dict[str, Any] = {}

    email_fields = [f for f in fields if f.type == "Email"]
    phone_fields = [f for f in fields if f.type == "Phone"]
    emails = _emails(text, business, asked_email=any(f.type == "Email" for f in asked))
    taken.extend(span for _, span in emails)
    if emails and email_fields:
        target = _pick(email_fields, asked, "email")
        out[target.key] = emails[0][0]
    phones = _phones(text, region, business)
    taken.extend(span for _, span in phones)
    if phones and phone_fields:
        target = _pick(phone_fields, asked, "phone")
        out[target.key] = phones[0][0]

    for spec in fields:
        if spec.key in out:
            continue
        value: Any = None
        if spec.key == "name":
            value = _name(text, taken, asked_name="name" in asked_keys)
        elif spec.type == "Date":
            continue  # below, all Date fields together
        elif spec.type == "Number":
            value = _number(text, spec, taken, asked=spec.key in asked_keys)
        elif spec.type in ("Dropdown", "Multi-select"):
            value = _options(text, spec, asked=spec.key in asked_keys)
        elif spec.type == "Checkbox":
            value = _checkbox(text, spec, asked=spec.key in asked_keys)
        elif spec.type in ("Text", "Long text", "URL") and spec.key in asked_keys:
            value = _free_text(text, spec, only=len(asked) == 1)
        if value is not None and value != []:
            out[spec.key] = value
    date_fields = [f for f in fields if f.type == "Date"]
    if date_fields:
        out.update(_dates(text, date_fields, asked, today, region, taken))
    return out


# ---------------------------------------------------------------------------------------
# Helpers


def _clean(message: str) -> str:
    text = unicodedata.normalize("NFC", message or "").replace("\u00a0", " ")
    return re.sub(r"[ \t]+", " ", text).strip()


def _pick(candidates: list[FieldSpec], asked: list[FieldSpec], key: str) -> FieldSpec:
    for spec in asked:
        if spec in candidates:
            return spec
    for spec in candidates:
        if spec.key == key:
            return spec
    return candidates[0]


def _clause_bounds(text: str, start: int, end: int) -> tuple[int, int]:
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


def _owner_ok(text: str, start: int, end: int) -> bool:
    """Whether the detail at text[start:end] is the visitor's own, current one."""
    left, right = _clause_bounds(text, start, end)
    before = text[left:start]
    after = text[end:right]
    corrected = _CORRECTION.search(before)
    if (_NEGATED_BEFORE.search(before) and not corrected) or _NEGATED_AFTER.search(after):
        return False
    if _THIRD_AFTER.search(after):
        return False
    # The nearest person marker before the value decides whose it is.
    marks: list[tuple[int, str]] = []
    third_spans: list[tuple[int, int]] = []
    for m in _THIRD_PERSON.finditer(before):
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


def _business_values(exclude: Iterable[str], region: str) -> set[str]:
    values: set[str] = set()
    for chunk in exclude:
        if not chunk:
            continue
        for m in _EMAIL.finditer(chunk):
            values.add(m.group(0).lower().rstrip("."))
        try:
            for m in phonenumbers.PhoneNumberMatcher(chunk, region):
                values.add(
                    phonenumbers.format_number(m.number, phonenumbers.PhoneNumberFormat.E164)
                )
        except Exception:  # a malformed chunk never breaks a reply
            pass
    return values


def _emails(text: str, business: set[str], *, asked_email: bool) -> list[tuple[str, _Span]]:
    found: list[tuple[str, _Span]] = []
    candidates = [(m.group(0).rstrip("."), m.start(), m.end()) for m in _EMAIL.finditer(text)]
    if asked_email or _EMAIL_WORDS.search(text):
        for m in _EMAIL_SPOKEN.finditer(text):
            candidates.append((f"{m.group(1)}@{m.group(2)}.{m.group(3)}", m.start(), m.end()))
    for raw, start, end in candidates:
        try:
            value = validate_email(raw, check_deliverability=False).normalized.lower()
        except EmailNotValidError:
            continue
        if value in business or not _owner_ok(text, start, end):
            continue
        found.append((value, _Span(start, end)))
    return found


def _phones(text: str, region: str, business: set[str]) -> list[tuple[str, _Span]]:
    found: list[tuple[str, _Span]] = []
    try:
        matcher = phonenumbers.PhoneNumberMatcher(text, region, phonenumbers.Leniency.VALID)
        matches = list(matcher)
    except Exception:
        return found
    for m in matches:
        if _DATE_NUMERIC.fullmatch(m.raw_string.strip()):
            continue
        value = phonenumbers.format_number(m.number, phonenumbers.PhoneNumberFormat.E164)
        if value in business or not _owner_ok(text, m.start, m.end):
            continue
        found.append((value, _Span(m.start, m.end)))
    return found


def _overlaps(start: int, end: int, taken: list[_Span]) -> bool:
    return any(start < s.end and s.start < end for s in taken)


def _looks_like_word_not_name(token: str) -> bool:
    low = token.lower().strip("'’-")
    if low in _NOT_NAMES or low in _WEEKDAYS or len(low) < 2:
        return True
    return bool(re.search(r"(?:ing|ed|ly)$", low)) and len(low) > 5


def _name(text: str, taken: list[_Span], *, asked_name: bool) -> str | None:
    lowercase_message = text == text.lower()
    for m in _INTRO.finditer(text):
        if _overlaps(m.start("name"), m.end("name"), taken):
            continue
        intro = re.sub(r"\s+", " ", m.group("intro").lower())
        strong = bool(re.fullmatch(_STRONG_INTRO, intro, re.IGNORECASE))
        left, _ = _clause_bounds(text, m.start(), m.end())
        before = text[left : m.start()]
        if re.search(r"['’]s\s*$|\b(?:his|her|their)\s*$", before, re.IGNORECASE):
            continue  # "my son's name is …", "her name is …"
        if intro.startswith("name") and not re.fullmatch(_GREETING_ONLY, before):
            continue  # "name is …" only as an opening ("Hi! Name is Kevin")
        if intro in ("this is", "it's", "it’s", "here is") and not (
            m.start() == 0 or re.fullmatch(_GREETING_ONLY, before)
        ):
            continue  # "this is" only as an opening ("Hi, this is Maria")
        tokens = m.group("name").split()
        first = tokens[0]
        capitalized = first[0].isupper()
        if not capitalized and not strong and not lowercase_message:
            continue  # "I'm looking …" in a normally written message
        if _looks_like_word_not_name(first):
            continue
        if re.search(r"['’]s$", first):
            continue  # "I'm Maria's mother"
        picked = [first]
        for token in tokens[1:]:
            low = token.lower()
            if low in _NAME_STOP or _looks_like_word_not_name(token) or re.search(r"['’]s$", token):
                break
            if capitalized and not token[0].isupper():
                break
            picked.append(token)
            if not capitalized and len(picked) >= 2:
                break
        if not strong and not capitalized:
            rest = text[m.start("name") + len(" ".join(picked)) :].lstrip()
            if rest and not re.match(
                r"^(?:[,.!;:\-—)]|and\b|here\b|from\b|speaking\b|again\b|$)", rest, re.I
            ):
                continue  # "im allergic to …": only "im maria, …" / "im maria and …"
        if intro in ("ich bin", "je suis", "soy", "i am", "i'm", "i’m", "im") and len(picked) == 1:
            following = text[m.end("name") - len(" ".join(tokens)) + len(first) :].lstrip()
            if following[:1].isalpha() and following.split()[0].lower() in (
                "years",
                "jahre",
                "ans",
                "años",
            ):
                continue
        return _title(" ".join(picked))
    m = _NAME_HERE.match(text)
    if m and not _looks_like_word_not_name(m.group("name")):
        return _title(m.group("name"))
    if asked_name:
        return _bare_name(text, taken)
    return None


def _bare_name(text: str, taken: list[_Span]) -> str | None:
    chars = list(text)
    for span in taken:
        for i in range(span.start, span.end):
            chars[i] = " "
    rest = "".join(chars)
    rest = re.sub(
        r"\b(?:my (?:email|e-mail|phone|number|mobile)(?: number)?(?: is)?|and|sure|yes|ok|"
        r"okay|of course|hi|hello|hey|it's|its|it is|name|is|thanks|thank you)\b",
        " ",
        rest,
        flags=re.IGNORECASE,
    )
    if "?" in text:
        return None
    # "Lopez, Maria Lopez" / "Maria, maria@x.com": one comma-separated part is the name.
    segments = [seg.split() for seg in re.split(r"[,;/]+|\s[-—]\s", rest)]
    segments = [re.sub(r"[.!:()\-—]+", " ", " ".join(seg)).split() for seg in segments]
    segments = [seg for seg in segments if seg]
    if len(segments) > 1:  # the longest part, the last one on a tie
        segments = [max(reversed(segments), key=len)]
    tokens = [t for seg in segments for t in seg]
    if not 1 <= len(tokens) <= 3:
        return None
    if not all(re.fullmatch(_NAME_TOKEN, t) for t in tokens):
        return None
    if any(_looks_like_word_not_name(t) for t in tokens):
        return None
    return _title(" ".join(tokens))


def _title(name: str) -> str:
    parts = []
    for part in name.split():
        parts.append(
            part[0].upper() + part[1:] if part[1:] != part[1:].lower() else part.capitalize()
        )
    return " ".join(parts).strip(" '’-")


def _words(text: str) -> list[tuple[str, int, int]]:
    return [(m.group(0).lower(), m.start(), m.end()) for m in re.finditer(r"[\w'’-]+", text)]


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
    for word, start, end in _words(text):
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


def _number(text: str, spec: FieldSpec, taken: list[_Span], *, asked: bool) -> float | int | None:
    terms = _field_terms(spec)
    mentions = _mentions(text, terms)
    money_field = bool(_MONEY_WORDS.search(f"{spec.label} {spec.hint}"))
    candidates = []
    for m in _NUMBER.finditer(text):
        if _overlaps(m.start(), m.end(), taken) or _TIME_AFTER.match(text[m.end() :]):
            continue
        if _DATE_NAMED.search(text[max(0, m.start() - 12) : m.end() + 12]):
            continue  # the day of "3 March"
        candidates.append(m)
    if not candidates:
        return None
    for m in candidates:
        left, right = _clause_bounds(text, m.start(), m.end())
        near = any(
            left <= s < right and (m.start() - s < 60) and (s - m.end() < 30) for s, _ in mentions
        )
        money = bool(m.group("cur") or m.group("cur2"))
        clause = text[left:right]
        if re.search(r"\b(?:paid|spent|last time|was|were|cost me|charged)\b", clause, re.I):
            continue  # what the visitor paid before is not their budget
        if near or (money and money_field):
            if _NEGATED_BEFORE.search(text[left : m.start()]) and not money:
                continue
            return _to_number(m)
    if asked and len(candidates) == 1:
        return _to_number(candidates[0])
    return None


def _options(text: str, spec: FieldSpec, *, asked: bool) -> list[str] | str | None:
    low = text.lower()
    words = _words(text)
    is_gender = spec.key == "gender"
    hits: list[tuple[int, str]] = []
    for option in spec.options:
        forms = [option.lower()]
        if is_gender:
            forms += [s for s in _GENDER_SYNONYMS.get(option, ()) if len(s) > 1 or asked]
        position = _option_position(low, words, forms, spec.options)
        if position is None:
            continue
        left, _ = _clause_bounds(text, position, position + 1)
        if _OPTION_NEGATION.search(text[left:position]):
            continue
        if is_gender and not asked:
            before = text[left:position]
            _, right = _clause_bounds(text, position, position + 1)
            alone = (
                re.fullmatch(r"\W*[\w -]+\W*", text[left:right])
                and len(text[left:right].split()) <= 2
            )
            if _THIRD_PERSON.search(before) or not (_GENDER_CONTEXT.search(before) or alone):
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
    words = _words(low)
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


def _checkbox(text: str, spec: FieldSpec, *, asked: bool) -> bool | None:
    terms = _field_terms(spec)
    mentions = _mentions(text, terms)
    if mentions:
        start = mentions[0][0]
        left, right = _clause_bounds(text, start, start + 1)
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


def _free_text(text: str, spec: FieldSpec, *, only: bool) -> str | None:
    if not only or text.endswith("?") or _REFUSAL.match(text):
        return None
    if spec.type == "URL":
        m = _URL.search(text)
        return m.group(0).rstrip(".,;") if m else None
    limit = 2000 if spec.type == "Long text" else 500
    return text[:limit].strip()


def _dates(
    text: str,
    date_fields: list[FieldSpec],
    asked: list[FieldSpec],
    today: date,
    region: str,
    taken: list[_Span],
) -> dict[str, str]:
    out: dict[str, str] = {}
    asked_date = [f for f in asked if f.type == "Date"]
    birth_fields = [f for f in date_fields if _BIRTH.search(f"{f.label} {f.hint} {f.key}")]
    other_fields = [f for f in date_fields if f not in birth_fields]
    for start, end, kind, found in _date_candidates(text, today):
        if _overlaps(start, end, taken):
            continue
        left, right = _clause_bounds(text, start, end)
        clause = text[left:right]
        before = text[left:start]
        birth = bool(_BIRTH.search(clause))
        past = bool(_PAST_BEFORE.search(before))
        if (
            birth
            and _THIRD_PERSON.search(before)
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
    for m in _DATE_NAMED.finditer(text):
        found.append((m.start(), m.end(), "parse", m.group(0)))
    for m in _DATE_NUMERIC.finditer(text):
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
        target = _WEEKDAYS[m.group("day").lower()]
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
    years = [int(m.group("y"))] if m.group("y") else [today.year, today.year + (-1 if past else 1)]
    for year in years:
        try:
            value = date(year, month, day)
        except ValueError:
            return None
        if m.group("y") or (value <= today if past else value >= today):
            return value
    return value


def _numeric_date(raw: str, region: str, today: date, past: bool) -> date | None:
    """ "12/21", "21.12.2026", "3/4/85" in the region's order, without dateparser."""
    m = re.fullmatch(r"(\d{1,2})[/.](\d{1,2})(?:[/.](\d{4}|\d{2}))?", raw.strip())
    if not m:
        return None
    first, second = int(m.group(1)), int(m.group(2))
    month, day = (first, second) if region in _MDY_REGIONS else (second, first)
    if m.group(3):
        year = int(m.group(3))
        if year < 100:
            year += 2000 if 2000 + year <= today.year + (0 if past else 10) else 1900
        years = [year]
    else:
        years = [today.year, today.year + (-1 if past else 1)]
    value = None
    for year in years:
        try:
            value = date(year, month, day)
        except ValueError:
            return None
        if m.group(3) or (value <= today if past else value >= today):
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
