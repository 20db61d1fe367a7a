"""Restrict sign-in (issue #13): does `Send code` answer as fast for a stranger as for a
contact? Anti-enumeration needs the same screens *and* the same response time: a stranger
gets a code row that can never match and no email, a contact gets a hashed code and an
email queued after commit. Times the whole request path — one transaction around
services/gate/signin.send_code, the commit, and the mail job handed to the queue — for a
contact and for a stranger, interleaved, each address used once. Printed, never asserted.

    python bench/bench_gate_signin.py [--runs 300] [--contacts 5000]
                                      [--database-url URL | --postgres SERVER_URL]

Without either it uses a throw-away SQLite file (and the SQLite job queue) in /tmp;
--postgres creates a throw-away database on that server (bench/scratch_db.py) and drops it.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))


def _build(contacts: int, runs: int) -> int:
    from sqlalchemy import insert
    from sqlmodel import SQLModel

    import crm_app.models  # noqa: F401
    from crm_app import db
    from crm_app.models import Agent, Contact, Organization, utcnow
    from crm_app.services import fields, stages

    SQLModel.metadata.create_all(db.get_engine())
    with db.session_scope() as s:
        org = Organization(name="Bench club")
        s.add(org)
        s.flush()
        agent = Agent(
            org_id=org.id,
            name="Concierge",
            slug="bench-gate",
            visibility="Public",
            access_mode="Restrict",
        )
        s.add(agent)
        s.flush()
        fields.install_default_fields(s, agent.id)
        stages.install_default_stages(s, agent.id)
        now = utcnow()
        rows = [
            {
                "id": f"{i:024x}",
                "agent_id": agent.id,
                "name": f"Member {i}",
                "name_sort": f"member {i}",
                "email": f"member{i}@club.example",
                "source": "Manual",
                "status": "Active",
                "archived": False,
                "member_set": [],
                "created_at": now,
                "updated_at": now,
            }
            for i in range(max(contacts, runs + 10))
        ]
        s.execute(insert(Contact), rows)
        return agent.id


def _time(call) -> float:
    start = time.perf_counter()
    call()
    return (time.perf_counter() - start) * 1000


def _pcts(samples: list[float]) -> tuple[float, float, float]:
    ordered = sorted(samples)
    p95 = ordered[max(0, int(len(ordered) * 0.95) - 1)]
    return statistics.median(ordered), p95, statistics.fmean(ordered)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=300, help="codes per case")
    parser.add_argument("--contacts", type=int, default=5000)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--postgres", default="", help="server URL for a throw-away database")
    args = parser.parse_args()
    if args.postgres:
        from scratch_db import postgres_database

        with postgres_database(args.postgres, "crm_bench_gate") as url:
            args.database_url = url
            run(args)
        return
    run(args)


def run(args) -> None:
    data_dir = tempfile.mkdtemp(prefix="crm-bench-gate-")
    os.environ["CRM_DATA_DIR"] = data_dir
    if args.database_url:
        os.environ["CRM_DATABASE_URL"] = args.database_url
    os.environ["CRM_SIGN_IN_CODES_PER_IP"] = str(10 * args.runs)

    from crm_app import db
    from crm_app.models import Agent
    from crm_app.services.gate import signin

    agent_id = _build(args.contacts, args.runs)

    def send(email: str) -> None:
        with db.session_scope() as s:
            signin.send_code(s, s.get(Agent, agent_id), email, "198.51.100.7")

    for i in range(10):  # warm-up: connections, caches, the job queue's file
        send(f"warm{i}@elsewhere.example")
        send(f"member{args.runs + i}@club.example")
    contact, stranger = [], []
    for i in range(args.runs):  # interleaved, so drift in the machine's load hits both
        if i % 2:
            stranger.append(_time(lambda i=i: send(f"stranger{i}@elsewhere.example")))
            contact.append(_time(lambda i=i: send(f"member{i}@club.example")))
        else:
            contact.append(_time(lambda i=i: send(f"member{i}@club.example")))
            stranger.append(_time(lambda i=i: send(f"stranger{i}@elsewhere.example")))

    url = db.get_engine().url.render_as_string(hide_password=True)
    print(f"send_code, {args.runs} codes per case, {args.contacts:,} contacts ({url})")
    print("\n| case | p50 ms | p95 ms | mean ms |\n|---|---|---|---|")
    rows = {"contact (code emailed)": contact, "stranger (no email)": stranger}
    for name, samples in rows.items():
        p50, p95, mean = _pcts(samples)
        print(f"| {name} | {p50:.2f} | {p95:.2f} | {mean:.2f} |")
    c50, c95, _ = _pcts(contact)
    s50, s95, _ = _pcts(stranger)
    print(f"| difference (contact - stranger) | {c50 - s50:+.2f} | {c95 - s95:+.2f} | |")
    print(f"\nload average: {os.getloadavg()}")


if __name__ == "__main__":
    main()
