"""Helpers for browser tests: open pages, read sign-in codes, sign up/in, screenshots.

Locators follow the labels users see and use accessible roles and labels, so a test
breaks when a user-visible label changes, not when markup does.
"""

from __future__ import annotations

import os
import re
import time
import weakref
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from playwright.sync_api import Locator, Page, WebSocket, expect

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "screenshots"
CODE_RE = re.compile(r"(?<!\d)(\d{6})(?!\d)")
SIGN_IN_TIMEOUT_MS = 30_000


@dataclass(frozen=True)
class LiveApp:
    """The server started by tests/e2e/conftest.py."""

    base_url: str
    data_dir: Path
    database_url: str
    log_path: Path

    def url(self, path: str = "/") -> str:
        return self.base_url + path

    def __str__(self) -> str:
        return self.base_url


_APPS: dict[str, LiveApp] = {}


def register_app(app: LiveApp) -> None:
    _APPS[_origin(app.base_url)] = app


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _live_app(source) -> LiveApp:
    """Accepts a LiveApp, or a Page or base URL of a started app."""
    if isinstance(source, LiveApp):
        return source
    if isinstance(source, Page):
        source = source.url
    app = _APPS.get(_origin(str(source)))
    if app is None:
        raise LookupError(f"no test app registered for {source}")
    return app


def _base_url(app_or_url) -> str:
    return (app_or_url.base_url if isinstance(app_or_url, LiveApp) else str(app_or_url)).rstrip("/")


# ------------------------------------------------------------------ mailbox


def _latest_email(app: LiveApp, email: str) -> dict | None:
    from crm_app.services.email import dev_mailbox

    address = email.strip().lower()
    return next((m for m in dev_mailbox(app.data_dir / "dev-mailbox") if m["to"] == address), None)


def latest_email_id(page_or_app, email: str) -> str:
    """Id of the newest mail to `email` ("" when none): pass it as `newer_than` later."""
    found = _latest_email(_live_app(page_or_app), email)
    return found["id"] if found else ""


def read_code_from_mailbox(
    page_or_app, email: str, *, newer_than: str = "", timeout: float = 15.0
) -> str:
    """The 6-digit code from the newest mail sent to `email` (waits until it arrives).

    Reads the test server's development mailbox (what /dev/mailbox lists) from its data dir.
    """
    app = _live_app(page_or_app)
    deadline = time.monotonic() + timeout
    while True:
        found = _latest_email(app, email)
        if found and found["id"] > newer_than:
            match = CODE_RE.search(found["subject"]) or CODE_RE.search(found["body"])
            if match is None:
                raise AssertionError(
                    f"no 6-digit code in the mail to {email}: {found['subject']!r}\n{found['body']}"
                )
            return match.group(1)
        if time.monotonic() > deadline:
            raise AssertionError(f"no new mail to {email} within {timeout:.0f}s")
        time.sleep(0.25)


# ------------------------------------------------------------------ navigation


def _page_key(url: str) -> str:
    """A page's URL without fragment or trailing slash (the app may add one on load)."""
    return url.split("#", 1)[0].rstrip("/")


def open_page(page: Page, url: str) -> Page:
    """Load `url` and wait until the app's websocket delivered its first state update,
    so typing and clicking reach the Python event handlers. The socket of the page being
    left is not it: right after a sign-in its opening may still be waiting to be reported."""
    before = _page_key(page.url)
    reload = before == _page_key(url)

    def of_this_page(ws) -> bool:
        return "/_event" in ws.url and (reload or _page_key(page.url) != before)

    with page.expect_websocket(of_this_page) as ws_info:
        page.goto(url)
    ws = ws_info.value
    ws.wait_for_event("framereceived", lambda payload: str(payload).startswith("42"))
    return page


# The newest event socket of each page, recorded by follow_event_socket (conftest's `page`).
_SOCKETS: weakref.WeakKeyDictionary[Page, WebSocket] = weakref.WeakKeyDictionary()


def follow_event_socket(page: Page) -> None:
    """Remember the page's event websocket (a new one after every full page load)."""

    def remember(ws: WebSocket) -> None:
        if "/_event" in ws.url:
            _SOCKETS[page] = ws

    page.on("websocket", remember)


@contextmanager
def event_sent(page: Page, handler: str, *values: str):
    """Wait, at the end of the block, until the page sent the event `handler` (part of its
    name, e.g. "set_add_value") carrying each of `values` to the server.

    For inputs whose change is debounced in the browser: nothing on the page shows that
    the server has the typed value, and a click made before the debounced change left
    would reach the server first. The browser sends events one at a time, in order."""
    ws = _SOCKETS.get(page)
    if ws is None:
        raise LookupError("no event websocket seen for this page (use the `page` fixture)")

    def carries(payload) -> bool:
        text = payload if isinstance(payload, str) else bytes(payload).decode(errors="replace")
        return handler in text and all(value in text for value in values)

    with ws.expect_event("framesent", carries):
        yield


def lift_with_keyboard(page: Page, handle: Locator) -> None:
    """Pick up a drag-and-drop item from the keyboard (focus its handle, Space), and wait
    until its arrow keys work: dnd-kit's keyboard sensor starts listening in a setTimeout
    after the lift, and Chromium runs a key press before that timer — the first arrow key
    was lost. A timer queued now runs after the sensor's."""
    handle.focus()
    page.keyboard.press("Space")
    expect(handle).to_have_attribute("aria-pressed", "true")
    page.evaluate("() => new Promise((done) => setTimeout(done, 20))")


def expect_announced(page: Page, text: str) -> None:
    """Wait until a drag-and-drop list announced `text` to screen readers (dnd-kit's live
    region: "Picked up …", "… is over …", "Dropped …"), i.e. the drag reached that step."""
    expect(page.locator("[id^='DndLiveRegion-']").filter(has_text=text)).to_have_count(1)


def code_input(page: Page) -> Locator:
    """The one-time code field, whatever its exact label ("Code", "6-digit code", ...)."""
    return (
        page.get_by_label(re.compile(r"code", re.I))
        .or_(page.get_by_placeholder(re.compile(r"code|\d{6}", re.I)))
        .or_(page.locator("input[autocomplete='one-time-code']"))
        .first
    )


def _enter_code_and_verify(page: Page, app, email: str, newer_than: str, away_from: str) -> None:
    code = read_code_from_mailbox(app, email, newer_than=newer_than)
    field = code_input(page)
    field.wait_for(state="visible")
    field.fill(code)
    page.get_by_role("button", name="Verify").click()
    # Verify hands over to /api/auth/complete, which sets the cookie and redirects.
    page.wait_for_url(
        lambda url: away_from not in url and "/api/auth/" not in url, timeout=SIGN_IN_TIMEOUT_MS
    )


def sign_up(page: Page, base_url, email: str, org: str, first: str, last: str) -> None:
    """Create an organization through /signup and end signed in on the dashboard.

    `base_url` is the LiveApp (or its base URL string)."""
    base = _base_url(base_url)
    open_page(page, f"{base}/signup")
    page.get_by_label("Organization name").fill(org)
    page.get_by_label("First name").fill(first)
    page.get_by_label("Last name").fill(last)
    page.get_by_label("Email address").fill(email)
    before = latest_email_id(base_url if isinstance(base_url, LiveApp) else base, email)
    page.get_by_role("button", name="Send code").click()
    _enter_code_and_verify(
        page, base_url if isinstance(base_url, LiveApp) else base, email, before, "/signup"
    )


def sign_in(page: Page, base_url, email: str) -> None:
    """Sign in with an emailed code through /login and end on the dashboard."""
    base = _base_url(base_url)
    app = base_url if isinstance(base_url, LiveApp) else base
    open_page(page, f"{base}/login")
    page.get_by_label(re.compile(r"^email", re.I)).fill(email)
    before = latest_email_id(app, email)
    page.get_by_role("button", name="Send code").click()
    _enter_code_and_verify(page, app, email, before, "/login")


# ------------------------------------------------------------------ screenshots


def screenshot(page: Page, name: str, *, keep: bool = False) -> Path:
    """Save a full-page PNG to screenshots/tmp/<name>.png (git-ignored). `keep` marks the
    README's screens: they replace the committed screenshots/<name>.png only when
    CRM_TEST_UPDATE_SCREENSHOTS=1, so a test run never modifies tracked files."""
    update = keep and os.environ.get("CRM_TEST_UPDATE_SCREENSHOTS") == "1"
    directory = SCREENSHOTS if update else SCREENSHOTS / "tmp"
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / (re.sub(r"[^A-Za-z0-9_.-]+", "_", name).strip("_") + ".png")
    # Finite CSS animations (dialogs, toasts, tabs) are finished first, so a picture never
    # catches a screen half-way in.
    page.screenshot(path=str(path), full_page=True, animations="disabled")
    return path


@contextmanager
def live_db(live_app, monkeypatch):
    """Run services in this process against the live app's database (same data dir, same
    secret): `with live_db(live_app, monkeypatch) as session: ...` commits at the end."""
    from crm_app import db, settings

    monkeypatch.setenv("CRM_DATA_DIR", str(live_app.data_dir))
    monkeypatch.delenv("CRM_DATABASE_URL", raising=False)
    monkeypatch.delenv("CRM_SECRET_KEY", raising=False)
    settings.get_settings.cache_clear()
    db.get_engine.cache_clear()
    try:
        with db.session_scope() as session:
            yield session
    finally:
        db.get_engine().dispose()
        settings.get_settings.cache_clear()
        db.get_engine.cache_clear()


def sign_in_with_ticket(page: Page, live_app, monkeypatch, user, org_id: int, next_path: str):
    """Sign `user` in to `org_id` without the emailed code: a one-time sign-in ticket issued
    in this process, traded by the browser at /api/auth/complete as after a code."""
    from crm_app.services import sessions

    with live_db(live_app, monkeypatch) as session:
        ticket = sessions.issue_ticket(session, user, org_id, next_path)
    open_page(page, live_app.url(f"/api/auth/complete?ticket={ticket}"))
