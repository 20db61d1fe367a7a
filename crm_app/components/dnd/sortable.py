"""A generic sortable (reorderable) list built on dnd-kit, usable from any page.

The rows are ordinary Reflex components; only the list and the row frame are JSX
(sortable.jsx beside this module, published with `rx.asset(shared=True)`).

Usage::

    sortable_list(
        rx.foreach(State.items, lambda item: sortable_item(
            row_content(item),              # any Reflex component
            item_id=item["id"].to(str),
            label=item["label"].to(str),    # read in "Drag to reorder <label>"
        )),
        ids=State.item_ids,                 # list[str], in the displayed order
        on_reorder=State.reorder,           # receives the new list[str] of ids on drop
        disabled=~State.can_edit,
    )

- Mouse/touch: press the handle and move (4 px activation distance, so clicks still work).
- Keyboard: focus the handle, Space (or Enter) to pick up, arrow keys to move, Space to
  drop, Escape to cancel; moves are announced to screen readers.
- The handler gets ids as strings: validate them (the list may have changed, and any
  browser can call the handler with anything) and send back the saved order. Until then
  the list shows the dropped order, so rows do not jump back.
- Offer a button equivalent too (for example Up/Down buttons in each row).
"""

from __future__ import annotations

import reflex as rx
from reflex_base.event import passthrough_event_spec

_JSX = rx.asset("sortable.jsx", shared=True)

DND_DEPENDENCIES = [
    "@dnd-kit/core@6.3.1",
    "@dnd-kit/sortable@10.0.0",
    "@dnd-kit/utilities@3.2.2",
]


class _DndKit(rx.NoSSRComponent):
    library = _JSX.importable_path
    lib_dependencies: list[str] = DND_DEPENDENCIES


class SortableList(_DndKit):
    """DndContext + SortableContext; its children are the SortableItem rows."""

    tag = "SortableList"

    # The item ids in displayed order (strings).
    ids: rx.Var[list[str]]
    # Optional {id: label} used in screen-reader announcements.
    labels: rx.Var[dict[str, str]]
    # Disable dragging (read-only viewers).
    disabled: rx.Var[bool]
    # CSS gap between rows.
    gap: rx.Var[str]

    # Fired on drop with the new order of ids.
    on_reorder: rx.EventHandler[passthrough_event_spec(list[str])]


class SortableItem(_DndKit):
    """One draggable row: a handle button ("Drag to reorder <label>") and the children."""

    tag = "SortableItem"

    item_id: rx.Var[str]
    label: rx.Var[str]


sortable_list = SortableList.create
sortable_item = SortableItem.create
