"""CPU and wall time of one public form submission in-process (issue #6). Printed, never asserted.

    python bench/bench_forms_cpu.py [--submissions 1000] [--databases sqlite,postgresql]
                                    [--postgres-url postgresql://postgres@127.0.0.1:5432/postgres]

Calls the submit endpoint's own function (`crm_app.api.public_forms._submit`: session, service,
commit) sequentially on a fresh, migrated database seeded like bench_forms.py — no HTTP,
no concurrency — after 50 warm-up submissions (the worker's settings cache filled). This
is the per-submission cost the load benchmark's workers pay on top of the HTTP framework.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
from scratch_db import postgres_database  # noqa: E402


def measure(database_url: str, data_dir: Path, submissions: int) -> tuple[float, float]:
    from bench_forms import _seed

    env = {**os.environ, "CRM_DATABASE_URL": database_url, "CRM_DATA_DIR": str(data_dir)}
    subprocess.run(
        [sys.executable, "-m", "crm_app.cli", "migrate"],
        cwd=ROOT,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
    )
    slug = _seed(database_url, data_dir)
    os.environ["CRM_FORM_RATE_LIMIT"] = "0"  # one address posts everything
    from crm_app import db, settings
    from crm_app.api.public_forms import _submit
    from crm_app.services import spam

    settings.get_settings.cache_clear()
    db.get_engine.cache_clear()

    def submit(n: int, prefix: str) -> None:
        answers = {
            "name": f"Visitor {n}",
            "email": f"{prefix}{n}@example.com",
            "reason": "Check-up",
            "ref": f"{prefix}{n}",
        }
        token = spam.render_token(
            slug, time.time() - 10
        )  # one rendering per submission, as visitors do
        response = _submit(slug, answers, token, "", {}, "127.0.0.1")
        assert response.status_code == 200, response.body

    for n in range(50):
        submit(n, "warm")
    wall, cpu = time.perf_counter(), time.process_time()
    for n in range(submissions):
        submit(n, "v")
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    db.get_engine().dispose()
    db.get_engine.cache_clear()
    return wall / submissions * 1000, cpu / submissions * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--submissions", type=int, default=1000)
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get("CRM_BENCH_POSTGRES_URL")
        or "postgresql://postgres@127.0.0.1:5432/postgres",
    )
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory(prefix="crm-bench-cpu-") as tmp:
        for kind in [k.strip() for k in args.databases.split(",") if k.strip()]:
            data_dir = Path(tmp) / kind
            data_dir.mkdir()
            if kind == "sqlite":
                rows.append(
                    (kind, *measure(f"sqlite:///{data_dir / 'crm.db'}", data_dir, args.submissions))
                )
                continue
            with postgres_database(args.postgres_url, "crm_bench_cpu") as url:
                rows.append((kind, *measure(url, data_dir, args.submissions)))
    print(
        f"\n{args.submissions} sequential submissions, in-process (load average {os.getloadavg()[0]:.1f})\n"
    )
    print("| database | wall ms / submission | CPU ms / submission |")
    print("|---|---:|---:|")
    for kind, wall, cpu in rows:
        print(f"| {kind} | {wall:.2f} | {cpu:.2f} |")


if __name__ == "__main__":
    main()
