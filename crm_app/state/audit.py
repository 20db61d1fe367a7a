"""Settings → Audit Logs: the organization's log (Owner/Admin) or the member's own (User),
newest first, with an action filter, text search and Prev/Next pages."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import reflex as rx

from crm_app import routes
from crm_app.services import audit as audit_service
from crm_app.state.base import AppState, BrowserTimeZone, shows_errors

PAGE_SIZE = 25
ALL = "All actions"
ACTION_CHOICES = [ALL, *audit_service.ACTIONS]


def _zone(name: str):
    try:
        return ZoneInfo(name) if name else UTC
    except (ZoneInfoNotFoundError, ValueError):
        return UTC


def format_timestamp(value, tz_name: str = "") -> str:
    """e.g. "Mar 3, 2026, 2:05 PM" in the viewer's time zone (UTC until the browser says)."""
    local = value.astimezone(_zone(tz_name))
    text = local.strftime("%b %d, %Y, %I:%M %p").replace(" 0", " ")
    return text if tz_name else f"{text} UTC"


def _contact_href(part: audit_service.DescriptionPart) -> str:
    if not part.contact_id:
        return ""
    return routes.agent_path(routes.CONTACT, part.agent_id).replace("[contact_id]", part.contact_id)


@dataclass
class TextPart:
    """A piece of an entry's description; `href` links a contact's name ("" for plain text)."""

    text: str
    href: str


@dataclass
class AuditEntry:
    id: int
    user: str
    description: list[TextPart]
    action: str
    resource: str
    status: str
    timestamp: str


class AuditState(BrowserTimeZone, AppState):
    loaded: bool = False
    entries: list[AuditEntry] = []
    total: int = 0
    page: int = 1
    action_filter: str = ALL
    search: str = ""

    @rx.var
    def page_count(self) -> int:
        return max(1, -(-self.total // PAGE_SIZE))

    @rx.var
    def range_label(self) -> str:
        if self.total == 0:
            return "No entries"
        first = (self.page - 1) * PAGE_SIZE + 1
        last = min(self.total, self.page * PAGE_SIZE)
        return f"{first}–{last} of {self.total}"

    @rx.var
    def has_prev(self) -> bool:
        return self.page > 1

    @rx.var
    def has_next(self) -> bool:
        return self.page * PAGE_SIZE < self.total

    @rx.var
    def filtered(self) -> bool:
        return self.action_filter != ALL or self.search.strip() != ""

    def _fetch(self):
        action = self.action_filter if self.action_filter in audit_service.ACTIONS else ""
        with self.unit() as (session, actor):

            def search():
                return audit_service.search_entries(
                    session,
                    actor,
                    action=action,
                    text=self.search,
                    page=self.page,
                    page_size=PAGE_SIZE,
                )

            rows, total = search()
            if not rows and total and self.page > 1:  # the page emptied: show the last one
                self.page = max(1, -(-total // PAGE_SIZE))
                rows, total = search()
            descriptions = audit_service.describe(session, actor, rows)
        self.total = total
        self.entries = [
            AuditEntry(
                id=row.id,
                user=row.user_label or "System",
                description=[TextPart(part.text, _contact_href(part)) for part in parts],
                action=row.action,
                resource=row.resource,
                status=row.status,
                timestamp=format_timestamp(row.created_at, self._tz_name),
            )
            for row, parts in zip(rows, descriptions)
        ]
        self.loaded = True

    @rx.event
    @shows_errors
    def load(self):
        self.page = 1
        self._fetch()
        return self._ask_time_zone()

    def _refill(self) -> None:
        self._fetch()

    @rx.event
    @shows_errors
    def set_action_filter(self, value: str):
        self.action_filter = value if value in ACTION_CHOICES else ALL
        self.page = 1
        self._fetch()

    @rx.event
    @shows_errors
    def set_search(self, value: str):
        self.search = str(value)[:100]
        self.page = 1
        self._fetch()

    @rx.event
    @shows_errors
    def clear_filters(self):
        self.action_filter = ALL
        self.search = ""
        self.page = 1
        self._fetch()

    @rx.event
    @shows_errors
    def next_page(self):
        if self.page * PAGE_SIZE < self.total:
            self.page += 1
        self._fetch()

    @rx.event
    @shows_errors
    def prev_page(self):
        self.page = max(1, self.page - 1)
        self._fetch()
