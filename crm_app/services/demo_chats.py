"""Demo data: the conversations behind the demo clinic's "via Chat" contacts.

Each Chat contact gets the conversation in which the receptionist agent captured them: the
welcome message, the visitor's reason, name, contact details and the Allow-for-AI values
the contact holds (date of birth, insurance, location), so the transcript says exactly what
the contact's fields say, and `conversation.captured` lists the same values. Some patients
came back later with a short second chat. The message that gave an email or phone is sent
at the contact's creation time, the moment a real chat would have created it.

Deterministic given the caller's `random.Random` (visitor tokens excepted: their hashes are
random, so nobody can take over a demo visitor's chats).
"""

from __future__ import annotations

import hashlib
import random
import secrets
from datetime import date, datetime, timedelta

import phonenumbers
from sqlmodel import Session, select

from crm_app.models import (
    Agent,
    Contact,
    ContactField,
    ContactValue,
    Conversation,
    Message,
    utcnow,
)
from crm_app.services import provenance
from crm_app.services.chat.turn import title_for
from crm_app.services.merge import Origin

OPENERS_WITH_REASON = (
    "Hi, I'd like to book an appointment. {reason}",
    "Hello! Can I see a doctor this week? {reason}",
    "Good morning, I need an appointment please. {reason}",
    "Hi there. {reason} Do you have anything available soon?",
)
OPENERS = (
    "Hi, are you accepting new patients?",
    "Hello, I'd like to book a check-up.",
    "Hi! Can I make an appointment for next week?",
    "Good afternoon, I need to see a doctor.",
    "hi, how do i book a visit?",
)
NAME_LINES = ("I'm {name}.", "My name is {name}.", "{name}", "This is {name}.", "it's {name}")
BOTH_LINES = (
    "{email}, or call me at {phone}",
    "Email is {email} and my cell is {phone}",
    "You can reach me at {phone} or {email}",
)
EMAIL_LINES = ("You can email me at {email}", "{email}", "Best is email: {email}")
PHONE_LINES = ("My cell is {phone}", "Call or text {phone} please", "{phone}")
INSURANCE_LINES = ("I have {value}.", "{value}", "It's {value}.")
DOB_LINES = ("{value}", "I was born on {value}.", "{value}, thanks")
LOCATION_LINES = ("{value} please.", "{value} works best for me.", "{value}")
THANKS = ("Thank you!", "Great, thanks so much.", "Perfect, thank you.", "Thanks!")
FOLLOW_UPS = (
    (
        "Hi, it's {first} again. Can I move my appointment to {day}?",
        "Of course, {first}. I've noted that you'd like to move your appointment to {day}. "
        "Our front desk will confirm the new time by {channel}.",
    ),
    (
        "Hello, do I need to bring anything to my first visit?",
        "Please bring a photo ID, your insurance card if you have one, and a list of any "
        "medications you take. Arriving 10 minutes early helps us get you checked in.",
    ),
    (
        "Hi, what are your opening hours on Saturday?",
        "Northside Main is open 9 am to 1 pm on Saturdays; Riverside Annex is closed on "
        "weekends. Telehealth visits are available every day.",
    ),
)
DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday")


def add_conversations(
    session: Session,
    rng: random.Random,
    agent: Agent,
    contacts: list[Contact],
    custom: dict[str, ContactField],
) -> int:
    """The chats behind every Chat contact of `contacts`; returns how many were created."""
    chat_contacts = [c for c in contacts if c.source == "Chat"]
    values = _values(session, [c.id for c in chat_contacts], custom)
    keys = {label: f.key for label, f in custom.items()}
    scripts = []
    for contact in chat_contacts:
        scripts.append(
            (contact, _first_chat(rng, agent, contact, values.get(contact.id, {}), keys))
        )
        if rng.random() < 0.15:
            scripts.append((contact, _follow_up(rng, agent, contact)))
    conversations = []
    now = utcnow()
    for contact, (lines, captured, at_contact) in scripts:
        if at_contact >= 0:  # the line that gave an email or phone is the contact's creation
            given = sum(gap for gap, *_ in lines[: at_contact + 1])
            start = contact.created_at - timedelta(seconds=given)
        else:  # a later chat: days after the first one, never in the future
            start = contact.created_at + timedelta(days=rng.randint(1, 20), hours=rng.randint(1, 8))
            if start > now - timedelta(hours=1):
                continue
        conversations.append(_conversation(agent, contact, lines, captured, start))
    session.add_all(conv for conv, _ in conversations)
    session.flush()
    messages = []
    for conv, rows in conversations:
        for message in rows:
            message.conversation_id = conv.id
            messages.append(message)
    session.add_all(messages)
    session.flush()
    by_key = {f.key: f for f in custom.values()}
    contact_of = {c.id: c for c in chat_contacts}
    for conv, rows in conversations:
        contact = contact_of[conv.contact_id]
        _mark_captured(agent, conv, contact, rows, values.get(contact.id, {}), by_key)
    return len(conversations)


def _mark_captured(
    agent: Agent,
    conv: Conversation,
    contact: Contact,
    rows: list[Message],
    values: dict[str, ContactValue],
    fields: dict[str, ContactField],
) -> None:
    """The contact's values this chat gave are marked as the agent's (General tab badges),
    each pointing at the message that gave it, as capture does for a live chat."""
    texts: dict[str, tuple[str, int]] = {}
    by_field_id = {v.field_id: v for v in values.values()}
    for message in rows:
        for key in (message.data or {}).get("captured", {}):
            field = fields.get(key)
            if field is not None and field.id in by_field_id:
                text, store_key = by_field_id[field.id].value_text, str(field.id)
            else:
                text, store_key = provenance.stored_text(getattr(contact, key, None)), key
            if text:
                texts[store_key] = (text, message.id)
    sources = dict(contact.field_sources or {})
    for store_key, (text, message_id) in texts.items():
        origin = Origin(
            "agent",
            f"{agent.name} (conversation {conv.id})",
            conversation_id=conv.id,
            message_id=message_id,
        )
        at = next(m.created_at for m in rows if m.id == message_id)
        sources[store_key] = provenance.entry(origin, text, at)
    contact.field_sources = sources


def _values(
    session: Session, contact_ids: list[str], custom: dict[str, ContactField]
) -> dict[str, dict[str, ContactValue]]:
    by_id = {f.id: label for label, f in custom.items()}
    out: dict[str, dict[str, ContactValue]] = {}
    if not contact_ids:
        return out
    rows = session.exec(select(ContactValue).where(ContactValue.contact_id.in_(contact_ids)))
    for row in rows:
        if row.field_id in by_id:
            out.setdefault(row.contact_id, {})[by_id[row.field_id]] = row
    return {
        cid: {label: v for label, v in vals.items() if custom[label].allow_ai}
        for cid, vals in out.items()
    }


def _first_chat(
    rng: random.Random,
    agent: Agent,
    contact: Contact,
    values: dict[str, ContactValue],
    keys: dict[str, str],
) -> tuple[list, dict, int]:
    """Lines (seconds since the previous line, role, text, captured keys), captured values,
    and the index of the line that gave an email or phone."""
    first = contact.name.split(" ")[0]
    captured: dict = {}
    lines: list = [(0, "agent", agent.welcome_message, [])]

    def visitor(text: str, keys: dict) -> None:
        captured.update(keys)
        lines.append((rng.randint(15, 70), "visitor", text, list(keys)))

    def agent_says(text: str) -> None:
        lines.append((rng.randint(2, 5), "agent", text, []))

    reason = values.get("Reason for visit")
    if reason is not None:
        visitor(
            rng.choice(OPENERS_WITH_REASON).format(reason=reason.value_text),
            {keys["Reason for visit"]: reason.value_text},
        )
        agent_says(
            "Thanks for letting us know, let's get you booked in. May I have your full name?"
        )
    else:
        visitor(rng.choice(OPENERS), {})
        agent_says("Yes, we'd be glad to see you. May I have your full name?")
    visitor(rng.choice(NAME_LINES).format(name=contact.name), {"name": contact.name})
    agent_says(f"Thank you, {first}! What's the best email or mobile number to reach you?")
    phone = _national(contact.phone) if contact.phone else ""
    reach = {k: getattr(contact, k) for k in ("email", "phone") if getattr(contact, k)}
    if contact.email and contact.phone:
        line = rng.choice(BOTH_LINES).format(email=contact.email, phone=phone)
    elif contact.email:
        line = rng.choice(EMAIL_LINES).format(email=contact.email)
    else:
        line = rng.choice(PHONE_LINES).format(phone=phone)
    visitor(line, reach)
    at_contact = len(lines) - 1
    questions = (
        ("Date of birth", "And your date of birth, please?", DOB_LINES, _spoken_date),
        (
            "Insurance provider",
            "Which insurance provider do you have? If you don't have insurance, self-pay "
            "is fine too.",
            INSURANCE_LINES,
            str,
        ),
        (
            "Preferred location",
            "Which location suits you best: Northside Main, Riverside Annex or Telehealth?",
            LOCATION_LINES,
            str,
        ),
    )
    for label, question, answers, spoken in questions:
        row = values.get(label)
        if row is None:
            continue
        agent_says(question)
        visitor(
            rng.choice(answers).format(value=spoken(row.value_text)),
            {keys[label]: row.value_text},
        )
    agent_says(
        f"Thanks, {first}! I've passed your details to our front desk, and someone will "
        f"contact you shortly to confirm a time."
    )
    if rng.random() < 0.6:
        visitor(rng.choice(THANKS), {})
        agent_says("You're welcome! Take care, and see you soon.")
    return lines, captured, at_contact


def _follow_up(rng: random.Random, agent: Agent, contact: Contact) -> tuple[list, dict, int]:
    first = contact.name.split(" ")[0]
    question, answer = rng.choice(FOLLOW_UPS)
    params = {
        "first": first,
        "day": rng.choice(DAYS),
        "channel": "email" if contact.email else "text message",
    }
    lines = [
        (0, "agent", agent.welcome_message, []),
        (rng.randint(10, 60), "visitor", question.format(**params), []),
        (rng.randint(2, 5), "agent", answer.format(**params), []),
    ]
    return lines, {}, -1


def _conversation(
    agent: Agent, contact: Contact, lines: list, captured: dict, start: datetime
) -> tuple[Conversation, list[Message]]:
    at = start
    rows = []
    for gap, role, text, keys in lines:
        at = at + timedelta(seconds=gap)
        rows.append(
            Message(
                conversation_id=0,
                role=role,
                content=text,
                data={"captured": keys} if keys else {},
                created_at=at,
            )
        )
    first_visitor = next(m.content for m in rows if m.role == "visitor")
    token = secrets.token_urlsafe(32)
    conv = Conversation(
        agent_id=agent.id,
        contact_id=contact.id,
        visitor_id=hashlib.sha256(token.encode()).hexdigest(),
        title=title_for(first_visitor),
        captured=captured,
        created_at=start,
        updated_at=at,
        last_message_at=at,
    )
    return conv, rows


def _national(e164: str) -> str:
    number = phonenumbers.parse(e164, None)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)


def _spoken_date(iso: str) -> str:
    day = date.fromisoformat(iso)
    return f"{day:%B} {day.day}, {day.year}"
