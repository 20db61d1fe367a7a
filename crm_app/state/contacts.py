"""CRM → Contacts list: search, filters, sort, pages, columns, saved views, add contact.

The browser only holds display rows and the current query; every handler re-checks the
member and the agent through the services, and every value arriving from the browser is
validated (by `saved_views.query_from_dict` or the services) before it reaches SQL.
"""

from __future__ import annotations

from urllib.parse import urlencode

import reflex as rx

from crm_app import routes
from crm_app.services import bulk as bulk_service
from crm_app.services import contacts as contact_service
from crm_app.services import fields as field_service
from crm_app.services import saved_views, timeline
from crm_app.services import stages as stage_service
from crm_app.services.contact_list import (
    COUNT_CAP,
    ListQuery,
    count_contacts,
    count_matching,
    list_page,
)
from crm_app.services.errors import ServiceError
from crm_app.services.values import format_phone
from crm_app.state.base import AppState, route_param, shows_errors

BASE_COLUMNS = [
    {"key": "name", "label": "Name"},
    {"key": "email", "label": "Primary Email"},
    {"key": "phone", "label": "Mobile Number"},
    {"key": "gender", "label": "Gender"},
    {"key": "status", "label": "Status"},
    {"key": "stage", "label": "Stage"},
    {"key": "owner", "label": "Owner"},
    {"key": "source", "label": "Source"},
    {"key": "created", "label": "Created"},
]
DEFAULT_VISIBLE = [c["key"] for c in BASE_COLUMNS]
SOURCES = ["Chat", "Form", "Manual", "Import", "API", "Payment"]
STATUSES = ["Active", "Inactive", "Blocked"]
ALL = "all"


class ContactsState(AppState):
    # data
    rows: list[dict[str, str]] = []
    total: int = 0  # matching contacts, COUNT_CAP + 1 for "more"; -1 while being counted
    agent_total: int = 0
    loading: bool = False
    fields: list[dict] = []  # custom fields of the agent (for columns, filters, add dialog)
    stages: list[dict] = []
    members: list[dict] = []  # [{"id": "3", "name": "Dana Whitfield"}]

    # query
    search: str = ""
    f_stage: str = ALL
    f_status: str = ALL
    f_owner: str = ALL
    f_source: str = ALL
    f_from: str = ""
    f_to: str = ""
    f_custom_key: str = ""
    f_custom_value: str = ""
    show_archived: bool = False
    sort: str = "created"
    descending: bool = True
    page: int = 1  # the page's number, for its label; pages after the first are reached by keyset
    page_size: str = "25"
    has_previous: bool = False
    has_next: bool = False
    # Keyset cursors: where the shown page was read from, and its first/last rows.
    _after: str = ""
    _before: str = ""
    _first: str = ""
    _last: str = ""
    visible: list[str] = DEFAULT_VISIBLE

    # saved views
    views: list[dict] = []
    current_view: str = ""
    view_dialog_open: bool = False
    view_name: str = ""
    view_error: str = ""

    # selection and bulk actions (own copies of the member's rights and agent: computed vars
    # here must not depend on AppState's vars)
    is_admin: bool = False
    agent_key: str = ""
    selected: list[str] = []
    all_matching: bool = False
    confirm_delete_open: bool = False
    bulk_busy: bool = False

    # add contact
    add_open: bool = False
    add_step: str = "choose"  # choose | single
    add_values: dict[str, str] = {}
    add_errors: dict[str, str] = {}
    similar_id: str = ""
    similar_name: str = ""
    saving: bool = False

    # ------------------------------------------------------------ derived

    @rx.var
    def all_columns(self) -> list[dict[str, str]]:
        return BASE_COLUMNS + [{"key": f"cf:{f['id']}", "label": f["label"]} for f in self.fields]

    @rx.var
    def visible_columns(self) -> list[dict[str, str]]:
        return [c for c in self.all_columns if c["key"] in self.visible]

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
    def filters_active(self) -> int:
        return (
            sum(1 for v in (self.f_stage, self.f_status, self.f_owner, self.f_source) if v != ALL)
            + bool(self.f_from or self.f_to)
            + bool(self.f_custom_key and self.f_custom_value)
            + self.show_archived
        )

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
        return bool(self.rows) and all(r["id"] in self.selected for r in self.rows)

    @rx.var
    def export_href(self) -> str:
        """The export download for the selection, or for everything matching the filters."""
        agent = self.agent_key
        if not agent:
            return ""
        if self.selected and not self.all_matching:
            params: list[tuple[str, str]] = [("ids", ",".join(self.selected))]
        else:
            params = [
                ("search", self.search),
                ("sort", self.sort),
                ("descending", "1" if self.descending else "0"),
            ]
            for name, value in (
                ("stage", self.f_stage),
                ("status", self.f_status),
                ("owner", self.f_owner),
                ("source", self.f_source),
            ):
                if value != ALL:
                    params.append((name, value))
            if self.f_from:
                params.append(("created_from", self.f_from))
            if self.f_to:
                params.append(("created_to", self.f_to))
            if self.f_custom_key and self.f_custom_value:
                params.append((f"custom[{self.f_custom_key}]", self.f_custom_value))
            if self.show_archived:
                params.append(("archived", "1"))
        return f"/api/agents/{agent}/contacts/export?" + urlencode(params)

    @rx.var
    def custom_filter_options(self) -> list[str]:
        for f in self.fields:
            if f["key"] == self.f_custom_key:
                return list(f["options"])
        return []

    # ------------------------------------------------------------ loading

    def _query(self) -> ListQuery:
        data = {
            "search": self.search,
            "stage_ids": [] if self.f_stage == ALL else [self.f_stage],
            "statuses": [] if self.f_status == ALL else [self.f_status],
            "owner_ids": [] if self.f_owner == ALL else [self.f_owner],
            "sources": [] if self.f_source == ALL else [self.f_source],
            "created_from": self.f_from or None,
            "created_to": self.f_to or None,
            "custom": {self.f_custom_key: self.f_custom_value}
            if self.f_custom_key and self.f_custom_value
            else {},
            "archived": self.show_archived,
            "sort": self.sort,
            "descending": self.descending,
            "page_size": self.page_size,
        }
        return saved_views.query_from_dict(data)

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
                f
                for f in field_service.list_fields(session, actor, agent_id)
                if not f["is_default"]
            ]
            self.stages = [
                {"id": str(s["id"]), "name": s["name"]}
                for s in stage_service.list_stages(session, actor, agent_id)
            ]
            self.members = timeline.owner_choices(session, actor.org_id, None)
            self.views = saved_views.list_views(session, actor, agent_id)
            self.is_admin = actor.is_admin
            self.agent_key = str(agent_id)
        known = {c["key"] for c in self.all_columns}
        self.visible = [k for k in self.visible if k in known] or DEFAULT_VISIBLE
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
        phone_fields = {str(f["id"]) for f in self.fields if f["type"] == "Phone"}
        self.rows = [_display_row(r, base, phone_fields) for r in page.rows]
        self.has_previous, self.has_next = page.has_previous, page.has_next
        self._first, self._last = page.first, page.last

    def _to_first_page(self) -> None:
        self.page = 1
        self._after = self._before = ""

    # ------------------------------------------------------------ query changes

    def _reset_selection(self) -> None:
        self.selected, self.all_matching = [], False

    @rx.event
    def set_search(self, value: str):
        self.search = str(value)[:200]
        self._reset_selection()
        self._to_first_page()
        return ContactsState.refresh

    @rx.event
    def set_filter(self, name: str, value: str):
        if name not in (
            "f_stage",
            "f_status",
            "f_owner",
            "f_source",
            "f_from",
            "f_to",
            "f_custom_value",
        ):
            return
        setattr(self, name, str(value)[:100])
        self._reset_selection()
        self._to_first_page()
        self.current_view = ""
        return ContactsState.refresh

    @rx.event
    def set_custom_key(self, key: str):
        self.f_custom_key = "" if key == ALL else str(key)[:60]
        self.f_custom_value = ""
        self._to_first_page()
        if self.f_custom_key:
            return None
        return ContactsState.refresh

    @rx.event
    def toggle_archived(self, value: bool):
        self.show_archived = bool(value)
        self._reset_selection()
        self._to_first_page()
        return ContactsState.refresh

    # ------------------------------------------------------------ selection and bulk actions

    @rx.event
    def toggle_row(self, contact_id: str, checked: bool):
        contact_id = str(contact_id)[:24]
        self.all_matching = False
        self.selected = [i for i in self.selected if i != contact_id] + (
            [contact_id] if checked else []
        )

    @rx.event
    def toggle_page(self, checked: bool):
        page_ids = [r["id"] for r in self.rows]
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
    def set_confirm_delete_open(self, value: bool):
        self.confirm_delete_open = bool(value)

    @rx.event
    @shows_errors
    def bulk(self, action: str, value: str = ""):
        """Apply a bulk action to the selection or to all matching contacts."""
        if not self.selected and not self.all_matching:
            return rx.toast.error("Select contacts first.")
        if action not in bulk_service.ACTIONS:
            return rx.toast.error("Choose an action.")
        self.bulk_busy = True
        try:
            with self.unit() as (session, actor):
                arg = (
                    value
                    if action == bulk_service.CHANGE_STATUS
                    else (int(value) if str(value).isdigit() else None)
                )
                if action in (bulk_service.ASSIGN_OWNER, bulk_service.CHANGE_STAGE) and arg is None:
                    raise ServiceError("Choose a value.")
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
        verb = {
            "assign_owner": "Owner changed for",
            "change_stage": "Stage changed for",
            "change_status": "Status changed for",
            "archive": "Archived",
            "unarchive": "Restored",
            "delete": "Deleted",
        }[action]
        return [
            rx.toast.success(f"{verb} {count:,} contact{'s' if count != 1 else ''}"),
            ContactsState.refresh(True),
        ]

    def _reset_filters(self) -> None:
        """Filters and search back to "all contacts" (also the Pipeline's "Clear filters")."""
        self.f_stage = self.f_status = self.f_owner = self.f_source = ALL
        self.f_from = self.f_to = self.f_custom_key = self.f_custom_value = ""
        self.show_archived = False
        self.search = ""
        self._reset_selection()
        self._to_first_page()
        self.current_view = ""

    def _board_query(self, agent_id: int | None) -> tuple[ListQuery, int]:
        """The Pipeline's query: this list's filters for the same agent, the stage filter left
        out (the board is by stage), and how many filters that applies."""
        if not agent_id or self.agent_key != str(agent_id):
            return ListQuery(), 0
        try:
            query = self._query()
        except ServiceError:
            return ListQuery(), 0
        query.stage_ids, query.page, query.search = [], 1, ""
        return query, self.filters_active - (self.f_stage != ALL)

    @rx.event
    def clear_filters(self):
        self._reset_filters()
        return ContactsState.refresh

    @rx.event
    def sort_by(self, column: str):
        key = {"created": "created"}.get(column, column)
        if key.startswith("cf:"):
            return rx.toast.info("Sort by custom fields with a filter on the field.")
        if self.sort == key:
            self.descending = not self.descending
        else:
            self.sort, self.descending = key, key == "created"
        self._to_first_page()
        return ContactsState.refresh

    @rx.event
    def set_page_size(self, size: str):
        self.page_size = size if size in ("25", "50", "100") else "25"
        self._to_first_page()
        return ContactsState.refresh

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

    @rx.event
    def toggle_column(self, key: str, shown: bool):
        if key not in {c["key"] for c in self.all_columns} or key == "name":
            return
        self.visible = [k for k in self.visible if k != key] + ([key] if shown else [])
        order = [c["key"] for c in self.all_columns]
        self.visible = sorted(set(self.visible), key=order.index)

    # ------------------------------------------------------------ saved views

    @rx.event
    @shows_errors
    def apply_view(self, view_id: str):
        view = next((v for v in self.views if str(v["id"]) == view_id), None)
        if view is None:
            return rx.toast.error("View not found.")
        q = saved_views.query_from_dict(view["query"])
        self.search = q.search
        self.f_stage = str(q.stage_ids[0]) if q.stage_ids else ALL
        self.f_status = q.statuses[0] if q.statuses else ALL
        self.f_owner = str(q.owner_ids[0]) if q.owner_ids else ALL
        self.f_source = q.sources[0] if q.sources else ALL
        self.f_from = q.created_from.isoformat() if q.created_from else ""
        self.f_to = q.created_to.isoformat() if q.created_to else ""
        self.f_custom_key, self.f_custom_value = next(iter(q.custom.items()), ("", ""))
        self.show_archived = q.archived
        self.sort, self.descending, self.page_size = q.sort, q.descending, str(q.page_size)
        known = {c["key"] for c in self.all_columns}
        self.visible = [k for k in view["columns"] if k in known] or DEFAULT_VISIBLE
        self.current_view = view_id
        self._reset_selection()
        self._to_first_page()
        return ContactsState.refresh

    @rx.event
    def open_view_dialog(self):
        self.view_dialog_open, self.view_error = True, ""
        self.view_name = next(
            (v["name"] for v in self.views if str(v["id"]) == self.current_view), ""
        )

    @rx.event
    def set_view_dialog_open(self, value: bool):
        self.view_dialog_open = bool(value)

    @rx.event
    def set_view_name(self, value: str):
        self.view_name, self.view_error = str(value)[:80], ""

    @rx.event
    @shows_errors(fields="view_error")
    def save_view(self):
        with self.unit() as (session, actor):
            agent_id = self.route_agent_id()
            view = saved_views.save_view(
                session, actor, agent_id, self.view_name, self._query(), self.visible
            )
            self.views = saved_views.list_views(session, actor, agent_id)
        self.current_view = str(view["id"])
        self.view_dialog_open = False
        return rx.toast.success(f"View “{view['name']}” saved")

    @rx.event
    @shows_errors
    def delete_view(self):
        if not self.current_view.isdigit():
            return None
        with self.unit() as (session, actor):
            agent_id = self.route_agent_id()
            saved_views.delete_view(session, actor, agent_id, int(self.current_view))
            self.views = saved_views.list_views(session, actor, agent_id)
        self.current_view = ""
        return rx.toast.success("View deleted")

    # ------------------------------------------------------------ add contact

    @rx.event
    def open_add(self):
        self.add_open, self.add_step = True, "choose"
        self.add_values, self.add_errors = {}, {}
        self.similar_id = self.similar_name = ""

    @rx.event
    def set_add_open(self, value: bool):
        self.add_open = bool(value)

    @rx.event
    def choose_single(self):
        self.add_step = "single"

    @rx.event
    def back_to_choose(self):
        self.add_step = "choose"

    @rx.event
    def set_add_value(self, key: str, value):
        if isinstance(value, bool):
            value = "Yes" if value else ""
        self.add_values = {**self.add_values, str(key)[:60]: str(value)[:5000]}
        if key in self.add_errors:
            self.add_errors = {k: v for k, v in self.add_errors.items() if k != key}
        if key in ("email", "phone") and _complete_enough(key, str(value)):
            return ContactsState.check_similar
        if key in ("email", "phone") and self.similar_id:
            self.similar_id = self.similar_name = ""

    @rx.event
    def toggle_multi(self, key: str, option: str, checked: bool):
        chosen = [o for o in self.add_values.get(key, "").split("; ") if o]
        chosen = [o for o in chosen if o != option] + ([option] if checked else [])
        self.add_values = {**self.add_values, key: "; ".join(chosen)}

    @rx.event
    def check_similar(self):
        """The live duplicate warning while typing email or phone."""
        try:
            with self.unit() as (session, actor):
                match = contact_service.find_similar(
                    session,
                    actor,
                    self.route_agent_id(),
                    email=self.add_values.get("email", ""),
                    phone=self.add_values.get("phone", ""),
                )
        except ServiceError:
            match = None
        self.similar_id = match["id"] if match else ""
        self.similar_name = match["name"] if match else ""

    @rx.event
    @shows_errors(fields="add_errors")
    def submit_add(self):
        data = {k: v for k, v in self.add_values.items() if v.strip()}
        self.add_errors = {}
        if not data.get("email") and not data.get("phone"):
            self.add_errors = {
                "email": "Add an email or a mobile number.",
                "phone": "Add an email or a mobile number.",
            }
            return None
        self.saving = True
        yield
        try:
            with self.unit() as (session, actor):
                contact = contact_service.add_contact_manually(
                    session, actor, self.route_agent_id(), data
                )
                name = contact.name or contact.email or contact.phone
        finally:
            self.saving = False
        self.add_open = False
        yield rx.toast.success(f"{name} added")
        yield ContactsState.refresh(True)

    @rx.var
    def similar_href(self) -> str:
        if not self.similar_id:
            return ""
        agent = route_param(self.router, "agent_id")
        return f"/agents/{agent}/crm/contacts/{self.similar_id}"


def _complete_enough(key: str, value: str) -> bool:
    """Look for duplicates once the value could be a whole email or phone number."""
    if key == "email":
        return "@" in value and "." in value.rsplit("@", 1)[-1]
    return sum(ch.isdigit() for ch in value) >= 7


def _display_row(row: dict, base: str, phone_fields: set[str]) -> dict[str, str]:
    out = {
        "id": row["id"],
        "href": f"{base}/{row['id']}",
        "name": row["name"] or row["email"] or row["phone_display"],
        "email": row["email"],
        "phone": row["phone_display"],
        "gender": row["gender"],
        "status": row["status"],
        "stage": row["stage"],
        "owner": row["owner"],
        "source": row["source"],
        "created": row["created"][:10],
    }
    for field_id, value in row["values"].items():
        out[f"cf:{field_id}"] = format_phone(value) if field_id in phone_fields else value
    return out
