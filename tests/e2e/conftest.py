"""Browser tests: the real app (`reflex run --env prod --single-port`) in Debian Chromium.

One server per pytest session, on a free port, with a fresh SQLite database in a temp
CRM_DATA_DIR. Reflex builds into the project's .web/, so two servers from one checkout
would clash: a lock file serializes e2e sessions of the same checkout.

Playwright is used through its plain sync API (not pytest-playwright, whose event loop
clashes with pytest-asyncio). Each test gets a new browser context (own cookies and
storage); Playwright launches the browser itself with a fresh temporary profile.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.e2e import helpers

ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent
CHROMIUM = os.environ.get("CRM_TEST_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# The first build runs `npm install` and a Vite production build: minutes on 2 cores.
SERVER_START_TIMEOUT = float(os.environ.get("CRM_TEST_E2E_START_TIMEOUT", "360"))
LOCK_TIMEOUT = 30 * 60
DEFAULT_TIMEOUT_MS = 15_000

# Configuration that must not leak from the developer's shell into the test server.
_SCRUBBED = ("REDIS_URL", "REFLEX_REDIS_URL", "DB_URL", "REFLEX_DB_URL")


def pytest_collection_modifyitems(config, items):
    here = Path(__file__).parent
    for item in items:
        if Path(str(item.fspath)).is_relative_to(here):
            item.add_marker(pytest.mark.e2e)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _server_env(data_dir: Path, base_url: str) -> dict[str, str]:
    env = {
        name: value
        for name, value in os.environ.items()
        if not (name.startswith("CRM_") and not name.startswith("CRM_TEST_"))
        and name not in _SCRUBBED
    }
    env.update(
        PATH=f"{VENV_BIN}{os.pathsep}{env.get('PATH', '')}",
        REFLEX_USE_NPM="1",
        REFLEX_TELEMETRY_ENABLED="false",
        PYTHONUNBUFFERED="1",
        CRM_DATA_DIR=str(data_dir),
        CRM_BASE_URL=base_url,
        CRM_DEV_MODE="1",
        # Every test signs up or in from 127.0.0.1: the suite requests more codes in 15
        # minutes than one visitor address may.
        CRM_SIGN_IN_CODES_PER_IP="1000",
    )
    if os.environ.get("CRM_TEST_REDIS_URL"):
        # The production shape: Reflex keeps page state in Redis (and may run several workers).
        env["CRM_REDIS_URL"] = os.environ["CRM_TEST_REDIS_URL"]
    return env


def _prepare_database(env: dict[str, str], log) -> None:
    """Create the schema the way `make run` does (the CLI), or directly while it is missing."""
    if (ROOT / "crm_app" / "cli.py").exists():
        cmd = [sys.executable, "-m", "crm_app.cli", "migrate"]
    else:
        cmd = [
            sys.executable,
            "-c",
            "import crm_app.models; from sqlmodel import SQLModel; from crm_app.db import get_engine; "
            "SQLModel.metadata.create_all(get_engine())",
        ]
    log.write(f"$ {' '.join(cmd)}\n")
    log.flush()
    result = subprocess.run(
        cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, timeout=300
    )
    if result.returncode != 0:
        raise RuntimeError(f"preparing the test database failed (exit {result.returncode})")
    with sqlite3.connect(Path(env["CRM_DATA_DIR"]) / "crm.db") as conn:
        tables = {
            row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        }
    if not {"organization", "user", "sentemail"} <= tables:
        raise RuntimeError(
            f"`{' '.join(cmd[1:])}` left the test database without the app's tables "
            f"(found {sorted(tables)}): are all migrations in alembic/versions committed?"
        )


def _log_tail(path: Path, lines: int = 120) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no server log)"


def _wait_until_up(proc: subprocess.Popen, base_url: str, log_path: Path) -> None:
    deadline = time.monotonic() + SERVER_START_TIMEOUT
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.exit(
                f"the app server exited with {proc.returncode} before answering /ping:\n"
                f"{_log_tail(log_path)}",
                returncode=1,
            )
        try:
            with urllib.request.urlopen(f"{base_url}/ping", timeout=5) as response:
                if response.status == 200:
                    # /ping is the backend; make sure the built pages are served too.
                    with urllib.request.urlopen(f"{base_url}/login", timeout=10) as page:
                        if page.status == 200:
                            return
        except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
            pass
        time.sleep(1)
    raise TimeoutError(f"the app did not answer {base_url}/ping within {SERVER_START_TIMEOUT:.0f}s")


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
    except ProcessLookupError:
        pass


class _CheckoutLock:
    """An exclusive lock per checkout, so only one e2e server builds into .web/ at a time."""

    def __init__(self) -> None:
        digest = hashlib.sha1(str(ROOT).encode()).hexdigest()[:12]
        self.path = Path(tempfile.gettempdir()) / f"crm-e2e-{digest}.lock"
        self.handle = None

    def __enter__(self):
        self.handle = open(self.path, "w")
        deadline = time.monotonic() + LOCK_TIMEOUT
        announced = False
        while True:
            try:
                fcntl.flock(self.handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return self
            except BlockingIOError:
                if not announced:
                    print(
                        f"\nwaiting for another e2e session of {ROOT} to finish ({self.path})",
                        flush=True,
                    )
                    announced = True
                if time.monotonic() > deadline:
                    raise TimeoutError(
                        f"another e2e session held {self.path} for {LOCK_TIMEOUT}s"
                    ) from None
                time.sleep(2)

    def __exit__(self, *exc):
        fcntl.flock(self.handle, fcntl.LOCK_UN)
        self.handle.close()


@pytest.fixture(scope="session")
def live_app(tmp_path_factory):
    """Start the real app once for the session; yields a helpers.LiveApp."""
    work = tmp_path_factory.mktemp("live-app")
    data_dir = work / "data"
    data_dir.mkdir()
    port = int(os.environ.get("CRM_TEST_E2E_PORT") or _free_port())
    base_url = f"http://localhost:{port}"
    env = _server_env(data_dir, base_url)
    log_path = work / "server.log"

    with _CheckoutLock(), open(log_path, "w") as log:
        _prepare_database(env, log)
        cmd = [
            str(VENV_BIN / "reflex"),
            "run",
            "--env",
            "prod",
            "--single-port",
            "--backend-port",
            str(port),
        ]
        # The background worker beside the app, as `make run` starts it (mail, imports).
        worker = subprocess.Popen(
            [sys.executable, "-m", "crm_app.cli", "worker", "--workers", "2"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        log.write(f"$ {' '.join(cmd)}\n")
        log.flush()
        started = time.monotonic()
        proc = subprocess.Popen(
            cmd,
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        try:
            try:
                _wait_until_up(proc, base_url, log_path)
            except TimeoutError as exc:
                pytest.exit(f"{exc}\n--- server log ---\n{_log_tail(log_path)}", returncode=1)
            print(
                f"\napp server up at {base_url} after {time.monotonic() - started:.0f}s (log: {log_path})",
                flush=True,
            )
            app = helpers.LiveApp(
                base_url=base_url,
                data_dir=data_dir,
                database_url=f"sqlite:///{data_dir / 'crm.db'}",
                log_path=log_path,
            )
            helpers.register_app(app)
            yield app
        finally:
            _stop(proc)
            _stop(worker)


@pytest.fixture(scope="session")
def base_url(live_app) -> str:
    return live_app.base_url


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.exit(f"Chromium not found at {CHROMIUM}: apt-get install -y chromium", returncode=1)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def context(browser, live_app):
    context = browser.new_context(
        base_url=live_app.base_url, viewport={"width": 1366, "height": 900}
    )
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    try:
        yield context
    finally:
        context.close()


@pytest.fixture
def page(context, request):
    """A fresh page; on failure its screenshot goes to screenshots/tmp/<test>.png."""
    page = context.new_page()
    helpers.follow_event_socket(page)
    yield page
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed and not page.is_closed():
        try:
            path = helpers.screenshot(page, f"FAILED-{request.node.name}")
            print(f"\nscreenshot of the failure: {path}")
        except Exception as exc:  # the failure itself matters more than its picture
            print(f"\n(could not take a failure screenshot: {exc})")
