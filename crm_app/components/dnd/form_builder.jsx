// Form builder drag and drop (see form_builder.py for the Python side).
// FormBuilderDnd: one DndContext holding the palette (draggables) and the canvas (sortable).
//   onAdd([type, index]) when a palette element is dropped on the canvas;
//   onReorder(ids) when a canvas element is dropped at a new place.
// PaletteItem: a draggable palette button (click still works: 4 px activation distance).
// BuilderCanvas: the droppable canvas + SortableContext over `ids`.
// CanvasItem: one sortable element with a drag handle ("Drag to reorder <label>"),
//   keyboard: focus the handle, Space to pick up, arrows to move, Space to drop.
import React, { createContext, useContext, useEffect, useMemo, useState } from "react";
import {
  DndContext,
  DragOverlay,
  KeyboardSensor,
  PointerSensor,
  closestCenter,
  pointerWithin,
  useDraggable,
  useDroppable,
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

const CANVAS = "form-canvas";
const PALETTE = "palette:";
const BuilderContext = createContext({ order: [], positions: {}, disabled: false, labels: {}, activeType: null });

function collide(args) {
  if (String(args.active.id).startsWith(PALETTE)) {
    const hits = pointerWithin(args);
    const item = hits.find((h) => h.id !== CANVAS);
    return item ? [item] : hits;
  }
  return closestCenter({
    ...args,
    droppableContainers: args.droppableContainers.filter((c) => c.id !== CANVAS),
  });
}

export function FormBuilderDnd({ ids = [], labels = {}, disabled = false, onAdd, onReorder, children, style }) {
  const serverIds = useMemo(() => (ids || []).map(String), [JSON.stringify(ids || [])]);
  const [order, setOrder] = useState(serverIds);
  const [activeType, setActiveType] = useState(null);
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
  const name = (id) => {
    const s = String(id);
    if (s.startsWith(PALETTE)) return `new ${s.slice(PALETTE.length).replace("_", " ")} element`;
    return (labels && labels[s]) || "element";
  };
  const where = (id) => `position ${order.indexOf(String(id)) + 1} of ${order.length}`;
  const announcements = {
    onDragStart: ({ active }) => `Picked up ${name(active.id)}.`,
    onDragOver: ({ active, over }) => (over ? `${name(active.id)} is over ${over.id === CANVAS ? "the form" : where(over.id)}.` : `${name(active.id)} is not over the form.`),
    onDragEnd: ({ active, over }) => (over ? `Dropped ${name(active.id)}.` : `${name(active.id)} was not added.`),
    onDragCancel: ({ active }) => `Moving ${name(active.id)} was cancelled.`,
  };

  function handleDragStart({ active }) {
    const s = String(active.id);
    setActiveType(s.startsWith(PALETTE) ? (active.data.current && active.data.current.label) || s : null);
  }

  function handleDragEnd({ active, over }) {
    setActiveType(null);
    if (!over || disabled) return;
    const activeId = String(active.id);
    if (activeId.startsWith(PALETTE)) {
      const type = activeId.slice(PALETTE.length);
      let index = order.length;
      if (over.id !== CANVAS) {
        const overIndex = order.indexOf(String(over.id));
        if (overIndex >= 0) {
          const rect = active.rect.current.translated;
          const below = rect && rect.top + rect.height / 2 > over.rect.top + over.rect.height / 2;
          index = overIndex + (below ? 1 : 0);
        }
      }
      if (onAdd) onAdd([type, String(index)]);
      return;
    }
    if (active.id === over.id || over.id === CANVAS) return;
    const from = order.indexOf(activeId);
    const to = order.indexOf(String(over.id));
    if (from < 0 || to < 0) return;
    const next = arrayMove(order, from, to);
    setOrder(next);
    if (onReorder) onReorder(next);
  }

  return (
    <DndContext
      sensors={sensors}
      collisionDetection={collide}
      onDragStart={handleDragStart}
      onDragEnd={handleDragEnd}
      onDragCancel={() => setActiveType(null)}
      accessibility={{
        announcements,
        screenReaderInstructions: {
          draggable:
            "To pick up an element, press Space or Enter. Use the arrow keys to move it, " +
            "press Space or Enter again to drop it, or Escape to cancel.",
        },
      }}
    >
      <BuilderContext.Provider value={{ order, positions, disabled, labels, activeType }}>
        <div style={{ width: "100%", ...(style || {}) }}>{children}</div>
      </BuilderContext.Provider>
      <DragOverlay dropAnimation={null}>
        {activeType ? (
          <div
            style={{
              padding: "8px 12px",
              borderRadius: "8px",
              background: "var(--color-panel-solid, white)",
              border: "1px solid var(--teal-8)",
              boxShadow: "0 10px 24px rgba(0,0,0,0.16)",
              fontSize: "14px",
              fontWeight: 500,
              color: "var(--teal-11)",
              cursor: "grabbing",
              width: "180px",
            }}
          >
            + {activeType}
          </div>
        ) : null}
      </DragOverlay>
    </DndContext>
  );
}

export function PaletteItem({ elementType, label, children, style }) {
  const { disabled } = useContext(BuilderContext);
  const { attributes, listeners, setNodeRef, isDragging } = useDraggable({
    id: PALETTE + String(elementType),
    data: { label },
    disabled,
  });
  return (
    <div
      ref={setNodeRef}
      {...listeners}
      {...attributes}
      role="presentation"
      tabIndex={-1}
      data-palette-type={elementType}
      style={{ width: "100%", touchAction: "none", opacity: isDragging ? 0.5 : 1, cursor: disabled ? "default" : "grab", ...(style || {}) }}
    >
      {children}
    </div>
  );
}

export function BuilderCanvas({ children, style }) {
  const { order, disabled } = useContext(BuilderContext);
  const { setNodeRef, isOver } = useDroppable({ id: CANVAS, disabled });
  return (
    <SortableContext items={order} strategy={verticalListSortingStrategy} disabled={disabled}>
      <div
        ref={setNodeRef}
        data-form-canvas=""
        style={{
          display: "flex",
          flexDirection: "column",
          gap: "10px",
          width: "100%",
          minHeight: "240px",
          padding: "12px",
          borderRadius: "12px",
          outline: isOver ? "2px dashed var(--teal-8)" : "none",
          outlineOffset: "2px",
          transition: "outline-color 120ms",
          ...(style || {}),
        }}
      >
        {children}
      </div>
    </SortableContext>
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

export function CanvasItem({ itemId, label, selected = false, children, style }) {
  const id = String(itemId);
  const { positions, disabled } = useContext(BuilderContext);
  const { attributes, listeners, setNodeRef, setActivatorNodeRef, transform, transition, isDragging } =
    useSortable({ id, disabled });
  const rowStyle = {
    display: "flex",
    alignItems: "flex-start",
    gap: "6px",
    order: positions[id] ?? 0,
    transform: CSS.Transform.toString(transform),
    transition,
    position: "relative",
    zIndex: isDragging ? 10 : undefined,
    padding: "12px 12px 12px 6px",
    borderRadius: "10px",
    background: "var(--color-panel-solid, white)",
    border: selected ? "2px solid var(--teal-9)" : "1px solid var(--gray-6)",
    margin: selected ? "0" : "1px",
    boxShadow: isDragging ? "0 10px 28px rgba(0,0,0,0.16)" : "0 1px 2px rgba(0,0,0,0.04)",
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
    <div ref={setNodeRef} style={rowStyle} data-canvas-id={id}>
      <button
        type="button"
        ref={setActivatorNodeRef}
        style={handleStyle}
        className="crm-drag-handle"
        {...attributes}
        {...listeners}
        aria-label={`Drag to reorder ${label || "element"}`}
        disabled={disabled}
      >
        <GripIcon />
      </button>
      <div style={{ flex: "1 1 auto", minWidth: 0 }}>{children}</div>
    </div>
  );
}
