"""History at scale (issue #12): one agent with CONVERSATIONS conversations (default 100,000):
a third linked to 10,000 contacts, the rest anonymous visitors (one to three chats each),
plus Playground tests; two messages per conversation. Times the History services as the
Owner and prints a table (never asserted).

    python bench/bench_history.py [--conversations 100000] [--runs 20] [--database-url URL [--reuse]]

Without --database-url it builds a throw-away SQLite file in /tmp (about a minute for 100k).
"""

from __future__ import annotations

import argparse
import hashlib
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def _build(url: str, conversations: int) -> dict:
    from sqlalchemy import insert
    from sqlmodel import Session, SQLModel

    import crm_app.models  # noqa: F401
    from crm_app.db import make_engine
    from crm_app.models import Agent, Contact, Conversation, Membership, Message, Organization, User
    from crm_app.services import fields, principal, stages

    engine = make_engine(url)
    SQLModel.metadata.create_all(engine)
    rng = random.Random(7)
    t0 = datetime(2025, 1, 1, tzinfo=UTC)
    with Session(engine) as s:
        org = Organization(name="Bench clinic")
        owner = User(email="owner@bench.example", first_name="Olive", last_name="Owner")
        s.add_all([org, owner])
        s.flush()
        s.add(Membership(org_id=org.id, user_id=owner.id, role="Owner"))
        agent = Agent(org_id=org.id, name="Reception", slug="bench-history")
        s.add(agent)
        s.flush()
        fields.install_default_fields(s, agent.id)
        stages.install_default_stages(s, agent.id)
        first = ["Maria", "John", "Aisha", "Chen", "Lucas", "Sofia", "Omar", "Emma", "Noah", "Ivy"]
        last = ["Lopez", "Smith", "Khan", "Wei", "Martin", "Rossi", "Haddad", "Brown", "Kim"]
        contacts = []
        for i in range(10_000):
            name = f"{rng.choice(first)} {rng.choice(last)} {i}"
            contacts.append(
                {
                    "id": f"{i:024x}",
                    "agent_id": agent.id,
                    "name": name,
                    "name_sort": name.lower(),
                    "email": f"person{i}@example.com",
                    "phone": f"+1415555{i:04d}",
                    "source": "Chat",
                    "status": "Active",
                    "archived": False,
                    "member_set": [],
                    "created_at": t0,
                    "updated_at": t0,
                }
            )
        s.execute(insert(Contact), contacts)
        convs, n = [], 0
        while n < conversations:
            at = t0 + timedelta(minutes=n)
            if n % 3 == 0:
                contact = contacts[rng.randrange(len(contacts))]["id"]
                vid = hashlib.sha256(contact.encode()).hexdigest()
                extra = {"contact_id": contact, "test": False}
            elif n % 997 == 0:
                vid, extra = f"member:{owner.id}", {"test": True, "member_id": owner.id}
            else:
                vid = hashlib.sha256(f"v{n // 2}".encode()).hexdigest()
                extra = {"test": False}
            convs.append(
                {
                    "agent_id": agent.id,
                    "visitor_id": vid,
                    "title": "",
                    "created_at": at,
                    "updated_at": at,
                    "last_message_at": at,
                    "captured": {},
                    **extra,
                }
            )
            n += 1
        s.execute(insert(Conversation), convs)
        ids = [
            row[0]
            for row in s.execute(
                Conversation.__table__.select().with_only_columns(Conversation.__table__.c.id)
            )
        ]
        messages = []
        for cid in ids:
            messages.append(
                {
                    "conversation_id": cid,
                    "role": "visitor",
                    "content": "What are your hours?",
                    "created_at": t0,
                    "feedback": "",
                    "status": "ok",
                    "data": {},
                }
            )
            messages.append(
                {
                    "conversation_id": cid,
                    "role": "agent",
                    "content": "We open at 9.",
                    "created_at": t0,
                    "feedback": "",
                    "status": "ok",
                    "data": {},
                }
            )
        s.execute(insert(Message), messages)
        s.commit()
        actor = principal.member(s, owner.id, org.id)
        return {"agent_id": agent.id, "actor": actor, "contact": contacts[5]["id"], "conv": ids[-1]}


def _existing(url: str) -> dict:
    from sqlmodel import Session, func, select

    from crm_app.db import make_engine
    from crm_app.models import Agent, Contact, Conversation, User
    from crm_app.services import principal

    with Session(make_engine(url)) as s:
        agent = s.exec(select(Agent).where(Agent.slug == "bench-history")).one()
        owner = s.exec(select(User).where(User.email == "owner@bench.example")).one()
        contact = s.exec(select(Contact.id).where(Contact.agent_id == agent.id).offset(5)).first()
        conv = s.exec(select(func.max(Conversation.id))).one()
        actor = principal.member(s, owner.id, agent.org_id)
        return {"agent_id": agent.id, "actor": actor, "contact": contact, "conv": conv}


def _time(runs: int, call) -> tuple[float, float]:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        call()
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    return statistics.median(samples), samples[max(0, int(len(samples) * 0.95) - 1)]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--conversations", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--reuse", action="store_true", help="the database is already built")
    args = parser.parse_args()
    url = args.database_url
    if not url:
        url = f"sqlite:///{tempfile.mkdtemp(prefix='crm-bench-history-')}/bench.db"
    os.environ.setdefault("CRM_DATA_DIR", tempfile.mkdtemp(prefix="crm-bench-data-"))

    from sqlmodel import Session

    from crm_app.db import make_engine
    from crm_app.services import timeline
    from crm_app.services.chat import history

    started = time.perf_counter()
    world = _existing(url) if args.reuse else _build(url, args.conversations)
    print(
        f"built {args.conversations:,} conversations in {time.perf_counter() - started:.0f} s ({url})"
    )
    engine = make_engine(url)
    a, agent = world["actor"], world["agent_id"]
    cases = [
        ("users, first page (50)", lambda s: history.history_users(s, a, agent)),
        ("users, 500 (Show more x9)", lambda s: history.history_users(s, a, agent, limit=500)),
        ("users, search 'maria'", lambda s: history.history_users(s, a, agent, "maria")),
        ("users, search 'anon'", lambda s: history.history_users(s, a, agent, "anon")),
        ("a contact's chats", lambda s: history.history_chats(s, a, agent, world["contact"])),
        ("a transcript", lambda s: history.history_transcript(s, a, agent, world["conv"])),
        (
            "contact tab: conversations",
            lambda s: timeline.list_conversations(s, a, agent, world["contact"]),
        ),
    ]
    print("\n| case | p50 ms | p95 ms |\n|---|---|---|")
    with Session(engine) as s:
        for name, call in cases:
            p50, p95 = _time(args.runs, lambda call=call: call(s))
            print(f"| {name} | {p50:.1f} | {p95:.1f} |")
    print(f"\nload average: {os.getloadavg()}")


if __name__ == "__main__":
    main()
