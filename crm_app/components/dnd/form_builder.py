"""Form builder drag and drop: the palette and the canvas share one dnd-kit context.

Usage::

    form_builder_dnd(
        palette_column,          # contains palette_item(...) for each element type
        canvas_column,           # contains builder_canvas(rx.foreach(..., canvas_item(...)))
        properties_column,
        ids=State.element_ids, labels=State.element_labels, disabled=~State.can_edit,
        on_add=State.drop_new,        # receives [type, index] (strings) on a palette drop
        on_reorder=State.reorder,     # receives the new list of element ids
    )

Mouse/touch: drag a palette item onto the canvas (it lands above or below the element
under the pointer, or at the end); drag a canvas element's handle to reorder. Keyboard:
focus a handle, Space, arrow keys, Space. Button equivalents live in the page (palette
items are buttons that add at the end; each element has Up/Down/Duplicate/Delete).
Handlers get strings from the browser: validate them.
"""

from __future__ import annotations

import reflex as rx
from reflex_base.event import passthrough_event_spec

from crm_app.components.dnd.sortable import DND_DEPENDENCIES

_JSX = rx.asset("form_builder.jsx", shared=True)


class _BuilderDnd(rx.NoSSRComponent):
    library = _JSX.importable_path
    lib_dependencies: list[str] = DND_DEPENDENCIES


class FormBuilderDnd(_BuilderDnd):
    tag = "FormBuilderDnd"

    ids: rx.Var[list[str]]
    labels: rx.Var[dict[str, str]]
    disabled: rx.Var[bool]

    on_add: rx.EventHandler[passthrough_event_spec(list[str])]
    on_reorder: rx.EventHandler[passthrough_event_spec(list[str])]


class PaletteItem(_BuilderDnd):
    tag = "PaletteItem"

    element_type: rx.Var[str]
    label: rx.Var[str]


class BuilderCanvas(_BuilderDnd):
    tag = "BuilderCanvas"


class CanvasItem(_BuilderDnd):
    tag = "CanvasItem"

    item_id: rx.Var[str]
    label: rx.Var[str]
    selected: rx.Var[bool]


form_builder_dnd = FormBuilderDnd.create
palette_item = PaletteItem.create
builder_canvas = BuilderCanvas.create
canvas_item = CanvasItem.create
