"""Names from introductions ("I'm …", "my name is …", "this is …", "call me …", "me llamo",
"je m'appelle", "ich heiße/ich bin" …), "<Name> here", or a bare answer to "what is your
name?".
"""

from __future__ import annotations

import re

from crm_app.agent.extract.context import Span, clause_bounds, overlaps
from crm_app.agent.extract.dates import WEEKDAYS

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


def _looks_like_word_not_name(token: str) -> bool:
    low = token.lower().strip("'’-")
    if low in _NOT_NAMES or low in WEEKDAYS or len(low) < 2:
        return True
    return bool(re.search(r"(?:ing|ed|ly)$", low)) and len(low) > 5


def find_name(text: str, taken: list[Span], *, asked_name: bool) -> str | None:
    lowercase_message = text == text.lower()
    for m in _INTRO.finditer(text):
        if overlaps(m.start("name"), m.end("name"), taken):
            continue
        intro = re.sub(r"\s+", " ", m.group("intro").lower())
        strong = bool(re.fullmatch(_STRONG_INTRO, intro, re.IGNORECASE))
        left, _ = clause_bounds(text, m.start(), m.end())
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


def _bare_name(text: str, taken: list[Span]) -> str | None:
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
