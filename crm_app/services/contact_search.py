"""The contacts list's search box: what a term means (email, phone or name prefix) as
conditions each served by one index."""

from __future__ import annotations

import re

import phonenumbers
from sqlalchemy import and_, func, or_
from sqlmodel import Session

from crm_app.models import Agent, Contact, name_after_first_word, phone_last_digits

LATER_WORDS = name_after_first_word(Contact.name_sort)
PHONE_SUFFIX = 4
PHONE_LAST = phone_last_digits(Contact.phone, PHONE_SUFFIX)
PHONE_LIKE = re.compile(r"^[\d\s()+.\-/]+$")


def search(session: Session, agent_id: int, term: str, walk: bool = False):
    """Search by its shape, each branch an index range at a million contacts:
    - with an @: email prefix;
    - only digits and phone punctuation (3+ digits): see _phone_search;
    - otherwise: name prefix, second-word prefix ("lopez" finds "Maria Lopez", through an
      expression index on LATER_WORDS), or email prefix.
    """
    return or_(*search_branches(session, agent_id, term, walk))


def search_branches(session: Session, agent_id: int, term: str, walk: bool) -> list:
    """The search's alternatives, each served by one index (see search)."""
    if "@" in term:
        return [_prefix(Contact.email, term, walk)]
    digits = re.sub(r"\D", "", term)
    if PHONE_LIKE.match(term) and len(digits) >= 3:
        return _phone_search(session, agent_id, term, digits, walk)
    later = _prefix(LATER_WORDS, " " + term, walk)
    if walk:
        # A walk tests every contact it passes: first the cheap necessary condition (the
        # name holds " term"), as ltrim over the word characters costs microseconds a row.
        find = func.strpos if session.get_bind().dialect.name == "postgresql" else func.instr
        later = and_(find(Contact.name_sort, " " + term) > 0, later)
    return [_prefix(Contact.name_sort, term, walk), later, _prefix(Contact.email, term, walk)]


def _phone_search(session: Session, agent_id: int, term: str, digits: str, walk: bool):
    """Phones are stored in E.164. The term matches a phone that starts with it — typed
    with "+" as international digits, otherwise as a national number of the agent's region
    ("(312) 555-01" → "+1312555 01…", a leading national prefix like UK "0" dropped) or as
    international digits without the "+" — or, from 4 digits on, a phone that ends with it
    ("555-0123", "0123": the local number or last digits). Both through indexes: the phone
    column's and one on its last PHONE_SUFFIX digits."""
    starts = {"+" + digits}
    if not term.lstrip().startswith("+"):
        region = session.get(Agent, agent_id).phone_region
        code = phonenumbers.country_code_for_region(region)
        metadata = phonenumbers.PhoneMetadata.metadata_for_region(region)
        national = digits
        prefix = metadata.national_prefix if metadata else None
        if prefix and national.startswith(prefix):
            national = national[len(prefix) :]
        if code and national:
            starts.add(f"+{code}{national}")
    conditions = [_prefix(Contact.phone, start, walk) for start in sorted(starts)]
    if len(digits) >= PHONE_SUFFIX:
        last = PHONE_LAST.op("||")("") if walk else PHONE_LAST
        phone = Contact.phone.op("||")("") if walk else Contact.phone
        conditions.append(and_(last == digits[-PHONE_SUFFIX:], phone.like("%" + digits)))
    return conditions


def _prefix(column, term: str, walk: bool = False):
    """column starts with term: LIKE for the meaning, a >=/< range so B-tree indexes are
    used on SQLite (whose LIKE skips binary-collated indexes) and PostgreSQL alike. With
    `walk`, on `column || ''`: the same test, no index (see build_filter)."""
    if walk:
        column = column.op("||")("")
    condition = [column.like(_escape(term) + "%", escape="\\"), column >= term]
    if ord(term[-1]) < 0x10FFFF:
        condition.append(column < term[:-1] + chr(ord(term[-1]) + 1))
    return and_(*condition)


def _escape(term: str) -> str:
    return term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
