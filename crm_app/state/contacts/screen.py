"""CRM → Contacts list: rows, pages, columns, selection and bulk actions; the query
(filters.py), saved views (views.py) and Add Contact (add.py) are mixins of this state.

The browser only holds display rows and the current query; every handler re-checks the
member and the agent through the services, and every value arriving from the browser is
validated (by `saved_views.query_from_dict` or the services) before it reaches SQL.
"""

from __future__ import annotations

import dataclasses
from urllib.parse import urlencode

import reflex as rx

from crm_app import routes
from crm_app.services import bulk as bulk_service
from crm_app.services import fields as field_service
from crm_app.services import stages as stage_service
from crm_app.services import timeline
from crm_app.services.contact_count import count_contacts
from crm_app.services.contact_list import COUNT_CAP, count_matching, list_page
from crm_app.services.errors import ServiceError
from crm_app.services.values import format_phone
from crm_app.state.base import AppState, DialogFlags, shows_errors
from crm_app.state.contacts.add import AddContact
from crm_app.state.contacts.filters import ListFilters
from crm_app.state.contacts.views import SavedViews
from crm_app.state.dto import Choice, Column, CustomField, pick, pick_all

BASE_COLUMNS = [
    Column("name", "Name"),
    Column("email", "Primary Email"),
    Column("phone", "Mobile Number"),
    Column("gender", "Gender"),
    Column("status", "Status"),
    Column("stage", "Stage"),
    Column("owner", "Owner"),
    Column("source", "Source"),
    Column("created", "Created"),
]
DEFAULT_VISIBLE = [c.key for c in BASE_COLUMNS]


@dataclasses.dataclass
class ContactRow:
    """A row of the contacts table: the base columns' display values, and the custom fields'
    under their column key ("cf:<id>")."""

    id: str = ""
    href: str = ""
    name: str = ""
    email: str = ""
    phone: str = ""
    gender: str = ""
    status: str = ""
    stage: str = ""
    owner: str = ""
    source: str = ""
    created: str = ""
    custom: dict[str, str] = dataclasses.field(default_factory=dict)


_BULK_DONE = {
    "assign_owner": "Owner changed for",
    "change_stage": "Stage changed for",
    "change_status": "Status changed for",
    "archive": "Archived",
    "unarchive": "Restored",
    "delete": "Deleted",
}


class ContactsState(ListFilters, SavedViews, AddContact, DialogFlags, AppState):
    # data
    rows: list[ContactRow] = []
    total: int = 0  # matching contacts, COUNT_CAP + 1 for "more"; -1 while being counted
    agent_total: int = 0
    loading: bool = False
    fields: list[CustomField] = []  # custom fields of the agent (columns, filters, add dialog)
    stages: list[Choice] = []
    members: list[Choice] = []

    # pages
    page: int = 1  # the page's number, for its label; pages after the first are reached by keyset
    has_previous: bool = False
    has_next: bool = False
    # Keyset cursors: where the shown page was read from, and its first/last rows.
    _after: str = ""
    _before: str = ""
    _first: str = ""
    _last: str = ""
    visible: list[str] = DEFAULT_VISIBLE

    # selection and bulk actions (own copies of the member's rights and agent: computed vars
    # here must not depend on AppState's vars)
    is_admin: bool = False
    agent_key: str = ""
    selected: list[str] = []
    all_matching: bool = False
    confirm_delete_open: bool = False
    bulk_busy: bool = False

    # ------------------------------------------------------------ derived

    @rx.var
    def all_columns(self) -> list[Column]:
        return BASE_COLUMNS + [Column(f"cf:{f.id}", f.label) for f in self.fields]

    @rx.var
    def visible_columns(self) -> list[Column]:
        return [c for c in self.all_columns if c.key in self.visible]

    @rx.var
    def page_label(self) -> str:
        """ "Page 3", plus " of 7" when the count is exact."""
        size = int(self.page_size) if self.page_size.isdigit() else 25
        if 0 <= self.total <= COUNT_CAP:
            return f"Page {self.page:,} of {max(1, -(-self.total // size)):,}"
        return f"Page {self.page:,}"

    @rx.var
    def range_label(self) -> str:
        if self.total == 0 or not self.rows:
            return "0 contacts"
        size = int(self.page_size) if self.page_size.isdigit() else 25
        start = (self.page - 1) * size + 1
        shown = f"{start:,}–{start + len(self.rows) - 1:,}"
        if self.total < 0:
            return f"{shown} of …"
        return f"{shown} of {f'{COUNT_CAP:,}+' if self.total > COUNT_CAP else f'{self.total:,}'}"

    @rx.var
    def subtitle(self) -> str:
        return f"You have {self.agent_total:,} contacts. Click any contact to view its details."

    @rx.var
    def selection_count(self) -> int:
        return self.total if self.all_matching else len(self.selected)

    @rx.var
    def selection_label(self) -> str:
        if self.all_matching:
            more = self.total > COUNT_CAP
            return f"All {'10,000+' if more else f'{self.total:,}'} matching contacts selected"
        return f"{len(self.selected):,} selected"

    @rx.var
    def page_selected(self) -> bool:
        return bool(self.rows) and all(r.id in self.selected for r in self.rows)

    @rx.var
    def export_href(self) -> str:
        """The export download for the selection, or for everything matching the filters."""
        if not self.agent_key:
            return ""
        if self.selected and not self.all_matching:
            query = urlencode([("ids", ",".join(self.selected))])
        else:
            query = self._export_query()
        return f"/api/agents/{self.agent_key}/contacts/export?{query}"

    # ------------------------------------------------------------ loading

    @rx.event
    @shows_errors
    def load_page(self):
        """on_load: shell, then the agent's fields, stages, members, views and first page."""
        redirect = self.load_shell()
        if redirect is not None:
            return redirect
        with self.unit() as (session, actor):
            agent_id = self.route_agent_id()
            self.fields = [
                pick(CustomField, f)
                for f in field_service.list_fields(session, actor, agent_id)
                if not f["is_default"]
            ]
            self.stages = pick_all(Choice, stage_service.list_stages(session, actor, agent_id))
            self.members = pick_all(Choice, timeline.owner_choices(session, actor.org_id, None))
            self._load_views(session, actor, agent_id)
            self.is_admin = actor.is_admin
            self.agent_key = str(agent_id)
        self._show_columns(self.visible)
        return ContactsState.refresh(True)

    @rx.event
    @shows_errors
    def refresh(self, recount: bool = False):
        """Reload the shown page's rows, then (a second event, so the rows show first) count
        the matches; `recount` also refreshes the agent's total (the subtitle)."""
        try:
            with self.unit(read_only=True) as (session, actor):
                agent_id = self.route_agent_id()
                page = list_page(
                    session, actor, agent_id, self._query(), after=self._after, before=self._before
                )
                if (
                    not page.rows and page.has_previous
                ):  # the page emptied (e.g. after a bulk delete)
                    self._to_first_page()
                    page = list_page(session, actor, agent_id, self._query())
                if recount:
                    self.agent_total = count_contacts(session, actor, agent_id)
        except ServiceError:
            self._to_first_page()
            raise
        self._show(page)
        if page.has_previous or page.has_next:
            self.total = -1
            return ContactsState.count_matches
        self.total = len(page.rows)  # the only page: nothing else to count
        return None

    @rx.event
    @shows_errors
    def count_matches(self):
        with self.unit(read_only=True) as (session, actor):
            self.total = count_matching(session, actor, self.route_agent_id(), self._query())

    def _show(self, page) -> None:
        base = routes.agent_path(routes.CONTACTS, self.route_agent_id())
        phone_fields = {str(f.id) for f in self.fields if f.type == "Phone"}
        self.rows = [_display_row(r, base, phone_fields) for r in page.rows]
        self.has_previous, self.has_next = page.has_previous, page.has_next
        self._first, self._last = page.first, page.last

    def _to_first_page(self) -> None:
        self.page = 1
        self._after = self._before = ""

    @rx.event
    @shows_errors
    def go_page(self, delta: int):
        """Next (1) or previous (-1) page, read after the last / before the first row shown;
        the matching count is unchanged."""
        forward = int(delta) > 0
        if not (self.has_next if forward else self.has_previous):
            return None
        if not forward and self.page <= 2:
            self._to_first_page()
        else:
            self.page += 1 if forward else -1
            self._after, self._before = (self._last, "") if forward else ("", self._first)
        with self.unit(read_only=True) as (session, actor):
            page = list_page(
                session,
                actor,
                self.route_agent_id(),
                self._query(),
                after=self._after,
                before=self._before,
            )
        self._show(page)
        return None

    # ------------------------------------------------------------ columns

    def _show_columns(self, keys: list[str]) -> None:
        known = {c.key for c in self.all_columns}
        self.visible = [k for k in keys if k in known] or DEFAULT_VISIBLE

    @rx.event
    def toggle_column(self, key: str, shown: bool):
        order = [c.key for c in self.all_columns]
        if key not in order or key == "name":
            return
        chosen = {k for k in self.visible if k != key} | ({key} if shown else set())
        self.visible = sorted(chosen, key=order.index)

    # ------------------------------------------------------------ selection and bulk actions

    def _reset_selection(self) -> None:
        self.selected, self.all_matching = [], False

    @rx.event
    def toggle_row(self, contact_id: str, checked: bool):
        contact_id = str(contact_id)[:24]
        self.all_matching = False
        self.selected = [i for i in self.selected if i != contact_id] + (
            [contact_id] if checked else []
        )

    @rx.event
    def toggle_page(self, checked: bool):
        page_ids = [r.id for r in self.rows]
        self.all_matching = False
        keep = [i for i in self.selected if i not in page_ids]
        self.selected = keep + (page_ids if checked else [])

    @rx.event
    def select_all_matching(self):
        self.all_matching = True

    @rx.event
    def clear_selection(self):
        self._reset_selection()

    @rx.event
    @shows_errors
    def bulk(self, action: str, value: str = ""):
        """Apply a bulk action to the selection or to all matching contacts."""
        if not self.selected and not self.all_matching:
            return rx.toast.error("Select contacts first.")
        if action not in bulk_service.ACTIONS:
            return rx.toast.error("Choose an action.")
        if action == bulk_service.CHANGE_STATUS:
            arg = value
        else:
            arg = int(value) if str(value).isdigit() else None
            if action in (bulk_service.ASSIGN_OWNER, bulk_service.CHANGE_STAGE) and arg is None:
                return rx.toast.error("Choose a value.")
        self.bulk_busy = True
        try:
            with self.unit() as (session, actor):
                count = bulk_service.bulk_update(
                    session,
                    actor,
                    self.route_agent_id(),
                    ids=None if self.all_matching else list(self.selected),
                    query=self._query() if self.all_matching else None,
                    action=action,
                    value=arg,
                )
        finally:
            self.bulk_busy = False
        self.confirm_delete_open = False
        self._reset_selection()
        noun = "contact" if count == 1 else "contacts"
        return [
            rx.toast.success(f"{_BULK_DONE[action]} {count:,} {noun}"),
            ContactsState.refresh(True),
        ]


def _display_row(row: dict, base: str, phone_fields: set[str]) -> ContactRow:
    return ContactRow(
        id=row["id"],
        href=f"{base}/{row['id']}",
        name=row["name"] or row["email"] or row["phone_display"],
        email=row["email"],
        phone=row["phone_display"],
        gender=row["gender"],
        status=row["status"],
        stage=row["stage"],
        owner=row["owner"],
        source=row["source"],
        created=row["created"][:10],
        custom={
            f"cf:{field_id}": format_phone(value) if field_id in phone_fields else value
            for field_id, value in row["values"].items()
        },
    )
