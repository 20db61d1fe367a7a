"""What the server benchmarks share (bench_forms.py, bench_chat.py): a copy of the project with
its own .web, the environment of a fresh installation, and the production server
(`reflex run --env prod --single-port`) started on a free loopback port and stopped again."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
_TOP_IGNORE = {".git", "data", "screenshots", ".pytest_cache", ".states"}


def _ignore_for(root: Path):
    def ignore(directory: str, names: list[str]) -> set[str]:
        """Skip the checkout's data, git and caches (top level only; node_modules keeps its own dirs)."""
        skip = {n for n in names if n == "__pycache__"}
        if Path(directory) == root:
            skip |= {n for n in names if n in _TOP_IGNORE or n.endswith(".db")}
        elif Path(directory) == root / ".web":
            skip |= {n for n in names if n == "build"}
        return skip

    return ignore


COPY_IGNORE = _ignore_for(ROOT)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def percentile(samples: list[float], pct: float) -> float:
    ordered = sorted(samples)
    k = max(0, min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1))))
    return ordered[k]


def redis_ok(url: str) -> bool:
    try:
        import redis

        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
        return True
    except Exception:
        return False


def copy_project(target: Path, source: Path = ROOT) -> Path:
    """A copy of the project (or of another checkout, `source`) with its own .web (under the
    e2e lock of this checkout so no build is half-copied)."""
    sys.path.insert(0, str(ROOT))
    from tests.e2e.conftest import _CheckoutLock

    work = target / "app"
    with _CheckoutLock():
        shutil.copytree(source, work, ignore=_ignore_for(source.resolve()), symlinks=True)
    return work


def server_env(
    data_dir: Path,
    database_url: str,
    base_url: str,
    redis_url: str | None,
    extra: dict[str, str] | None = None,
) -> dict[str, str]:
    """This process's environment without any CRM_/Redis setting, plus a fresh installation's."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("CRM_") and k not in ("REDIS_URL", "REFLEX_REDIS_URL")
    }
    env.update(
        PATH=f"{VENV_BIN}{os.pathsep}{env.get('PATH', '')}",
        REFLEX_USE_NPM="1",
        REFLEX_TELEMETRY_ENABLED="false",
        PYTHONUNBUFFERED="1",
        CRM_DATA_DIR=str(data_dir),
        CRM_DATABASE_URL=database_url,
        CRM_BASE_URL=base_url,
    )
    if redis_url:
        env["CRM_REDIS_URL"] = redis_url
    env.update(extra or {})
    return env


def migrate(work: Path, env: dict[str, str]) -> None:
    subprocess.run(
        [sys.executable, "-m", "crm_app.cli", "migrate"],
        cwd=work,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
    )


def start(work: Path, env: dict[str, str], port: int, log: Path) -> subprocess.Popen:
    """`reflex run --env prod --single-port` in its own process group (see stop)."""
    with open(log, "w") as out:
        return subprocess.Popen(
            [
                str(VENV_BIN / "reflex"),
                "run",
                "--env",
                "prod",
                "--single-port",
                "--backend-port",
                str(port),
                "--backend-host",
                "127.0.0.1",
            ],
            cwd=work,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )


def wait_up(proc: subprocess.Popen, base_url: str, log: Path, timeout: float = 900) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            sys.exit(
                f"the server exited ({proc.returncode}):\n"
                + log.read_text(errors="replace")[-4000:]
            )
        try:
            with urllib.request.urlopen(base_url + "/ping", timeout=3) as r:
                if r.status == 200:
                    return
        except Exception:
            pass
        time.sleep(1)
    sys.exit("the server did not start in time:\n" + log.read_text(errors="replace")[-4000:])


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)


def group_cpu_seconds(pgid: int) -> float:
    """User + system CPU seconds of the live processes in process group `pgid` (the server
    started by `start`: reflex, granian and its workers), from /proc. A process that exits
    takes its time with it, so measure while the workers live."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid:  # fields[0] is the state; pgrp is the 5th field of stat
            total += int(fields[11]) + int(fields[12])
    return total / tick
