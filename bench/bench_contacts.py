"""Time the service calls behind the contacts list and the CSV export (issue #3).

    python bench/bench_contacts.py [--database-url URL] [--agent-slug bench] [--runs 30]

Needs an agent filled by bench/generate_contacts.py. Each case calls
crm_app.services.contact_list.list_page and count_matching as the organization's Owner (the page rows
AND the matching total, exactly what the list screen asks for), varying the argument from
run to run (different names, emails, stages, owners, options) so no single cached plan or
page flatters the figure; two warm-up calls per case are not timed. The export case
streams the newest ~100,000 contacts to /dev/null through services.export and rolls back
its audit entry. Figures are printed, never asserted.

Issue #10 cases: filters whose matches sit among the oldest contacts (stage "Legacy intake"
and the option "Self-pay" of an agent generated with --skew), phone searches (a full
number typed nationally, its last 7 and 4 digits, an area-code prefix), sorts by updated
and source, the 4% status filter (Blocked), page 4,000 (by page number, and by keyset:
the cursor of page 3,999 fetched beforehand), the exact agent total and the capped
"10,000+" count on its own, the long-tail stage, a light owner. Each table is printed with
the load average, and with --save written to bench/results/ with the date and commit.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import func  # noqa: E402
from sqlmodel import Session, select  # noqa: E402

from crm_app.db import make_engine  # noqa: E402
from crm_app.models import Agent, Contact, ContactField, Membership, Stage  # noqa: E402
from crm_app.services import export, principal  # noqa: E402
from crm_app.services.contact_count import count_contacts  # noqa: E402
from crm_app.services.contact_list import ListQuery, count_matching, list_page  # noqa: E402

DEFAULT_SQLITE = "sqlite:////tmp/crm_bench.db"
NAME_PREFIXES = [
    "emm",
    "oliv",
    "liam",
    "noa",
    "soph",
    "jam",
    "mia",
    "ben",
    "carl",
    "zoe",
    "grac",
    "ethan",
    "priy",
    "omar",
    "rosa",
    "alex",
    "kofi",
    "naom",
    "isaa",
    "mate",
]
EXPORT_ROWS = 100_000
RESULTS = Path(__file__).resolve().parent / "results"


def _percentile(samples: list[float], pct: float) -> float:
    ordered = sorted(samples)
    k = max(0, min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1))))
    return ordered[k]


def _commit() -> str:
    root = Path(__file__).resolve().parent.parent
    try:
        sha = subprocess.run(
            ["git", "-C", str(root), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", str(root), "status", "--porcelain", "--untracked-files=no"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return sha + ("+changes" if dirty else "")


def _backend_pid(session: Session) -> int | None:
    """PostgreSQL: this session's server process (local server), else None."""
    if session.get_bind().dialect.name != "postgresql":
        return None
    return session.connection().exec_driver_sql("SELECT pg_backend_pid()").scalar()


def _cpu_ns(backend: int | None) -> int:
    """CPU time of this thread plus, on PostgreSQL, of the session's server process
    (/proc/PID/schedstat, ns): what a call costs, whatever else the machine runs."""
    used = time.thread_time_ns()
    if backend is not None:
        with open(f"/proc/{backend}/schedstat") as stat:
            used += int(stat.read().split()[0])
    return used


def _load() -> str:
    return " / ".join(f"{x:.2f}" for x in os.getloadavg())


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database-url", default=os.environ.get("CRM_BENCH_DATABASE_URL") or DEFAULT_SQLITE
    )
    parser.add_argument("--agent-slug", default="bench")
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--export-runs", type=int, default=3)
    parser.add_argument(
        "--only", default="", help="run only the cases whose label contains this text"
    )
    parser.add_argument(
        "--save", action="store_true", help="also write the table to bench/results/"
    )
    parser.add_argument(
        "--cpu",
        action="store_true",
        help="report CPU ms (this thread + the PostgreSQL server process) instead of wall ms: "
        "comparable between runs on a loaded machine, where wall time mostly measures waiting",
    )
    args = parser.parse_args(argv)
    engine = make_engine(args.database_url)
    rng = random.Random(1)

    with Session(engine) as s:
        agent = s.exec(select(Agent).where(Agent.slug == args.agent_slug)).first()
        if agent is None:
            sys.exit(f"No agent /{args.agent_slug}: run bench/generate_contacts.py first.")
        owner_id = s.exec(
            select(Membership.user_id).where(
                Membership.org_id == agent.org_id, Membership.role == "Owner"
            )
        ).first()
        actor = principal.member(s, owner_id, agent.org_id)
        total = s.exec(
            select(func.count()).select_from(Contact).where(Contact.agent_id == agent.id)
        ).one()
        stages = {st.name: st.id for st in s.exec(select(Stage).where(Stage.agent_id == agent.id))}
        stage_ids = list(stages.values())[
            :4
        ]  # the defaults (the extra stages of --skew are cases of their own)
        owners = list(
            s.exec(
                select(Contact.primary_owner_id, func.count())
                .where(Contact.agent_id == agent.id)
                .group_by(Contact.primary_owner_id)
                .order_by(func.count().desc())
            )
        )
        owner_ids = [o for o, _n in owners if o is not None]
        dropdown = s.exec(
            select(ContactField).where(
                ContactField.agent_id == agent.id,
                ContactField.type == "Dropdown",
                ContactField.is_default.is_(False),
            )
        ).first()
        offset = rng.randint(0, max(0, total - 1000))
        emails = [
            e
            for e in s.exec(
                select(Contact.email)
                .where(Contact.agent_id == agent.id, Contact.email.is_not(None))
                .order_by(Contact.id)
                .offset(offset)
                .limit(400)
            )
        ]
        emails = rng.sample(emails, min(len(emails), max(args.runs, 10)))
        phones = [
            p
            for p in s.exec(
                select(Contact.phone)
                .where(Contact.agent_id == agent.id, Contact.phone.is_not(None))
                .order_by(Contact.id)
                .offset(offset)
                .limit(400)
            )
        ]
        phones = rng.sample(phones, min(len(phones), max(args.runs, 10)))
        # The created_at of the 100,000th newest contact: exporting from that day on is ~100k rows.
        cutoff = s.exec(
            select(Contact.created_at)
            .where(Contact.agent_id == agent.id, Contact.archived.is_(False))
            .order_by(Contact.created_at.desc())
            .offset(EXPORT_ROWS - 1)
            .limit(1)
        ).first()

    def pick(seq, i):
        return seq[i % len(seq)]

    def national(phone):  # "+13125550123" typed as "(312) 555-0123"
        return f"({phone[2:5]}) {phone[5:8]}-{phone[8:]}"

    cases = [
        ("first page (newest, 25)", lambda i: ListQuery()),
        ("first page, 100 rows", lambda i: ListQuery(page_size=100)),
        ("search name prefix", lambda i: ListQuery(search=pick(NAME_PREFIXES, i))),
        ("search by email (full)", lambda i: ListQuery(search=pick(emails, i))),
        ("search by email (prefix)", lambda i: ListQuery(search=pick(emails, i).split("@")[0][:8])),
        ("search phone, full national", lambda i: ListQuery(search=national(pick(phones, i)))),
        ("search phone, full E.164", lambda i: ListQuery(search=pick(phones, i))),
        ("search phone, last 7 digits", lambda i: ListQuery(search=pick(phones, i)[-7:])),
        ("search phone, last 4 digits", lambda i: ListQuery(search=pick(phones, i)[-4:])),
        ("search phone, area code (3)", lambda i: ListQuery(search=pick(phones, i)[2:5])),
        (
            "filter stage + owner",
            lambda i: ListQuery(
                stage_ids=[pick(stage_ids, i)], owner_ids=[pick(owner_ids, i // len(stage_ids))]
            ),
        ),
        ("filter status Blocked (4%)", lambda i: ListQuery(statuses=["Blocked"])),
        (
            "filter status Blocked, oldest first",
            lambda i: ListQuery(statuses=["Blocked"], descending=False),
        ),
        ("filter source API", lambda i: ListQuery(sources=["API"])),
        (
            f"filter custom dropdown ({dropdown.label})",
            lambda i: ListQuery(
                custom={dropdown.key: pick([o for o in dropdown.options if o != "Self-pay"], i)}
            ),
        ),
        ("sort by created, oldest first", lambda i: ListQuery(sort="created", descending=False)),
        ("sort by name A-Z", lambda i: ListQuery(sort="name", descending=False)),
        ("sort by name Z-A, page 3", lambda i: ListQuery(sort="name", descending=True, page=3)),
        ("sort by updated", lambda i: ListQuery(sort="updated")),
        ("sort by source", lambda i: ListQuery(sort="source", descending=bool(i % 2))),
        ("sort by status", lambda i: ListQuery(sort="status", descending=bool(i % 2))),
        ("sort by stage", lambda i: ListQuery(sort="stage", descending=bool(i % 2))),
        ("sort by email", lambda i: ListQuery(sort="email", descending=bool(i % 2))),
        ("page 4,000 by OFFSET (not used by the UI)", lambda i: ListQuery(page=4000 + i % 3)),
        ("page 4,000 by keyset (Next from 3,999)", lambda i: (ListQuery(), deep[i % len(deep)])),
        (
            "page 4,000 by keyset, sort by name",
            lambda i: (ListQuery(sort="name", descending=False), deep_name[i % len(deep_name)]),
        ),
    ]
    if "Legacy intake" in stages:  # an agent generated with --skew
        cases += [
            (
                "skew: stage only in oldest 2%",
                lambda i: ListQuery(stage_ids=[stages["Legacy intake"]]),
            ),
            (
                "skew: same, oldest first",
                lambda i: ListQuery(stage_ids=[stages["Legacy intake"]], descending=False),
            ),
            (
                "skew: custom option only in oldest 2%",
                lambda i: ListQuery(custom={dropdown.key: "Self-pay"}),
            ),
            (
                "skew: same, sort by name",
                lambda i: ListQuery(
                    custom={dropdown.key: "Self-pay"}, sort="name", descending=False
                ),
            ),
            ("skew: long-tail stage (~0.05%)", lambda i: ListQuery(stage_ids=[stages["VIP"]])),
            ("skew: heaviest owner", lambda i: ListQuery(owner_ids=[owner_ids[0]])),
            ("skew: lightest owner", lambda i: ListQuery(owner_ids=[owner_ids[-1]])),
            (
                "skew: lightest owner + Blocked",
                lambda i: ListQuery(owner_ids=[owner_ids[-1]], statuses=["Blocked"]),
            ),
        ]
    cases = [c for c in cases if args.only in c[0]]
    deep = deep_name = []
    if any("keyset" in c[0] for c in cases):
        with Session(
            engine
        ) as s:  # cursors of the last rows of pages 3,999-4,001, read once by OFFSET
            deep = [list_page(s, actor, agent.id, ListQuery(page=3999 + k)).last for k in range(3)]
            deep_name = [
                list_page(
                    s, actor, agent.id, ListQuery(sort="name", descending=False, page=3999 + k)
                ).last
                for k in range(3)
            ]

    header = (
        f"{engine.dialect.name} · {engine.url.render_as_string(hide_password=True)} · agent /{agent.slug} · "
        f"{total:,} contacts · {args.runs} runs per case · "
        f"{'CPU ms (client thread + server process)' if args.cpu else 'wall ms'} · commit {_commit()} · "
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC"
    )
    lines = [
        header,
        "",
        f"load average (1/5/15 min) at start: {_load()}",
        "",
        "page = list_page (the rows the list shows first); count = count_matching, the capped",
        '"10,000+" count the list asks for next, after a query change (not on Next/Previous),',
        "only when the page has a neighbour (a lone page is its own count: shown as -).",
        "",
        f"| {'case':<40} | {'page p50':>8} | {'page p95':>8} | {'count p50':>9} | {'count p95':>9} "
        f"| {'matching':>9} |",
        f"|{'-' * 42}|{'-' * 10}|{'-' * 10}|{'-' * 11}|{'-' * 11}|{'-' * 11}|",
    ]
    print("\n" + "\n".join(lines), flush=True)

    def row(label, samples, counts, matching):
        def fig(values, pct):
            return f"{_percentile(values, pct):.1f}" if values else "-"

        line = (
            f"| {label:<40} | {fig(samples, 50):>8} | {fig(samples, 95):>8} | {fig(counts, 50):>9} | "
            f"{fig(counts, 95):>9} | {matching:>9} |"
        )
        lines.append(line)
        print(line, flush=True)

    for label, make in cases:
        samples, counts = [], []
        matching = 0
        for i in range(-2, args.runs):
            q = make(i + 2)
            q, after = q if isinstance(q, tuple) else (q, "")
            with Session(engine) as s:
                backend = _backend_pid(s) if args.cpu else None
                started = _cpu_ns(backend) / 1e6 if args.cpu else time.perf_counter() * 1000
                page = list_page(s, actor, agent.id, q, after=after)
                ended = _cpu_ns(backend) / 1e6 if args.cpu else time.perf_counter() * 1000
                elapsed = ended - started
                s.rollback()
            counted = None
            if page.has_next or page.has_previous:
                with Session(engine) as s:
                    backend = _backend_pid(s) if args.cpu else None
                    started = _cpu_ns(backend) / 1e6 if args.cpu else time.perf_counter() * 1000
                    matching = count_matching(s, actor, agent.id, q)
                    ended = _cpu_ns(backend) / 1e6 if args.cpu else time.perf_counter() * 1000
                    counted = ended - started
                    s.rollback()
            else:
                matching = len(page.rows)
            if i >= 0:
                samples.append(elapsed)
                if counted is not None:
                    counts.append(counted)
        row(label, samples, counts, f"{matching:,}")

    if not args.only or "total" in args.only:
        samples = []
        for i in range(-2, args.runs):
            with Session(engine) as s:
                started = time.perf_counter()
                exact = count_contacts(s, actor, agent.id)
                elapsed = (time.perf_counter() - started) * 1000
            if i >= 0:
                samples.append(elapsed)
        row("agent's exact total", samples, [], f"{exact:,}")

    lines += ["", f"load average at end: {_load()}"]
    print(lines[-1])
    if args.export_runs and not args.only:
        times = []
        count = 0
        for _ in range(args.export_runs):
            with Session(engine) as s, open(os.devnull, "wb") as sink:
                started = time.perf_counter()
                count = export.export_contacts(
                    s, actor, agent.id, ListQuery(created_from=cutoff.date()), None, sink
                )
                times.append(time.perf_counter() - started)
                s.rollback()  # keep the audit log of the bench database clean
        lines.append(
            f"Export of {count:,} contacts (CSV, all columns, {args.export_runs} runs): "
            f"best {min(times):.2f} s, median {statistics.median(times):.2f} s"
        )
        print(lines[-1])
    if args.save:
        RESULTS.mkdir(exist_ok=True)
        kind = "_cpu" if args.cpu else ""
        out = (
            RESULTS
            / f"{datetime.now(UTC):%Y-%m-%d_%H%M}_{engine.dialect.name}{kind}_{_commit()}.md"
        )
        command = "python bench/bench_contacts.py " + " ".join(
            argv if argv is not None else sys.argv[1:]
        )
        out.write_text(f"    {command}\n\n" + "\n".join(lines) + "\n")
        print(f"saved {out.relative_to(RESULTS.parent.parent)}")


if __name__ == "__main__":
    main()
