// Sortable list for Reflex (see sortable.py for the Python side and usage).
// SortableList: DndContext + SortableContext over `ids`; calls onReorder(newIds) on drop.
// SortableItem: one row (useSortable) with a drag handle; its children are Reflex-rendered.
// The list keeps the dropped order locally (CSS `order`) until the server sends new ids,
// so a row never jumps back while the handler runs.
import React, { createContext, useContext, useEffect, useMemo, useState } from "react";
import {
  DndContext,
  KeyboardSensor,
  PointerSensor,
  closestCenter,
  useSensor,
  useSensors,
} from "@dnd-kit/core";
import {
  SortableContext,
  arrayMove,
  sortableKeyboardCoordinates,
  useSortable,
  verticalListSortingStrategy,
} from "@dnd-kit/sortable";
import { CSS } from "@dnd-kit/utilities";

const ListContext = createContext({ positions: {}, disabled: false });

function labelOf(labels, id) {
  return (labels && labels[id]) || "item";
}

export function SortableList({
  ids = [],
  labels = {},
  disabled = false,
  gap = "8px",
  onReorder,
  children,
  className,
  style,
}) {
  const serverIds = useMemo(() => (ids || []).map(String), [JSON.stringify(ids || [])]);
  const [order, setOrder] = useState(serverIds);
  useEffect(() => setOrder(serverIds), [serverIds]);

  const sensors = useSensors(
    useSensor(PointerSensor, { activationConstraint: { distance: 4 } }),
    useSensor(KeyboardSensor, { coordinateGetter: sortableKeyboardCoordinates })
  );
  const positions = useMemo(() => {
    const out = {};
    order.forEach((id, index) => (out[id] = index));
    return out;
  }, [order]);

  const where = (id) => `position ${order.indexOf(String(id)) + 1} of ${order.length}`;
  const announcements = {
    onDragStart: ({ active }) => `Picked up ${labelOf(labels, active.id)}, ${where(active.id)}.`,
    onDragOver: ({ active, over }) =>
      over ? `${labelOf(labels, active.id)} is over ${where(over.id)}.` : `${labelOf(labels, active.id)} is no longer over a position.`,
    onDragEnd: ({ active, over }) =>
      over ? `Dropped ${labelOf(labels, active.id)} at ${where(over.id)}.` : `Dropped ${labelOf(labels, active.id)}.`,
    onDragCancel: ({ active }) => `Moving ${labelOf(labels, active.id)} was cancelled.`,
  };

  function handleDragEnd({ active, over }) {
    if (!over || active.id === over.id) return;
    const from = order.indexOf(String(active.id));
    const to = order.indexOf(String(over.id));
    if (from < 0 || to < 0) return;
    const next = arrayMove(order, from, to);
    setOrder(next);
    if (onReorder) onReorder(next);
  }

  return (
    <DndContext
      sensors={sensors}
      collisionDetection={closestCenter}
      onDragEnd={handleDragEnd}
      accessibility={{
        announcements,
        screenReaderInstructions: {
          draggable:
            "To pick up an item, press Space or Enter. Use the arrow keys to move it, " +
            "press Space or Enter again to drop it, or Escape to cancel.",
        },
      }}
    >
      <SortableContext items={order} strategy={verticalListSortingStrategy} disabled={disabled}>
        <ListContext.Provider value={{ positions, disabled, labels }}>
          <div
            className={className}
            style={{ display: "flex", flexDirection: "column", gap, width: "100%", ...(style || {}) }}
            data-sortable-list=""
          >
            {children}
          </div>
        </ListContext.Provider>
      </SortableContext>
    </DndContext>
  );
}

function GripIcon() {
  return (
    <svg width="16" height="16" viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth="2"
      strokeLinecap="round" strokeLinejoin="round" aria-hidden="true">
      <circle cx="9" cy="6" r="1" /><circle cx="9" cy="12" r="1" /><circle cx="9" cy="18" r="1" />
      <circle cx="15" cy="6" r="1" /><circle cx="15" cy="12" r="1" /><circle cx="15" cy="18" r="1" />
    </svg>
  );
}

export function SortableItem({ itemId, label, children, className, style }) {
  const id = String(itemId);
  const { positions, disabled, labels } = useContext(ListContext);
  const name = label || labelOf(labels, id);
  const {
    attributes,
    listeners,
    setNodeRef,
    setActivatorNodeRef,
    transform,
    transition,
    isDragging,
  } = useSortable({ id, disabled });

  const rowStyle = {
    display: "flex",
    alignItems: "center",
    gap: "8px",
    order: positions[id] ?? 0,
    transform: CSS.Transform.toString(transform),
    transition,
    position: "relative",
    zIndex: isDragging ? 10 : undefined,
    boxShadow: isDragging ? "0 8px 24px rgba(0,0,0,0.14)" : undefined,
    opacity: isDragging ? 0.95 : undefined,
    ...(style || {}),
  };
  const handleStyle = {
    display: "inline-flex",
    alignItems: "center",
    justifyContent: "center",
    width: "28px",
    height: "28px",
    flex: "0 0 auto",
    border: "none",
    borderRadius: "6px",
    background: "transparent",
    color: "var(--gray-10)",
    cursor: disabled ? "not-allowed" : isDragging ? "grabbing" : "grab",
    opacity: disabled ? 0.4 : 1,
    touchAction: "none",
  };

  return (
    <div ref={setNodeRef} style={rowStyle} className={className} data-sortable-id={id}>
      <button
        type="button"
        ref={setActivatorNodeRef}
        style={handleStyle}
        className="crm-drag-handle"
        {...attributes}
        {...listeners}
        aria-label={`Drag to reorder ${name}`}
        aria-disabled={disabled ? "true" : undefined}
        disabled={disabled}
      >
        <GripIcon />
      </button>
      <div style={{ flex: "1 1 auto", minWidth: 0 }}>{children}</div>
    </div>
  );
}
