"""Time the service calls behind the contacts list and the CSV export (issue #3).

    python bench/bench_contacts.py [--database-url URL] [--agent-slug bench] [--runs 30]

Needs an agent filled by bench/generate_contacts.py. Each case calls
crm_app.services.contact_list.list_contacts as the organization's Owner (the page rows
AND the matching total, exactly what the list screen asks for), varying the argument from
run to run (different names, emails, stages, owners, options) so no single cached plan or
page flatters the figure; two warm-up calls per case are not timed. The export case
streams the newest ~100,000 contacts to /dev/null through services.export and rolls back
its audit entry. Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import func  # noqa: E402
from sqlmodel import Session, select  # noqa: E402

from crm_app.db import make_engine  # noqa: E402
from crm_app.models import Agent, Contact, ContactField, Membership, Stage  # noqa: E402
from crm_app.services import export  # noqa: E402
from crm_app.services.access import actor_for  # noqa: E402
from crm_app.services.contact_list import ListQuery, list_contacts  # noqa: E402

DEFAULT_SQLITE = "sqlite:////tmp/crm_bench.db"
NAME_PREFIXES = ["emm", "oliv", "liam", "noa", "soph", "jam", "mia", "ben", "carl", "zoe", "grac", "ethan", "priy",
                 "omar", "rosa", "alex", "kofi", "naom", "isaa", "mate"]
EXPORT_ROWS = 100_000


def _percentile(samples: list[float], pct: float) -> float:
    ordered = sorted(samples)
    k = max(0, min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1))))
    return ordered[k]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("CRM_BENCH_DATABASE_URL") or DEFAULT_SQLITE)
    parser.add_argument("--agent-slug", default="bench")
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--export-runs", type=int, default=3)
    args = parser.parse_args(argv)
    engine = make_engine(args.database_url)
    rng = random.Random(1)

    with Session(engine) as s:
        agent = s.exec(select(Agent).where(Agent.slug == args.agent_slug)).first()
        if agent is None:
            sys.exit(f"No agent /{args.agent_slug}: run bench/generate_contacts.py first.")
        owner_id = s.exec(select(Membership.user_id).where(Membership.org_id == agent.org_id,
                                                           Membership.role == "Owner")).first()
        actor = actor_for(s, owner_id, agent.org_id)
        total = s.exec(select(func.count()).select_from(Contact).where(Contact.agent_id == agent.id)).one()
        stage_ids = list(s.exec(select(Stage.id).where(Stage.agent_id == agent.id)))
        owner_ids = list(s.exec(select(Membership.user_id).where(Membership.org_id == agent.org_id)))
        dropdown = s.exec(select(ContactField).where(ContactField.agent_id == agent.id,
                                                     ContactField.type == "Dropdown",
                                                     ContactField.is_default.is_(False))).first()
        offset = rng.randint(0, max(0, total - 1000))
        emails = [e for e in s.exec(select(Contact.email).where(Contact.agent_id == agent.id, Contact.email.is_not(None))
                                    .order_by(Contact.id).offset(offset).limit(400))]
        emails = rng.sample(emails, min(len(emails), max(args.runs, 10)))
        # The created_at of the 100,000th newest contact: exporting from that day on is ~100k rows.
        cutoff = s.exec(select(Contact.created_at).where(Contact.agent_id == agent.id, Contact.archived.is_(False))
                        .order_by(Contact.created_at.desc()).offset(EXPORT_ROWS - 1).limit(1)).first()

    def pick(seq, i):
        return seq[i % len(seq)]

    cases = [
        ("first page (newest, 25)", lambda i: ListQuery()),
        ("first page, 100 rows", lambda i: ListQuery(page_size=100)),
        ("search name prefix", lambda i: ListQuery(search=pick(NAME_PREFIXES, i))),
        ("search by email (full)", lambda i: ListQuery(search=pick(emails, i))),
        ("search by email (prefix)", lambda i: ListQuery(search=pick(emails, i).split("@")[0][:8])),
        ("filter stage + owner", lambda i: ListQuery(stage_ids=[pick(stage_ids, i)],
                                                     owner_ids=[pick(owner_ids, i // len(stage_ids))])),
        (f"filter custom dropdown ({dropdown.label})",
         lambda i: ListQuery(custom={dropdown.key: pick(dropdown.options, i)})),
        ("sort by created, oldest first", lambda i: ListQuery(sort="created", descending=False)),
        ("sort by name A-Z", lambda i: ListQuery(sort="name", descending=False)),
        ("sort by name Z-A, page 3", lambda i: ListQuery(sort="name", descending=True, page=3)),
    ]

    print(f"\n{engine.dialect.name} · {engine.url.render_as_string(hide_password=True)} · agent /{agent.slug} · "
          f"{total:,} contacts · {args.runs} runs per case\n")
    print(f"| {'case':<40} | {'p50 ms':>8} | {'p95 ms':>8} | {'matching (last run)':>20} |")
    print(f"|{'-' * 42}|{'-' * 10}|{'-' * 10}|{'-' * 22}|")
    for label, make in cases:
        samples = []
        matching = 0
        for i in range(-2, args.runs):
            q = make(i + 2)
            with Session(engine) as s:
                started = time.perf_counter()
                rows, matching = list_contacts(s, actor, agent.id, q)
                elapsed = (time.perf_counter() - started) * 1000
                s.rollback()
            if i >= 0:
                samples.append(elapsed)
        print(f"| {label:<40} | {statistics.median(samples):>8.1f} | {_percentile(samples, 95):>8.1f} | "
              f"{matching:>20,} |", flush=True)

    times = []
    count = 0
    for _ in range(args.export_runs):
        with Session(engine) as s, open(os.devnull, "wb") as sink:
            started = time.perf_counter()
            count = export.export_contacts(s, actor, agent.id, ListQuery(created_from=cutoff.date()), None, sink)
            times.append(time.perf_counter() - started)
            s.rollback()  # keep the audit log of the bench database clean
    print(f"\nExport of {count:,} contacts (CSV, all columns, {args.export_runs} runs): "
          f"best {min(times):.2f} s, median {statistics.median(times):.2f} s\n")


if __name__ == "__main__":
    main()
