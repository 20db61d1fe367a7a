"""CSV import benchmark: rows/s and peak memory, against a raw load.

    python bench/bench_import.py [--rows 100000] [--existing 100000] [--postgres URL]

Creates an agent with `--existing` contacts (bench/generate_contacts.py), writes a CSV of
`--rows` rows (bench/generate_import_csv.py: 10 columns, 3 custom fields, ~1% invalid,
5% repeated people), then imports it with valid rows only through the CLI — the same
service the wizard uses — in a child process whose peak RSS is measured. The raw
reference is `sqlite-utils insert --csv` of the same file into an empty SQLite table
(bench-only dependency: `pip install sqlite-utils`, see bench/README.md). PostgreSQL runs
too when --postgres (or CRM_TEST_POSTGRES_URL) is given. Targets: >= 20,000 rows/s on
SQLite, within 3x of the raw load, peak RSS <= 500 MB at 1,000,000 rows.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import generate_contacts  # noqa: E402
import generate_import_csv  # noqa: E402
from scratch_db import postgres_database  # noqa: E402


def _import(
    url: str, data_dir: Path, csv_path: Path, slug: str, narrow: bool = False
) -> tuple[float, dict, float, float]:
    """Run the CLI import in a child; (seconds, summary, that child's peak RSS in MB, its CPU seconds)."""
    env = dict(os.environ, CRM_DATABASE_URL=url, CRM_DATA_DIR=str(data_dir))
    cmd = [
        sys.executable,
        "-m",
        "crm_app.cli",
        "import-contacts",
        "--agent",
        slug,
        str(csv_path),
        "--valid-only",
    ]
    if not narrow:
        cmd += ["--map", "First visit=date_of_birth", "--map", "City=", "--map", "Notes="]
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        child = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=out, stderr=err)
        _, status, usage = os.wait4(child.pid, 0)  # this child's own rusage (not sqlite-utils')
        elapsed = time.perf_counter() - started
        child.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0), err.seek(0)
        stdout, stderr = out.read().decode(), err.read().decode()
    if child.returncode != 0:
        raise SystemExit(f"import failed: {stderr}")
    return (
        elapsed,
        json.loads(stdout.strip().splitlines()[-1]),
        usage.ru_maxrss / 1024,
        usage.ru_utime + usage.ru_stime,
    )


def _load() -> str:
    return "load average " + " ".join(f"{x:.2f}" for x in os.getloadavg())


def _seed(url: str, count: int) -> None:
    """The agent and its existing contacts, through bench/generate_contacts.py's bulk writers."""
    from sqlmodel import Session, SQLModel, select

    from crm_app.db import make_engine
    from crm_app.models import Agent, ContactField, Membership, Stage

    engine = make_engine(url)
    SQLModel.metadata.create_all(engine)
    agent_id = generate_contacts.ensure_agent(engine, "bench")
    with Session(engine) as session:
        agent = session.get(Agent, agent_id)
        stage_ids = list(
            session.exec(
                select(Stage.id).where(Stage.agent_id == agent_id).order_by(Stage.position)
            )
        )
        owner_ids = list(
            session.exec(select(Membership.user_id).where(Membership.org_id == agent.org_id))
        )
        by_key = {
            f.key: f
            for f in session.exec(select(ContactField).where(ContactField.agent_id == agent_id))
        }
        custom = [(by_key[key], rate) for _l, key, _t, _o, rate in generate_contacts.CUSTOM]
        session.expunge_all()
    rows = generate_contacts.contact_rows(agent_id, 0, count, stage_ids, owner_ids, custom, 7)
    if engine.dialect.name == "postgresql":
        generate_contacts._postgres_copy(engine, rows, count)
    else:
        generate_contacts._sqlite_insert(engine, rows, count)
    engine.dispose()


def _raw_load(csv_path: Path, work: Path) -> float | None:
    """`sqlite-utils insert --csv` of the same file into an empty table: wall seconds."""
    tool = shutil.which("sqlite-utils") or str(Path(sys.executable).parent / "sqlite-utils")
    if not Path(tool).exists():
        print("  (sqlite-utils not installed: pip install sqlite-utils for the raw reference)")
        return None
    started = time.perf_counter()
    child = subprocess.Popen(
        [tool, "insert", str(work / "raw.db"), "contacts", str(csv_path), "--csv"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    _, status, usage = os.wait4(child.pid, 0)
    elapsed = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit("sqlite-utils insert failed")
    print(
        f"raw load: {elapsed:.1f} s wall, {usage.ru_utime + usage.ru_stime:.1f} s CPU, "
        f"peak {usage.ru_maxrss / 1024:.0f} MB"
    )
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--existing", type=int, default=100_000)
    parser.add_argument(
        "--postgres",
        default=os.environ.get("CRM_TEST_POSTGRES_URL"),
        help="server URL; the benchmark creates (and drops) a fresh database on it",
    )
    parser.add_argument("--sqlite-only", action="store_true", help="skip PostgreSQL")
    parser.add_argument(
        "--narrow",
        action="store_true",
        help="Name, Email, Phone columns only (needed for 1,000,000 rows under the 50 MB limit)",
    )
    parser.add_argument("--no-raw", action="store_true", help="skip the sqlite-utils reference")
    args = parser.parse_args()
    if args.sqlite_only:
        args.postgres = None
    work = Path(tempfile.mkdtemp(prefix="crm-bench-import-"))
    try:
        csv_path = work / "import.csv"
        generate_import_csv.write(str(csv_path), args.rows, narrow=args.narrow)
        size_mb = csv_path.stat().st_size / 1024**2
        print(
            f"CSV: {args.rows:,} rows, {size_mb:.1f} MB{' (narrow)' if args.narrow else ''}; "
            f"agent with {args.existing:,} existing contacts"
        )
        print(f"before: {_load()} ({os.cpu_count()} CPUs)")
        raw = None if args.no_raw else _raw_load(csv_path, work)
        if raw:
            print(f"raw load done: {_load()}")
        results = []

        def run(label: str, url: str) -> None:
            _seed(url, args.existing)
            elapsed, summary, peak, cpu = _import(
                url, work / label.lower(), csv_path, "bench", args.narrow
            )
            results.append((label, elapsed, summary, peak, cpu))
            print(f"{label} import done: {_load()}")

        run("SQLite", f"sqlite:///{work / 'crm.db'}")
        if args.postgres:
            with postgres_database(args.postgres) as url:
                run("PostgreSQL", url)
        print()
        print(
            f"{'database':<11} {'seconds':>8} {'rows/s':>9} {'vs raw':>7} {'peak MB':>8} {'CPU s':>6}  summary"
        )
        for label, elapsed, summary, peak, cpu in results:
            ratio = f"{elapsed / raw:.1f}x" if raw else "—"
            print(
                f"{label:<11} {elapsed:>8.1f} {args.rows / elapsed:>9,.0f} {ratio:>7} {peak:>8.0f} {cpu:>6.1f}  "
                f"{json.dumps(summary)}"
            )
        if raw:
            print(
                f"{'raw load':<11} {raw:>8.1f} {args.rows / raw:>9,.0f}   (sqlite-utils insert --csv, empty table)"
            )
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
