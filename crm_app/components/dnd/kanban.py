"""A kanban board (columns of cards) built on dnd-kit: drag a card to another column.

The board and its cards are JSX (kanban.jsx beside this module, published with
`rx.asset(shared=True)`), rendered from a `columns` prop rather than Reflex children, so a
dropped card shows in its new column at once while the server saves the move.

Usage::

    kanban_board(
        columns=State.columns,        # [{id, name, count, droppable, cards: [card, ...]}]
        href_base=State.card_href,    # a card links to href_base + card["id"]
        revision=State.revision,      # bump after every server answer: local moves are dropped
        on_move=State.move_card,      # receives [card_id, column_id] (strings)
        on_load_more=State.load_more, # receives [column_id]
        disabled=~State.can_move,
    )

A card is {id, title, email, phone, owner, owner_initials, source, created, stage_id} (all
strings; `stage_id` is its column's id); state/pipeline.py declares both as dataclasses.

- Mouse/touch: press anywhere on the card and move (5 px activation distance, so the
  title link still opens the contact on a click).
- Keyboard: focus the card's handle ("Drag <name> to another stage"), Space or Enter to
  pick it up, Left/Right arrows to choose the column, Space or Enter to drop, Escape to
  cancel; every step is announced to screen readers.
- Button equivalent: each card's "Move <name> to…" menu lists the other columns.
- The handlers get strings from the browser: validate them (and the member) on the server.
"""

from __future__ import annotations

import reflex as rx
from reflex_base.event import passthrough_event_spec

from crm_app.components.dnd.sortable import DND_DEPENDENCIES

_JSX = rx.asset("kanban.jsx", shared=True)


class KanbanBoard(rx.NoSSRComponent):
    """DndContext over droppable columns and draggable cards."""

    library = _JSX.importable_path
    lib_dependencies: list[str] = DND_DEPENDENCIES
    tag = "KanbanBoard"

    columns: rx.Var[list]  # of column records (dataclasses or dicts with the keys above)
    href_base: rx.Var[str]
    revision: rx.Var[int]
    disabled: rx.Var[bool]

    # Fired with [card_id, column_id] when a card is dropped into (or moved to) another column.
    on_move: rx.EventHandler[passthrough_event_spec(list[str])]
    # Fired with [column_id] by a column's "Load more" button.
    on_load_more: rx.EventHandler[passthrough_event_spec(list[str])]


kanban_board = KanbanBoard.create
