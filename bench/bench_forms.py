"""Load benchmark for public form submissions (issue #6). Figures are printed, never asserted.

    python bench/bench_forms.py [--submissions 5000] [--clients 50] [--databases sqlite,postgresql]
                                [--postgres-url postgresql://postgres@127.0.0.1:5432/postgres]
                                [--redis-url redis://127.0.0.1:6379]

For each database: copies the project into a temp dir (its own .web, so the e2e tests of the
checkout are not disturbed), creates a fresh database (SQLite file, or a new PostgreSQL
database), migrates it, seeds an organization, an agent and a published form, serves the
app with `reflex run --env prod --single-port` on a free loopback port, then 50 concurrent
clients (httpx, asyncio) POST 5,000 submissions to /api/forms/<slug>/submit — the endpoint
the public page itself posts to — 10% of them repeating an earlier email. Prints
submissions/s and p50/p99 latency, then checks in the database that every accepted
submission is stored exactly once (each carries a unique reference answer), that nothing
was quarantined, and that contacts were deduplicated (one per distinct email).

Rate limit: the per-IP limit would (rightly) quarantine 5,000 posts from one loopback
address, so the bench starts the server with CRM_FORM_RATE_LIMIT=0 (documented in
crm_app/services/spam.py). Fill time: clients fetch the form's signed render stamp once and
wait the minimum fill time before posting, exactly like a person on the public page.
With --redis-url (default: CRM_BENCH_REDIS_URL or redis://127.0.0.1:6379 when it answers)
Reflex runs several backend workers; without Redis it runs one.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import secrets
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from _server import (  # noqa: E402  (bench/, beside this script)
    copy_project,
    free_port,
    migrate,
    percentile,
    redis_ok,
    server_env,
    start,
    stop,
    wait_up,
)
from scratch_db import postgres_database  # noqa: E402


def _seed(database_url: str, data_dir: Path) -> str:
    """An organization, agent and published form in the fresh database; returns the slug."""
    os.environ["CRM_DATA_DIR"] = str(data_dir)
    os.environ["CRM_DATABASE_URL"] = database_url
    from crm_app import db, settings
    from crm_app.services import agents, forms

    settings.get_settings.cache_clear()
    db.get_engine.cache_clear()
    with db.session_scope() as s:
        owner = agents.create_owner(s, "owner@bench.example", "Bench Clinic", "Bea", "Bench")
        agent = agents.create_agent(s, owner, "Front Desk", f"bench-{secrets.token_hex(3)}")
        form = forms.create_form(s, owner, agent.id, "Book a visit")
        forms.save_draft(
            s,
            owner,
            agent.id,
            form.id,
            {
                "elements": [
                    {
                        "id": "name",
                        "type": "short_text",
                        "label": "Your name",
                        "required": True,
                        "maps_to": "name",
                    },
                    {
                        "id": "email",
                        "type": "email",
                        "label": "Email",
                        "required": True,
                        "maps_to": "email",
                    },
                    {"id": "reason", "type": "long_text", "label": "Reason for visit"},
                    {
                        "id": "clinic",
                        "type": "dropdown",
                        "label": "Clinic",
                        "options": ["Downtown", "Harbor"],
                    },
                    {"id": "ref", "type": "short_text", "label": "Reference"},
                ],
                "settings": {"title": "Book a visit"},
            },
        )
        forms.publish(s, owner, agent.id, form.id)
        slug = form.slug
    db.get_engine().dispose()
    return slug


def _payloads(n: int, repeat_share: float, rng: random.Random) -> list[dict]:
    out, emails = [], []
    for i in range(n):
        if emails and rng.random() < repeat_share:
            email = rng.choice(emails)
        else:
            email = f"visitor{i}.{secrets.token_hex(2)}@example.com"
            emails.append(email)
        out.append(
            {
                "name": f"Visitor {i}",
                "email": email,
                "reason": "Check-up " * rng.randint(1, 20),
                "clinic": rng.choice(["Downtown", "Harbor"]),
                "ref": f"r{i:06d}",
            }
        )
    return out


class StaleConnection(ConnectionError):
    """The server closed the connection without a byte of answer."""


async def _http_post(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, head: bytes, body: bytes
) -> int:
    """One POST on a kept-alive HTTP/1.1 connection; returns the status (the body is read and dropped)."""
    writer.write(head + str(len(body)).encode() + b"\r\n\r\n" + body)
    await writer.drain()
    status_line = await reader.readline()
    if not status_line:
        raise StaleConnection("closed before answering")
    status = int(status_line.split(b" ", 2)[1])
    length, chunked, close = 0, False, False
    while (line := await reader.readline()) not in (b"\r\n", b""):
        name, _, value = line.partition(b":")
        name = name.strip().lower()
        if name == b"content-length":
            length = int(value)
        elif name == b"transfer-encoding" and b"chunked" in value.lower():
            chunked = True
        elif name == b"connection" and b"close" in value.lower():
            close = True
    if chunked:
        while size := int((await reader.readline()).split(b";")[0], 16):
            await reader.readexactly(size + 2)
        await reader.readline()
    elif length:
        await reader.readexactly(length)
    if close:
        raise ConnectionResetError("server closed the connection")
    return status


async def _load(
    base_url: str, slug: str, payloads: list[dict], clients: int
) -> tuple[list, list, float]:
    """`clients` concurrent visitors, each on its own kept-alive connection, posting JSON to
    the page's endpoint. A raw asyncio HTTP/1.1 client: httpx cost ~5 ms of CPU per request,
    which on this 2-core machine came straight out of the server's share."""
    import json
    from urllib.parse import urlsplit

    import httpx

    async with httpx.AsyncClient(base_url=base_url, timeout=60) as client:
        # One page rendering per visitor: a render token is good for one submission.
        gate = asyncio.Semaphore(clients)

        async def render() -> str:
            async with gate:
                return (await client.get(f"/api/forms/{slug}")).json()["token"]

        tokens = await asyncio.gather(*(render() for _ in payloads))
    from crm_app.services.spam import MIN_FILL_SECONDS

    await asyncio.sleep(MIN_FILL_SECONDS + 0.2)  # like a person filling the page
    url = urlsplit(base_url)
    head = (
        f"POST /api/forms/{slug}/submit HTTP/1.1\r\nHost: {url.netloc}\r\n"
        "Content-Type: application/json\r\nAccept: application/json\r\nContent-Length: "
    ).encode()
    queue: asyncio.Queue = asyncio.Queue()
    for p, token in zip(payloads, tokens):
        queue.put_nowait((p, token))
    latencies: list[float] = []
    results: list[tuple[str, int]] = []

    async def worker():
        conn = None
        while True:
            try:
                answers, token = queue.get_nowait()
            except asyncio.QueueEmpty:
                break
            body = json.dumps({"answers": answers, "token": token, "website": ""}).encode()
            started = time.perf_counter()
            status = 0
            for _attempt in range(2):
                reused = conn is not None
                try:
                    if conn is None:
                        conn = await asyncio.open_connection(url.hostname, url.port)
                    status = await asyncio.wait_for(_http_post(*conn, head, body), 60)
                    break
                except StaleConnection:
                    conn[1].close()
                    conn = None
                    if reused:
                        continue  # an idle kept-alive connection the server had closed: once more, fresh
                    break
                except (
                    TimeoutError,
                    OSError,
                    ConnectionError,
                    asyncio.IncompleteReadError,
                    ValueError,
                ):
                    if conn is not None:
                        conn[1].close()
                    conn = None
                    break
            latencies.append(time.perf_counter() - started)
            results.append((answers["ref"], status))
        if conn is not None:
            conn[1].close()

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(clients)))
    return results, latencies, time.perf_counter() - started


def _verify(
    database_url: str, slug: str, results: list[tuple[str, int]], payloads: list[dict]
) -> dict:
    from sqlalchemy import func
    from sqlmodel import Session, select

    from crm_app.db import make_engine
    from crm_app.models import Contact, Form, FormSubmission

    engine = make_engine(database_url)
    accepted = {ref for ref, status in results if status == 200}
    with Session(engine) as s:
        form = s.exec(select(Form).where(Form.slug == slug)).one()
        rows = s.exec(
            select(FormSubmission.answers, FormSubmission.status, FormSubmission.contact_id).where(
                FormSubmission.form_id == form.id
            )
        ).all()
        refs = [r[0]["ref"]["value"] for r in rows]
        contacts = s.exec(
            select(func.count()).select_from(Contact).where(Contact.agent_id == form.agent_id)
        ).one()
        distinct_emails = s.exec(
            select(func.count(func.distinct(Contact.email))).where(
                Contact.agent_id == form.agent_id
            )
        ).one()
    engine.dispose()
    sent_emails = {p["email"] for p in payloads if p["ref"] in accepted}
    return {
        "accepted": len(accepted),
        "stored": len(rows),
        "duplicated": len(refs) - len(set(refs)),
        "lost": len(accepted - set(refs)),
        "unexpected": len(set(refs) - accepted),
        "spam": sum(1 for r in rows if r[1] == "Spam"),
        "without_contact": sum(1 for r in rows if not r[2]),
        "contacts": contacts,
        "distinct_emails_sent": len(sent_emails),
        "contacts_deduplicated": contacts == len(sent_emails) == distinct_emails,
    }


def _count_queries(database_url: str, data_dir: Path, slug: str) -> tuple[int, int]:
    """Statements one submission sends (BEGIN/COMMIT not counted): a new visitor, then the
    same email again, after one submission that fills this process's settings cache (as
    the server's workers had). Run in this process through the endpoint's own function."""
    os.environ["CRM_DATA_DIR"] = str(data_dir)
    os.environ["CRM_DATABASE_URL"] = database_url
    os.environ["CRM_FORM_RATE_LIMIT"] = "0"
    from sqlalchemy import event

    from crm_app import db, settings
    from crm_app.api.public_forms import _submit
    from crm_app.services import spam

    settings.get_settings.cache_clear()
    db.get_engine.cache_clear()
    engine = db.get_engine()
    seen: list[str] = []
    event.listen(
        engine, "before_cursor_execute", lambda conn, cursor, statement, *a: seen.append(statement)
    )
    counts = []
    email = f"count.{secrets.token_hex(3)}@example.com"
    for ref, address in (
        ("count-warm", f"warm.{email}"),
        ("count-new", email),
        ("count-repeat", email),
    ):
        token = spam.render_token(slug, time.time() - 10)  # one rendering per submission
        seen.clear()
        response = _submit(
            slug,
            {"name": "Count Me", "email": address, "reason": "x", "ref": ref},
            token,
            "",
            {},
            "127.0.0.1",
        )
        assert response.status_code == 200, response.body
        counts.append(
            sum(1 for q in seen if not q.lstrip().upper().startswith(("BEGIN", "COMMIT")))
        )
    counts = counts[1:]
    engine.dispose()
    db.get_engine.cache_clear()
    return counts[0], counts[1]


def run(kind: str, args, tmp: Path, work: Path) -> dict:
    data_dir = tmp / f"data-{kind}"
    data_dir.mkdir()
    if kind == "sqlite":
        return _run(kind, args, tmp, work, data_dir, f"sqlite:///{data_dir / 'crm.db'}")
    with postgres_database(args.postgres_url, "crm_bench_forms") as database_url:
        return _run(kind, args, tmp, work, data_dir, database_url)


def _run(kind: str, args, tmp: Path, work: Path, data_dir: Path, database_url: str) -> dict:
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    env = server_env(data_dir, database_url, base_url, args.redis_url, {"CRM_FORM_RATE_LIMIT": "0"})
    log = tmp / f"server-{kind}.log"
    migrate(work, env)
    slug = _seed(database_url, data_dir)
    proc = start(work, env, port, log)
    try:
        wait_up(proc, base_url, log)
        payloads = _payloads(args.submissions, 0.10, random.Random(6))
        load_before = os.getloadavg()[0]
        results, latencies, seconds = asyncio.run(_load(base_url, slug, payloads, args.clients))
        load_after = os.getloadavg()[0]
    finally:
        stop(proc)
    check = _verify(database_url, slug, results, payloads)
    queries = _count_queries(database_url, data_dir, slug)
    statuses: dict[int, int] = {}
    for _, status in results:
        statuses[status] = statuses.get(status, 0) + 1
    return {
        "kind": kind,
        "rate": len(results) / seconds,
        "p50": percentile(latencies, 50) * 1000,
        "p99": percentile(latencies, 99) * 1000,
        "mean": statistics.mean(latencies) * 1000,
        "seconds": seconds,
        "statuses": statuses,
        "queries": queries,
        "load": (load_before, load_after),
        **check,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--submissions", type=int, default=5000)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get("CRM_BENCH_POSTGRES_URL")
        or "postgresql://postgres@127.0.0.1:5432/postgres",
    )
    parser.add_argument(
        "--redis-url", default=os.environ.get("CRM_BENCH_REDIS_URL") or "redis://127.0.0.1:6379"
    )
    parser.add_argument("--keep", action="store_true", help="keep the temp dir (server logs)")
    args = parser.parse_args(argv)
    if args.redis_url and not redis_ok(args.redis_url):
        print(f"(Redis at {args.redis_url} does not answer: one backend worker)")
        args.redis_url = None
    tmp = Path(tempfile.mkdtemp(prefix="crm-bench-forms-"))
    rows = []
    try:
        print(f"copying the project to {tmp} ...", flush=True)
        work = copy_project(tmp)
        for kind in [k.strip() for k in args.databases.split(",") if k.strip()]:
            print(
                f"\n== {kind}: {args.submissions} submissions from {args.clients} clients ...",
                flush=True,
            )
            row = run(kind, args, tmp, work)
            rows.append(row)
            print(
                f"   {row['rate']:.0f} submissions/s, p50 {row['p50']:.0f} ms, p99 {row['p99']:.0f} ms "
                f"({row['seconds']:.1f} s; HTTP {row['statuses']})"
            )
            print(
                f"   stored {row['stored']} of {row['accepted']} accepted: {row['duplicated']} duplicated, "
                f"{row['lost']} lost, {row['spam']} spam, {row['without_contact']} without contact; "
                f"{row['contacts']} contacts for {row['distinct_emails_sent']} distinct emails "
                f"({'deduplicated' if row['contacts_deduplicated'] else 'NOT deduplicated'})"
            )
            print(
                f"   statements per submission: {row['queries'][0]} (new visitor), {row['queries'][1]} (repeat email); "
                f"load average {row['load'][0]:.1f} before, {row['load'][1]:.1f} after the load"
            )
    finally:
        if args.keep:
            print(f"\nkept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    print(
        "\n| database | submissions/s | p50 ms | p99 ms | stored / accepted | duplicated | lost | contacts ok "
        "| statements new / repeat | load avg |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(
            f"| {r['kind']} | {r['rate']:.0f} | {r['p50']:.0f} | {r['p99']:.0f} | {r['stored']} / {r['accepted']} "
            f"| {r['duplicated']} | {r['lost']} | {'yes' if r['contacts_deduplicated'] else 'NO'} "
            f"| {r['queries'][0]} / {r['queries'][1]} | {r['load'][0]:.1f} → {r['load'][1]:.1f} |"
        )


if __name__ == "__main__":
    main()
