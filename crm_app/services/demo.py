"""Demo data: a clinic with its team, a receptionist agent (Public · Use for Free) and ~300
contacts, with the conversations behind its "via Chat" contacts (services/demo_chats.py).

`seed_demo` runs only on an empty installation (no organization yet) and is deterministic
(random.Random(42)), so every fresh install and test sees the same clinic.

Contacts are bulk-inserted here instead of going through contacts.save_contact: that path
runs matching, automations and an audit entry per contact, which is right for real input
but would rewrite owners and stages this seed spreads on purpose, and is slow for hundreds
of rows. Emails and phones still go through the same normalizers (services/values), custom
values through the same type coercion, and each contact gets the same "Created via X"
activity entry the real path writes.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

import phonenumbers
from sqlalchemy import func
from sqlmodel import Session, select

from crm_app.models import (
    Activity,
    Contact,
    ContactField,
    ContactValue,
    Membership,
    Organization,
    Stage,
    User,
    utcnow,
)
from crm_app.services import audit, demo_chats, fields
from crm_app.services.access import Actor
from crm_app.services.agents import create_agent, create_owner
from crm_app.services.demo_data import (
    AREA_CODES,
    DOMAINS,
    FIRST,
    GENDERS,
    LAST,
    REASONS,
    SOURCES,
    STAGE_WEIGHTS,
    STATUSES,
)
from crm_app.services.principal import member
from crm_app.services.values import coerce_value, normalize_email, normalize_phone

ORG_NAME = "Northside Family Clinic"
OWNER_EMAIL = "owner@clinic.example"
CONTACT_COUNT = 300
WELCOME = (
    "Hello and welcome to Northside Family Clinic! I'm the clinic's virtual receptionist. "
    "I can help you book or change an appointment, answer questions about our services and "
    "insurance, or pass a message to our team. How can I help you today?"
)
TEAM = (  # email, first, last, role, works in the Reception agent
    ("admin@clinic.example", "Marcus", "Ortega", "Admin", True),
    ("frontdesk@clinic.example", "Aisha", "Karimi", "User", True),
    ("billing@clinic.example", "Tom", "Becker", "User", False),
)
CUSTOM_FIELDS = (
    {
        "label": "Date of birth",
        "type": "Date",
        "allow_ai": True,
        "ai_hint": "Patient's date of birth",
    },
    {
        "label": "Insurance provider",
        "type": "Dropdown",
        "allow_ai": True,
        "options": [
            "Aetna",
            "Blue Cross Blue Shield",
            "Cigna",
            "Humana",
            "Kaiser Permanente",
            "Medicare",
            "Medicaid",
            "UnitedHealthcare",
            "Self-pay",
        ],
    },
    {
        "label": "Preferred location",
        "type": "Dropdown",
        "allow_ai": True,
        "options": ["Northside Main", "Riverside Annex", "Telehealth"],
    },
    {
        "label": "Reason for visit",
        "type": "Long text",
        "allow_ai": True,
        "ai_hint": "Why the patient wants to see a doctor, in their own words",
    },
    {"label": "Newsletter", "type": "Checkbox", "allow_ai": False},
)


def seed_demo(session: Session) -> dict | None:
    """Create the demo clinic, or return None when any organization already exists."""
    if session.exec(select(func.count()).select_from(Organization)).one():
        return None
    rng = random.Random(42)
    owner = create_owner(session, OWNER_EMAIL, ORG_NAME, "Dana", "Whitfield")
    agent = create_agent(
        session, owner, "Reception", slug="reception", region="US", welcome_message=WELCOME
    )
    team = _add_team(session, owner, agent.id)
    custom = [
        fields.create_custom_field(
            session,
            owner,
            agent.id,
            label=spec["label"],
            type=spec["type"],
            options=spec.get("options", ()),
            allow_ai=spec["allow_ai"],
            ai_hint=spec.get("ai_hint", ""),
        )
        for spec in CUSTOM_FIELDS
    ]
    custom_fields = {f["label"]: session.get(ContactField, f["id"]) for f in custom}
    stages = {s.name: s.id for s in session.exec(select(Stage).where(Stage.agent_id == agent.id))}
    owners = [owner] + [m for m in team if agent.id in m.agent_ids or m.is_admin]
    contacts = _add_contacts(session, rng, agent, stages, owners, custom_fields)
    # Visitors chat with the receptionist at /a/reception; its Chat contacts came from chats.
    agent.visibility, agent.access_mode = "Public", "Use for Free"
    session.add(agent)
    chats = demo_chats.add_conversations(session, random.Random(7), agent, contacts, custom_fields)
    audit.record(
        session, owner, "Create", "Contact", f"Seeded {len(contacts)} demo contacts in {agent.name}"
    )
    return {
        "organization": ORG_NAME,
        "agent": agent.name,
        "agent_id": agent.id,
        "owner": OWNER_EMAIL,
        "members": [OWNER_EMAIL] + [m.email for m in team],
        "contacts": len(contacts),
        "conversations": chats,
    }


def _add_team(session: Session, owner: Actor, agent_id: int) -> list[Actor]:
    team = []
    for email, first, last, role, works_in_agent in TEAM:
        user = User(email=email, first_name=first, last_name=last)
        session.add(user)
        session.flush()
        session.add(
            Membership(
                org_id=owner.org_id,
                user_id=user.id,
                role=role,
                agent_ids=[agent_id] if works_in_agent and role == "User" else [],
            )
        )
        session.flush()
        audit.record(session, owner, "Create", "Member", f"Added {email} as {role} (demo data)")
        team.append(member(session, user.id, owner.org_id))
    return team


def _phone(rng: random.Random, used: set[str]) -> str:
    while True:
        raw = f"({rng.choice(AREA_CODES)}) {rng.randint(201, 989)}-{rng.randint(0, 9999):04d}"
        number = phonenumbers.parse(raw, "US")
        if raw[6:9] == "555" or not phonenumbers.is_valid_number(number):
            continue
        e164 = normalize_phone(raw, "US")
        if e164 not in used:
            used.add(e164)
            return e164


def _add_contacts(
    session: Session,
    rng: random.Random,
    agent,
    stages: dict[str, int],
    owners: list[Actor],
    custom_fields: dict[str, ContactField],
) -> list[Contact]:
    now = utcnow()
    stage_names = [
        name for name, weight in STAGE_WEIGHTS.items() for _ in range(weight) if name in stages
    ]
    used_emails: set[str] = set()
    used_phones: set[str] = set()
    contacts, rows = [], []
    for _ in range(CONTACT_COUNT):
        gender = rng.choice(GENDERS)
        pool = FIRST["Female" if gender == "Female" else "Male" if gender == "Male" else "Other"]
        first, last = rng.choice(pool), rng.choice(LAST)
        has = rng.random()  # 10% email only, 8% phone only, the rest both
        email = phone = None
        if has >= 0.08:
            local = rng.choice(
                [f"{first}.{last}", f"{first[0]}{last}", f"{first}{last[0]}", f"{first}_{last}"]
            )
            email = normalize_email(
                f"{local.replace(chr(39), '')}{rng.choice(['', str(rng.randint(1, 99))])}"
                f"@{rng.choice(DOMAINS)}"
            )
            while email in used_emails:
                email = email.replace("@", f"{rng.randint(0, 9)}@")
            used_emails.add(email)
        if has < 0.08 or has >= 0.18:
            phone = _phone(rng, used_phones)
        source = rng.choice(SOURCES)
        created = now - timedelta(days=rng.uniform(0, 120), minutes=rng.randint(0, 600))
        primary = rng.choice(owners)
        secondary = (
            rng.choice([o for o in owners if o.user_id != primary.user_id])
            if rng.random() < 0.2
            else None
        )
        creator = rng.choice(owners) if source in ("Manual", "Import") else None
        name = f"{first} {last}"
        contact = Contact(
            agent_id=agent.id,
            name=name,
            name_sort=name.lower(),
            email=email,
            phone=phone,
            gender=gender,
            source=source,
            stage_id=stages.get(rng.choice(stage_names)) if stage_names else None,
            status=rng.choice(STATUSES),
            primary_owner_id=primary.user_id,
            secondary_owner_id=secondary.user_id if secondary else None,
            created_by_id=creator.user_id if creator else None,
            member_set=sorted(
                k
                for k, v in {"name": name, "email": email, "phone": phone, "gender": gender}.items()
                if v
            )
            if source == "Manual"
            else [],
            created_at=created,
            updated_at=min(now, created + timedelta(days=rng.uniform(0, 10))),
        )
        contacts.append(contact)
        label = {
            "Chat": agent.name,
            "Form": "New patient intake",
            "Manual": creator.display_name if creator else "",
            "Import": creator.display_name if creator else "",
            "API": "Scheduling system",
        }[source]
        actor_type = {
            "Chat": "agent",
            "Form": "form",
            "Manual": "member",
            "Import": "import",
            "API": "api",
        }[source]
        rows.append(
            Activity(
                contact_id=contact.id,
                kind="created",
                actor_type=actor_type,
                actor_id=creator.user_id if creator else None,
                actor_label=label,
                message=f"Created via {source} by {label}",
                data={"source": source},
                created_at=created,
            )
        )
        rows.extend(_values(rng, contact.id, source, custom_fields))
    session.add_all(contacts)
    session.flush()
    session.add_all(rows)
    session.flush()
    return contacts


def _values(
    rng: random.Random, contact_id: str, source: str, custom: dict[str, ContactField]
) -> list[ContactValue]:
    raw = {}
    if rng.random() < 0.7:
        raw["Date of birth"] = (
            date(1945, 1, 1) + timedelta(days=rng.randint(0, 365 * 62))
        ).isoformat()
    if rng.random() < 0.8:
        raw["Insurance provider"] = rng.choice(custom["Insurance provider"].options)
    if rng.random() < 0.9:
        raw["Preferred location"] = rng.choice(custom["Preferred location"].options)
    if source in ("Chat", "Form") and rng.random() < 0.75:
        raw["Reason for visit"] = rng.choice(REASONS)
    if rng.random() < 0.85:
        raw["Newsletter"] = rng.random() < 0.4
    values = []
    for label, value in raw.items():
        field = custom[label]
        stored = coerce_value(field.type, value, field.options)
        values.append(
            ContactValue(
                contact_id=contact_id,
                field_id=field.id,
                value_text=stored[0],
                value_num=stored[1],
                value_json=stored[2],
            )
        )
    return values
