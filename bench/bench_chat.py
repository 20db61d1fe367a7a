"""Load benchmark for the visitor chat, end to end (issue #12). Figures are printed, never
asserted; the database checks print PASS/FAIL.

    python bench/bench_chat.py [--visitors 100] [--duration 60] [--interval 3.5]
                               [--database sqlite|postgresql] [--postgres-url URL]
                               [--redis-url redis://127.0.0.1:6379/5] [--workers N] [--save]

Copies the project into a temp dir (bench/_server.py, like bench_forms.py), creates a fresh
database (SQLite file, or a new PostgreSQL database on --postgres-url's server), migrates it,
runs `python -m crm_app.cli seed-demo` (the Reception agent is Public · Use for Free; name,
email, phone and four custom fields have Allow for AI on) and serves the app with
`reflex run --env prod --single-port` — one backend worker, or with --redis-url Reflex's
2 × cores + 1 (GRANIAN_WORKERS=--workers to choose). The offline reply engine answers.

Then --visitors concurrent visitors (asyncio, one shared httpx.AsyncClient) each take a
token (POST /api/public-chat/reception/visitors), start a conversation and, for --duration
seconds, send realistic messages (most visitors give a name and a distinct email at some
point, some a phone, a date of birth, an insurer, a location; a quarter stay anonymous),
reading each Server-Sent-Events stream to `done`. Prints messages/s, time to the first
`delta` and to `done` (p50/p95), errors by kind and the load average, then checks in the
database that every accepted message is stored exactly once, replies match `done` events,
and one `via Chat` contact exists per distinct email given.

Rate limits (services/chat/turn.py): 20 messages per visitor per 60 s — each visitor sends
one message every --interval seconds (3.5 s: at most 18 a minute), so HTTP 429 must stay 0;
60 messages and 30 conversation starts per IP per 60 s, which 100 visitors on one loopback
address would exceed within seconds. Those limits have no setting of their own; the bench
starts the server with CRM_TRUSTED_PROXY_HOPS=1 (the deployment setting for a reverse proxy
in front) and gives each visitor its own X-Forwarded-For address, as a proxy would.
`--same-ip` leaves the header out to show what the per-IP limit does to one address.

--base-url URL reuses a running server (seeded, slug --slug; start it with
CRM_TRUSTED_PROXY_HOPS=1 or use --same-ip) and --database-url points the checks at its
database.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from _server import (  # noqa: E402  (bench/, beside this script)
    copy_project,
    free_port,
    group_cpu_seconds,
    migrate,
    percentile,
    redis_ok,
    server_env,
    start,
    stop,
    wait_up,
)
from scratch_db import postgres_database  # noqa: E402

EMAIL_DOMAIN = "chat-bench.example"
DEMO_SLUG = "reception"

FIRST = ["Maria", "James", "Aisha", "Tom", "Sofia", "Liam", "Chen", "Fatima", "Lucas", "Emma"]
FIRST += ["Noah", "Priya", "Diego", "Hannah", "Omar", "Grace", "Mateo", "Yuki", "Ivan", "Nora"]
LAST = ["Lopez", "Becker", "Nguyen", "Okafor", "Rossi", "Kowalski", "Haddad", "Schmidt"]
LAST += ["Patel", "Johnson", "Moreau", "Silva", "Kim", "Fischer", "Brennan", "Alvarez"]
OPENERS = [
    "Hi, I'd like to book a check-up for next week.",
    "Hello! Are you taking new patients at the moment?",
    "Hey, I need to reschedule my appointment, is that possible here?",
    "Good morning, what are your opening hours on Saturday?",
    "hi there",
    "Hello, my son has had a cough for a week and I'd like someone to look at it.",
    "Do you do flu shots without an appointment?",
]
QUESTIONS = [
    "Do you have parking at the clinic?",
    "How much is a consultation without insurance?",
    "What should I bring to my first visit?",
    "Is there a doctor who speaks Spanish?",
    "Can I get a same-day appointment if it's urgent?",
    "How long does a usual check-up take?",
    "Do you offer telehealth visits?",
    "Is the Riverside Annex wheelchair accessible?",
    "Can I get my lab results online?",
    "What happens if I'm 10 minutes late?",
    "ok thanks",
    "Thank you!",
]
INSURERS = ["Aetna", "Cigna", "Humana", "Medicare", "Blue Cross Blue Shield", "UnitedHealthcare"]
LOCATIONS = ["Northside Main", "Riverside Annex", "Telehealth"]


@dataclass
class Visitor:
    """One visitor's script: what they say, in order, then questions until the time is up."""

    index: int
    ip: str
    email: str | None  # None: stays anonymous
    phone: str | None
    lines: list[str]
    rng: random.Random

    def line(self, k: int) -> str:
        if k < len(self.lines):
            return self.lines[k]
        return self.rng.choice(QUESTIONS)


def _visitors(n: int, taken_phones: set[str], seed: int = 12) -> list[Visitor]:
    import phonenumbers

    from crm_app.services.demo_data import AREA_CODES
    from crm_app.services.values import normalize_phone

    rng = random.Random(seed)
    run = secrets.token_hex(2)
    out = []
    for i in range(n):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        kind = rng.random()
        email = None if kind < 0.25 else f"{first}.{last}.{i}.{run}@{EMAIL_DOMAIN}".lower()
        phone = None
        if email and rng.random() < 0.4:
            while True:
                raw = (
                    f"({rng.choice(AREA_CODES)}) {rng.randint(201, 989)}-{rng.randint(0, 9999):04d}"
                )
                if raw[6:9] == "555" or not phonenumbers.is_valid_number(
                    phonenumbers.parse(raw, "US")
                ):
                    continue
                e164 = normalize_phone(raw, "US")
                if e164 not in taken_phones:
                    taken_phones.add(e164)
                    phone = raw
                    break
        lines = [rng.choice(OPENERS)]
        if email is None:
            lines += rng.sample(QUESTIONS, 3)
        elif kind < 0.65:  # name and email together
            lines.append(
                rng.choice(
                    [
                        f"I'm {first} {last}, my email is {email}",
                        f"My name is {first} {last} and you can email me at {email}",
                        f"this is {first} {last} - {email}",
                    ]
                )
            )
        else:  # the name first, the email a little later
            lines.append(rng.choice([f"My name is {first} {last}.", f"I'm {first}."]))
            lines.append(rng.choice(QUESTIONS))
            lines.append(rng.choice([f"Sure, it's {email}", f"You can reach me at {email}"]))
        if phone:
            lines.append(
                rng.choice([f"My phone number is {phone}", f"or call me on {phone} after 5pm"])
            )
        if email and rng.random() < 0.5:
            year, month, day = rng.randint(1950, 2005), rng.randint(1, 12), rng.randint(1, 28)
            lines.append(f"My date of birth is {month}/{day}/{year}")
        if email and rng.random() < 0.5:
            lines.append(f"I have {rng.choice(INSURERS)} insurance.")
        if rng.random() < 0.3:
            lines.append(f"{rng.choice(LOCATIONS)} would be best for me.")
        ip = f"10.{20 + i // 65000}.{(i // 250) % 250}.{i % 250 + 1}"
        out.append(Visitor(i, ip, email, phone, lines, random.Random(seed * 1000 + i)))
    return out


@dataclass
class Tally:
    sent: int = 0
    accepted: int = 0
    done: int = 0
    done_ok: int = 0
    errors: Counter = field(default_factory=Counter)
    first_delta: list[float] = field(default_factory=list)
    to_done: list[float] = field(default_factory=list)
    to_accepted: list[float] = field(default_factory=list)
    accepted_by_conv: Counter = field(default_factory=Counter)
    done_ok_by_conv: Counter = field(default_factory=Counter)
    conversations: list[int] = field(default_factory=list)
    emails_given: set[str] = field(default_factory=set)
    setup_errors: Counter = field(default_factory=Counter)


async def _send(client, url: str, headers: dict, text: str, conv: int, tally: Tally, v: Visitor):
    import httpx

    tally.sent += 1
    started = time.perf_counter()
    got_delta = got_done = False
    try:
        async with client.stream("POST", url, json={"text": text}, headers=headers) as response:
            if response.status_code != 200:
                await response.aread()
                tally.errors[f"HTTP {response.status_code}"] += 1
                return
            event = ""
            async for line in response.aiter_lines():
                if line.startswith("event: "):
                    event = line[7:]
                elif line.startswith("data: "):
                    now = time.perf_counter()
                    data = json.loads(line[6:])
                    if event == "accepted":
                        tally.accepted += 1
                        tally.accepted_by_conv[conv] += 1
                        tally.to_accepted.append(now - started)
                        if v.email and v.email in text:
                            tally.emails_given.add(v.email)
                    elif event == "delta" and not got_delta:
                        got_delta = True
                        tally.first_delta.append(now - started)
                    elif event == "done":
                        got_done = True
                        tally.done += 1
                        tally.to_done.append(now - started)
                        if data["reply"]["status"] == "ok":
                            tally.done_ok += 1
                            tally.done_ok_by_conv[conv] += 1
                        else:
                            tally.errors[f"reply status {data['reply']['status']}"] += 1
                    elif event == "error":
                        tally.errors["SSE error event"] += 1
            if not got_done:
                tally.errors["stream ended before done"] += 1
    except httpx.TimeoutException:
        tally.errors["timeout"] += 1
    except (httpx.HTTPError, OSError, ValueError) as exc:
        tally.errors[type(exc).__name__] += 1


async def _load(
    base_url: str, slug: str, visitors: list[Visitor], args
) -> tuple[Tally, float, float]:
    """Returns the tally, the load's wall seconds and this process's CPU seconds in it."""
    import httpx

    api = f"{base_url}/api/public-chat/{slug}"
    tally = Tally()
    limits = httpx.Limits(
        max_connections=len(visitors) + 10, max_keepalive_connections=len(visitors) + 10
    )
    async with httpx.AsyncClient(timeout=120, limits=limits) as client:

        async def setup(v: Visitor) -> tuple[dict, int] | None:
            headers = {} if args.same_ip else {"X-Forwarded-For": v.ip}
            try:
                r = await client.post(f"{api}/visitors", headers=headers)
                if r.status_code != 201:
                    tally.setup_errors[f"visitor token HTTP {r.status_code}"] += 1
                    return None
                headers["X-Visitor-Token"] = r.json()["data"]["token"]
                r = await client.post(f"{api}/conversations", headers=headers)
                if r.status_code != 201:
                    tally.setup_errors[f"start conversation HTTP {r.status_code}"] += 1
                    return None
            except httpx.HTTPError as exc:
                tally.setup_errors[type(exc).__name__] += 1
                return None
            conv = r.json()["data"]["id"]
            tally.conversations.append(conv)
            return headers, conv

        ready = await asyncio.gather(*(setup(v) for v in visitors))
        loop = asyncio.get_running_loop()
        load_start = loop.time()
        deadline = load_start + args.duration
        cpu_start = time.process_time()

        async def chat(v: Visitor, headers: dict, conv: int) -> None:
            url = f"{api}/conversations/{conv}/messages"
            next_at = load_start + v.rng.uniform(0, args.interval)  # spread the first messages
            k = 0
            while next_at < deadline:
                await asyncio.sleep(max(0.0, next_at - loop.time()))
                next_at = loop.time() + args.interval  # paced from the start of each send
                await _send(client, url, headers, v.line(k), conv, tally, v)
                k += 1

        await asyncio.gather(*(chat(v, *r) for v, r in zip(visitors, ready) if r is not None))
        return tally, loop.time() - load_start, time.process_time() - cpu_start


def _client_checks(args, tally: Tally) -> list[tuple[bool, str]]:
    """What the clients saw: no 429 while paced under the per-visitor limit (one address per
    visitor), every visitor's conversation started, every accepted message answered."""
    checks = [
        (
            len(tally.conversations) == args.visitors,
            f"conversations started {len(tally.conversations)} == visitors {args.visitors}",
        ),
        (
            tally.done == tally.accepted,
            f"done events {tally.done} == accepted {tally.accepted}",
        ),
    ]
    if not args.same_ip:
        refused = tally.errors.get("HTTP 429", 0)
        checks.insert(0, (refused == 0, f"HTTP 429 while paced: {refused}"))
    return checks


def _verify(database_url: str, slug: str, tally: Tally) -> list[tuple[bool, str]]:
    from sqlalchemy import func
    from sqlmodel import Session, select

    from crm_app.db import make_engine
    from crm_app.models import Agent, Contact, Conversation, Message

    engine = make_engine(database_url)
    convs = list(tally.conversations)
    checks: list[tuple[bool, str]] = []
    with Session(engine) as s:
        agent = s.exec(select(Agent).where(Agent.slug == slug)).one()
        stored = Counter(
            dict(
                s.exec(
                    select(Message.conversation_id, func.count())
                    .where(Message.conversation_id.in_(convs), Message.role == "visitor")
                    .group_by(Message.conversation_id)
                ).all()
            )
        )
        lost = sum(max(0, tally.accepted_by_conv[c] - stored[c]) for c in convs)
        extra = sum(max(0, stored[c] - tally.accepted_by_conv[c]) for c in convs)
        off = sum(1 for c in convs if stored[c] != tally.accepted_by_conv[c])
        checks.append(
            (
                lost == 0 and extra == 0,
                f"visitor messages stored {sum(stored.values())} == accepted {tally.accepted} "
                f"(per conversation: {off} of {len(convs)} differ, {lost} lost, {extra} extra)",
            )
        )
        twins = s.exec(
            select(Message.conversation_id, Message.content, Message.created_at, func.count())
            .where(Message.conversation_id.in_(convs))
            .group_by(Message.conversation_id, Message.content, Message.created_at)
            .having(func.count() > 1)
        ).all()
        checks.append(
            (
                not twins,
                f"no two identical (conversation, content, created_at) rows: {len(twins)} groups",
            )
        )
        agent_rows = s.exec(
            select(Message.conversation_id, Message.status, Message.id)
            .where(Message.conversation_id.in_(convs), Message.role == "agent")
            .order_by(Message.id)
        ).all()
        welcome_seen: set[int] = set()
        ok_replies: Counter = Counter()
        statuses: Counter = Counter()
        for conv, status, _id in agent_rows:
            if conv not in welcome_seen:  # the first agent message is the welcome
                welcome_seen.add(conv)
                continue
            statuses[status] += 1
            if status == "ok":
                ok_replies[conv] += 1
        off = sum(1 for c in convs if ok_replies[c] != tally.done_ok_by_conv[c])
        checks.append(
            (
                sum(ok_replies.values()) == tally.done_ok and off == 0,
                f"agent replies with status ok {sum(ok_replies.values())} == done events (ok) "
                f"{tally.done_ok} (per conversation: {off} differ; replies by status {dict(statuses)})",
            )
        )
        checks.append(
            (
                statuses["pending"] == 0,
                f"no reply left pending: {statuses['pending']}",
            )
        )
        rows = s.exec(
            select(Contact.email, Contact.source).where(
                Contact.agent_id == agent.id, Contact.email.like(f"%@{EMAIL_DOMAIN}")
            )
        ).all()
        emails = [e for e, _ in rows]
        via_chat = sum(1 for _, source in rows if source == "Chat")
        checks.append(
            (
                len(rows) == len(tally.emails_given) == via_chat
                and set(emails) == tally.emails_given,
                f"contacts created {len(rows)} (via Chat {via_chat}, distinct {len(set(emails))}) "
                f"== distinct emails given {len(tally.emails_given)}",
            )
        )
        linked = s.exec(
            select(func.count())
            .select_from(Conversation)
            .where(Conversation.id.in_(convs), Conversation.contact_id.is_not(None))
        ).one()
        checks.append(
            (
                linked == len(tally.emails_given),
                f"conversations linked to a contact {linked} == visitors who gave an email "
                f"{len(tally.emails_given)}",
            )
        )
    engine.dispose()
    return checks


def _seed(work: Path, env: dict[str, str], database_url: str) -> set[str]:
    """seed-demo in the fresh database; returns the demo contacts' phones (visitors avoid them)."""
    subprocess.run(
        [sys.executable, "-m", "crm_app.cli", "seed-demo"],
        cwd=work,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
    )
    from sqlmodel import Session, select

    from crm_app.db import make_engine
    from crm_app.models import Contact

    engine = make_engine(database_url)
    with Session(engine) as s:
        phones = {p for p in s.exec(select(Contact.phone)).all() if p}
    engine.dispose()
    return phones


def _commit() -> str:
    try:
        out = subprocess.run(
            ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", str(ROOT), "status", "--porcelain", "--untracked-files=no"],
            capture_output=True,
            text=True,
        ).stdout.strip()
        return out + ("+changes" if dirty else "")
    except Exception:
        return "unknown"


def report(
    args,
    kind: str,
    tally: Tally,
    seconds: float,
    cpu: float,
    load,
    checks,
    note: str,
    server_cpu: float | None = None,
) -> str:
    ms = lambda xs, p: f"{percentile(xs, p) * 1000:.0f}" if xs else "-"  # noqa: E731
    errors = ", ".join(f"{k}: {v}" for k, v in sorted(tally.errors.items())) or "none"
    lines = [
        f"## Chat load: {kind}, {args.visitors} visitors, {args.duration:.0f} s "
        f"(commit {_commit()}, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC)",
        "",
        f"server: {note}; one message per visitor every {args.interval} s; "
        + (
            "all visitors on one address (--same-ip)"
            if args.same_ip
            else "one X-Forwarded-For address per visitor"
        ),
        "",
        "| visitors | duration s | messages sent | accepted | replies done | errors | messages/s "
        "| first delta p50 / p95 ms | done p50 / p95 ms | load avg before → after | CPUs |",
        "|---:|---:|---:|---:|---:|---|---:|---|---|---|---:|",
        f"| {args.visitors} | {seconds:.1f} | {tally.sent} | {tally.accepted} | {tally.done} | {errors} "
        f"| {tally.done / seconds:.1f} | {ms(tally.first_delta, 50)} / {ms(tally.first_delta, 95)} "
        f"| {ms(tally.to_done, 50)} / {ms(tally.to_done, 95)} "
        f"| {load[0]:.1f} → {load[1]:.1f} | {os.cpu_count()} |",
        "",
        f"conversations started {len(tally.conversations)} of {args.visitors}"
        + (f" (setup errors: {dict(tally.setup_errors)})" if tally.setup_errors else "")
        + f"; HTTP 429: {tally.errors.get('HTTP 429', 0)}; accepted p50 / p95 "
        f"{ms(tally.to_accepted, 50)} / {ms(tally.to_accepted, 95)} ms; "
        f"bench client CPU {cpu:.1f} s ({cpu / seconds * 100:.0f}% of a core)"
        + (
            f"; server CPU {server_cpu:.1f} s ({server_cpu / seconds * 100:.0f}% of a core, "
            f"{server_cpu / max(1, tally.done) * 1000:.1f} ms a message)"
            if server_cpu is not None
            else ""
        ),
        "",
    ]
    lines += [("PASS " if ok else "FAIL ") + text for ok, text in checks]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--visitors", type=int, default=100)
    parser.add_argument("--duration", type=float, default=60)
    parser.add_argument(
        "--interval", type=float, default=3.5, help="seconds between one visitor's messages"
    )
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get("CRM_BENCH_POSTGRES_URL")
        or "postgresql://postgres@127.0.0.1:5432/postgres",
        help="a server URL: a fresh database is created on it and dropped afterwards",
    )
    parser.add_argument("--redis-url", default="", help="serve with Redis (several workers)")
    parser.add_argument("--workers", type=int, default=0, help="GRANIAN_WORKERS (with Redis)")
    parser.add_argument("--same-ip", action="store_true", help="no X-Forwarded-For per visitor")
    parser.add_argument("--base-url", default="", help="reuse a running, seeded server")
    parser.add_argument("--slug", default=DEMO_SLUG)
    parser.add_argument("--database-url", default="", help="with --base-url: its database")
    parser.add_argument(
        "--project", default="", help="serve this checkout instead of this script's (a copy)"
    )
    parser.add_argument("--label", default="", help="names the saved file instead of the commit")
    parser.add_argument("--save", action="store_true", help="write bench/results/<time>_chat_*.md")
    parser.add_argument("--keep", action="store_true", help="keep the temp dir (server log)")
    args = parser.parse_args(argv)
    if args.redis_url and not redis_ok(args.redis_url):
        sys.exit(f"Redis at {args.redis_url} does not answer")

    if args.base_url:
        tally, seconds, cpu, load, note, visitors = _against(args.base_url, args, set())
        checks = _client_checks(args, tally)
        checks += _verify(args.database_url, args.slug, tally) if args.database_url else []
        kind = "running server"
        out = report(args, kind, tally, seconds, cpu, load, checks, note)
    else:
        tmp = Path(tempfile.mkdtemp(prefix="crm-bench-chat-"))
        try:
            print(f"copying the project to {tmp} ...", flush=True)
            work = copy_project(tmp, Path(args.project) if args.project else ROOT)
            data_dir = tmp / "data"
            data_dir.mkdir()
            if args.database == "sqlite":
                out = _serve_and_load(args, tmp, work, data_dir, f"sqlite:///{data_dir / 'crm.db'}")
            else:
                with postgres_database(args.postgres_url, "crm_bench_chat") as url:
                    out = _serve_and_load(args, tmp, work, data_dir, url)
        finally:
            if args.keep:
                print(f"kept {tmp}")
            else:
                shutil.rmtree(tmp, ignore_errors=True)
    print("\n" + out)
    if args.save:
        stamp = datetime.now(UTC).strftime("%Y-%m-%d_%H%M")
        name = f"{stamp}_chat_{args.database if not args.base_url else 'server'}"
        name += f"{'_redis' if args.redis_url else ''}_{args.label or _commit()}.md"
        path = ROOT / "bench" / "results" / name
        command = "python bench/bench_chat.py " + " ".join(sys.argv[1:] if argv is None else argv)
        path.write_text(f"    {command}\n\n{out}")
        print(f"saved {path.relative_to(ROOT)}")


def _serve_and_load(args, tmp: Path, work: Path, data_dir: Path, database_url: str) -> str:
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    extra = {} if args.same_ip else {"CRM_TRUSTED_PROXY_HOPS": "1"}
    if args.workers:
        extra["GRANIAN_WORKERS"] = str(args.workers)
    env = server_env(data_dir, database_url, base_url, args.redis_url or None, extra)
    log = tmp / "server.log"
    migrate(work, env)
    print("seeding the demo organization ...", flush=True)
    phones = _seed(work, env, database_url)
    capture = (work / "crm_app" / "services" / "chat" / "capture.py").exists()
    proc = start(work, env, port, log)
    try:
        print(f"starting the production server on {base_url} (front-end build) ...", flush=True)
        wait_up(proc, base_url, log)
        server_before = group_cpu_seconds(proc.pid)
        tally, seconds, cpu, load, note, _ = _against(base_url, args, phones)
        server_cpu = group_cpu_seconds(proc.pid) - server_before
    finally:
        stop(proc)
    workers = args.workers or (2 * (os.cpu_count() or 1) + 1 if args.redis_url else 1)
    note = (
        f"reflex run --env prod --single-port, {args.database}, "
        f"{'Redis, ' if args.redis_url else ''}{workers} backend worker{'s' if workers > 1 else ''}"
        + (f"; served a copy of {args.project}" if args.project else "")
        + (
            ""
            if capture
            else "; services/chat/capture.py absent in this checkout: nothing is captured"
        )
    )
    checks = _client_checks(args, tally) + _verify(database_url, args.slug, tally)
    return report(args, args.database, tally, seconds, cpu, load, checks, note, server_cpu)


def _against(base_url: str, args, phones: set[str]):
    visitors = _visitors(args.visitors, phones)
    print(f"{args.visitors} visitors for {args.duration:.0f} s against {base_url} ...", flush=True)
    load_before = os.getloadavg()[0]
    tally, seconds, cpu = asyncio.run(_load(base_url, args.slug, visitors, args))
    load_after = os.getloadavg()[0]
    return tally, seconds, cpu, (load_before, load_after), f"{base_url}", visitors


if __name__ == "__main__":
    main()
