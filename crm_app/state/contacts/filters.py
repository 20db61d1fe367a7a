"""The contacts list's query: search, filters, sort and page size, as the browser sets them.

Every value from the browser is cut to size here and validated again by
`saved_views.query_from_dict` before it reaches SQL. A mixin of `ContactsState`: a change
starts again at the first page and reloads through the state's `refresh`.
"""

from __future__ import annotations

from urllib.parse import urlencode

import reflex as rx

from crm_app.services import saved_views
from crm_app.services.contact_list import ListQuery
from crm_app.services.errors import ServiceError

SOURCES = ["Chat", "Form", "Manual", "Import", "API", "Payment"]
STATUSES = ["Active", "Inactive", "Blocked"]
ALL = "all"
_FILTERS = ("f_stage", "f_status", "f_owner", "f_source", "f_from", "f_to", "f_custom_value")


class ListFilters(rx.State, mixin=True):
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
    page_size: str = "25"

    @rx.var
    def filters_active(self) -> int:
        return (
            sum(1 for v in (self.f_stage, self.f_status, self.f_owner, self.f_source) if v != ALL)
            + bool(self.f_from or self.f_to)
            + bool(self.f_custom_key and self.f_custom_value)
            + self.show_archived
        )

    @rx.var
    def custom_filter_options(self) -> list[str]:
        return next((f.options for f in self.fields if f.key == self.f_custom_key), [])

    # ------------------------------------------------------------ the query

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

    def _show_query(self, q: ListQuery) -> None:
        """The filters of a saved view's query, back into the controls."""
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

    def _export_params(self) -> list[tuple[str, str]]:
        """The export route's parameters for everything matching the filters."""
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
        return params

    def _export_query(self) -> str:
        return urlencode(self._export_params())

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

    def _changed(self, *, keep_selection: bool = False):
        """After a change of the query: first page, and reload."""
        if not keep_selection:
            self._reset_selection()
        self._to_first_page()
        return type(self).refresh

    # ------------------------------------------------------------ events

    @rx.event
    def set_search(self, value: str):
        self.search = str(value)[:200]
        return self._changed()

    @rx.event
    def set_filter(self, name: str, value: str):
        if name not in _FILTERS:
            return None
        setattr(self, name, str(value)[:100])
        self.current_view = ""
        return self._changed()

    @rx.event
    def set_custom_key(self, key: str):
        self.f_custom_key = "" if key == ALL else str(key)[:60]
        self.f_custom_value = ""
        self._to_first_page()
        return None if self.f_custom_key else type(self).refresh

    @rx.event
    def toggle_archived(self, value: bool):
        self.show_archived = bool(value)
        return self._changed()

    @rx.event
    def clear_filters(self):
        self._reset_filters()
        return type(self).refresh

    @rx.event
    def sort_by(self, column: str):
        if column.startswith("cf:"):
            return rx.toast.info("Sort by custom fields with a filter on the field.")
        if self.sort == column:
            self.descending = not self.descending
        else:
            self.sort, self.descending = column, column == "created"
        return self._changed(keep_selection=True)

    @rx.event
    def set_page_size(self, size: str):
        self.page_size = size if size in ("25", "50", "100") else "25"
        return self._changed(keep_selection=True)
