"""Drag-and-drop building blocks (dnd-kit) shared by settings, forms and automations."""

from crm_app.components.dnd.sortable import SortableItem, SortableList, sortable_item, sortable_list

__all__ = ["SortableItem", "SortableList", "sortable_item", "sortable_list"]
