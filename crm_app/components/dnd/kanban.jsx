// Kanban board for Reflex (see kanban.py for the Python side and usage).
// Columns are dnd-kit droppables, cards are draggables; the cards are rendered here from the
// `columns` prop (not as Reflex children) so a dropped card can move to its new column at
// once, before the server answers. onMove([cardId, columnId]) fires on a drop into another
// column, or from a card's "Move to…" menu (the button equivalent of dragging).
import React, { useEffect, useMemo, useState } from "react";
import {
  DndContext,
  DragOverlay,
  KeyboardCode,
  KeyboardSensor,
  PointerSensor,
  pointerWithin,
  rectIntersection,
  useDraggable,
  useDroppable,
  useSensor,
  useSensors,
} from "@dnd-kit/core";
import { Avatar, Badge, Button, DropdownMenu, Flex, IconButton, Link, Text, Tooltip } from "@radix-ui/themes";
import { Link as RouterLink } from "react-router";
import { ArrowRightLeft, GripVertical, Inbox } from "lucide-react";

const COLUMN = "column:";
// Stage dots cycle through these, so neighbouring stages are told apart at a glance.
const DOT_COLORS = ["blue", "amber", "green", "violet", "cyan", "orange", "pink", "teal"];
const KANBAN_CSS = `
.crm-kanban { display: flex; gap: 14px; align-items: stretch; overflow-x: auto; padding: 2px 2px 14px 2px;
  scroll-snap-type: x proximity; }
.crm-kanban-col { flex: 0 0 250px; width: 250px; display: flex; flex-direction: column; border-radius: 12px;
  background: var(--gray-3); border: 1px solid var(--gray-4); scroll-snap-align: start;
  transition: background 120ms, border-color 120ms, box-shadow 120ms; }
.crm-kanban-col[data-over="true"] { background: var(--accent-3); border-color: var(--accent-8);
  box-shadow: inset 0 0 0 1px var(--accent-8); }
.crm-kanban-col-head { display: flex; align-items: center; gap: 8px; padding: 12px 14px 8px 14px; }
.crm-kanban-dot { width: 8px; height: 8px; border-radius: 999px; background: var(--accent-9); flex: 0 0 auto; }
.crm-kanban-col[data-droppable="false"] .crm-kanban-dot { background: var(--gray-8); }
.crm-kanban-cards { display: flex; flex-direction: column; gap: 8px; padding: 4px 10px 10px 10px;
  min-height: 120px; max-height: calc(100vh - 270px); overflow-y: auto; }
.crm-kanban-card { position: relative; background: var(--color-panel-solid); border: 1px solid var(--gray-5);
  border-radius: 10px; padding: 10px 10px 10px 12px; box-shadow: 0 1px 2px rgba(0,0,0,0.05);
  cursor: grab; touch-action: none; user-select: none; transition: box-shadow 120ms, border-color 120ms; }
.crm-kanban-card:hover { border-color: var(--gray-7); box-shadow: 0 2px 8px rgba(0,0,0,0.08); }
.crm-kanban-card:focus-within { border-color: var(--accent-8); }
.crm-kanban-card[data-dragging="true"] { opacity: 0.35; }
.crm-kanban-card[data-overlay="true"] { cursor: grabbing; transform: rotate(2deg);
  box-shadow: 0 14px 32px rgba(0,0,0,0.18); border-color: var(--accent-8); }
.crm-kanban-card[data-disabled="true"] { cursor: default; }
.crm-kanban-title { font-weight: 600; font-size: 14px; line-height: 20px; color: var(--gray-12);
  overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.crm-kanban-muted { color: var(--gray-11); font-size: 12px; line-height: 18px; overflow: hidden;
  text-overflow: ellipsis; white-space: nowrap; }
.crm-kanban-handle { color: var(--gray-9); cursor: grab; }
.crm-kanban-empty { display: flex; flex-direction: column; align-items: center; justify-content: center; gap: 6px;
  min-height: 104px; border: 1px dashed var(--gray-6); border-radius: 10px; color: var(--gray-10); font-size: 12px;
  text-align: center; padding: 12px; }
.crm-kanban-col[data-over="true"] .crm-kanban-empty { border-color: var(--accent-8); color: var(--accent-11); }
`;

function columnKey(id) {
  return COLUMN + id;
}

// Apply local (not yet confirmed) moves: the card leaves its column and heads the target.
function withMoves(columns, moves) {
  const entries = Object.entries(moves);
  if (!entries.length) return columns;
  const cards = {};
  columns.forEach((col) => (col.cards || []).forEach((card) => (cards[card.id] = card)));
  return columns.map((col) => {
    let list = col.cards || [];
    let count = col.count || 0;
    entries.forEach(([cardId, to]) => {
      const card = cards[cardId];
      if (!card) return;
      if (list.some((c) => c.id === cardId) && to !== col.id) {
        list = list.filter((c) => c.id !== cardId);
        count -= 1;
      } else if (to === col.id && !list.some((c) => c.id === cardId)) {
        list = [{ ...card, stage_id: to }, ...list];
        count += 1;
      }
    });
    return { ...col, cards: list, count: Math.max(0, count) };
  });
}

// Keyboard: Left/Right jump to the previous/next column that accepts drops.
function columnCoordinates(event, { context: { active, collisionRect, droppableRects, droppableContainers, over } }) {
  const code = event.code;
  if (![KeyboardCode.Left, KeyboardCode.Right, KeyboardCode.Up, KeyboardCode.Down].includes(code)) return undefined;
  event.preventDefault();
  if (!active || !collisionRect || code === KeyboardCode.Up || code === KeyboardCode.Down) return undefined;
  const columns = droppableContainers
    .getEnabled()
    .filter((entry) => entry && !entry.disabled && droppableRects.get(entry.id))
    .map((entry) => ({ id: entry.id, rect: droppableRects.get(entry.id) }))
    .sort((a, b) => a.rect.left - b.rect.left);
  if (!columns.length) return undefined;
  const centre = collisionRect.left + collisionRect.width / 2;
  let index = columns.findIndex((c) => c.id === (over && over.id));
  if (index < 0) index = columns.findIndex((c) => centre >= c.rect.left && centre <= c.rect.right);
  let next;
  if (index < 0) {
    next = code === KeyboardCode.Right ? columns.find((c) => c.rect.left > centre) : [...columns].reverse().find((c) => c.rect.right < centre);
  } else {
    next = columns[index + (code === KeyboardCode.Right ? 1 : -1)];
  }
  if (!next) return undefined;
  const rect = next.rect;
  const top = Math.max(rect.top + 48, Math.min(collisionRect.top, rect.top + rect.height - collisionRect.height));
  return { x: rect.left + (rect.width - collisionRect.width) / 2, y: top };
}

// The pointer decides for mouse/touch; the card's rectangle for the keyboard.
function collision(args) {
  if (args.pointerCoordinates) {
    const hits = pointerWithin(args);
    if (hits.length) return hits;
  }
  return rectIntersection(args);
}

function CardBody({ card, hrefBase, columns, disabled, onMoveTo, handle, overlay }) {
  const others = columns.filter((c) => c.droppable && c.id !== card.stage_id);
  return (
    <Flex direction="column" gap="1">
      <Flex align="center" gap="2">
        <div style={{ flex: "1 1 auto", minWidth: 0 }}>
          {overlay ? (
            <div className="crm-kanban-title">{card.title}</div>
          ) : (
            <Link asChild underline="hover" highContrast>
              <RouterLink to={hrefBase + card.id} className="crm-kanban-title" draggable={false}
                style={{ display: "block" }}>
                {card.title}
              </RouterLink>
            </Link>
          )}
        </div>
        {!disabled && !overlay && others.length > 0 && (
          <DropdownMenu.Root>
            <Tooltip content="Move to…">
              <DropdownMenu.Trigger>
                <IconButton size="1" variant="ghost" color="gray" aria-label={`Move ${card.title} to…`}
                  onPointerDown={(e) => e.stopPropagation()}>
                  <ArrowRightLeft size={14} />
                </IconButton>
              </DropdownMenu.Trigger>
            </Tooltip>
            <DropdownMenu.Content size="1" align="end">
              <DropdownMenu.Label>Move to…</DropdownMenu.Label>
              {others.map((col) => (
                <DropdownMenu.Item key={col.id} onSelect={() => onMoveTo(card, col.id)}>
                  {col.name}
                </DropdownMenu.Item>
              ))}
            </DropdownMenu.Content>
          </DropdownMenu.Root>
        )}
        {handle}
      </Flex>
      {card.email || card.phone ? (
        <div className="crm-kanban-muted">{card.email || card.phone}</div>
      ) : null}
      <Flex align="center" gap="2" pt="1">
        {card.owner ? (
          <Tooltip content={`Owner: ${card.owner}`}>
            <Flex align="center" gap="1" style={{ minWidth: 0 }}>
              <Avatar size="1" radius="full" fallback={card.owner_initials || "?"} variant="soft"
                aria-label={`Owner ${card.owner}`} />
              <span className="crm-kanban-muted" style={{ maxWidth: 96 }}>{card.owner}</span>
            </Flex>
          </Tooltip>
        ) : (
          <span className="crm-kanban-muted">Unassigned</span>
        )}
        <div style={{ flex: "1 1 auto" }} />
        <Badge size="1" variant="soft" color="gray" radius="full">{card.source}</Badge>
      </Flex>
      <div className="crm-kanban-muted" style={{ fontSize: 11, color: "var(--gray-10)" }}>Added {card.created}</div>
    </Flex>
  );
}

function DraggableCard({ card, hrefBase, columns, disabled, onMoveTo }) {
  const { attributes, listeners, setNodeRef, setActivatorNodeRef, isDragging } = useDraggable({
    id: card.id,
    disabled,
    data: { card },
  });
  // Pointer drags start anywhere on the card (after 5 px, so the link still clicks);
  // the keyboard drag starts from the handle only, so Enter on the link still opens it.
  const handle = disabled ? null : (
    <IconButton ref={setActivatorNodeRef} size="1" variant="ghost" color="gray" className="crm-kanban-handle"
      {...attributes} onKeyDown={listeners && listeners.onKeyDown}
      aria-label={`Drag ${card.title} to another stage`}>
      <GripVertical size={14} />
    </IconButton>
  );
  return (
    <div ref={setNodeRef} className="crm-kanban-card" data-kanban-card={card.id} data-dragging={isDragging}
      data-disabled={disabled} onPointerDown={listeners && listeners.onPointerDown}>
      <CardBody card={card} hrefBase={hrefBase} columns={columns} disabled={disabled} onMoveTo={onMoveTo}
        handle={handle} />
    </div>
  );
}

function Column({ column, index, children, dragging, disabled, onLoadMore }) {
  const { setNodeRef, isOver } = useDroppable({ id: columnKey(column.id), disabled: !column.droppable || disabled });
  const shown = (column.cards || []).length;
  const left = (column.count || 0) - shown;
  return (
    <section ref={setNodeRef} className="crm-kanban-col" data-kanban-column={column.id}
      data-over={isOver && column.droppable} data-droppable={column.droppable}
      aria-label={`${column.name}, ${column.count} contacts`}>
      <div className="crm-kanban-col-head">
        <span className="crm-kanban-dot" aria-hidden="true"
          style={column.droppable ? { background: `var(--${DOT_COLORS[index % DOT_COLORS.length]}-9)` } : undefined} />
        <Text size="2" weight="bold" style={{ overflow: "hidden", textOverflow: "ellipsis", whiteSpace: "nowrap" }}>
          {column.name}
        </Text>
        <Badge size="1" variant="soft" radius="full" color={column.droppable ? undefined : "gray"}>
          {Number(column.count || 0).toLocaleString()}
        </Badge>
      </div>
      <div className="crm-kanban-cards">
        {children}
        {shown === 0 && (
          <div className="crm-kanban-empty">
            <Inbox size={18} aria-hidden="true" />
            {dragging && column.droppable ? "Drop here to move the contact" : "No contacts in this stage"}
          </div>
        )}
        {left > 0 && (
          <Button size="1" variant="soft" color="gray" onClick={() => onLoadMore && onLoadMore([String(column.id)])}>
            Load more ({left.toLocaleString()} more)
          </Button>
        )}
      </div>
    </section>
  );
}

export function KanbanBoard({
  columns = [],
  hrefBase = "",
  revision = 0,
  disabled = false,
  onMove,
  onLoadMore,
  className,
  style,
}) {
  const serverColumns = useMemo(() => columns || [], [JSON.stringify(columns || [])]);
  const [moves, setMoves] = useState({});
  const [active, setActive] = useState(null);
  // Every answer from the server (a new revision) replaces the local moves.
  useEffect(() => setMoves({}), [revision, serverColumns]);
  const shown = useMemo(() => withMoves(serverColumns, moves), [serverColumns, moves]);

  const sensors = useSensors(
    useSensor(PointerSensor, { activationConstraint: { distance: 5 } }),
    useSensor(KeyboardSensor, { coordinateGetter: columnCoordinates })
  );

  const names = {};
  const cards = {};
  shown.forEach((col) => {
    names[columnKey(col.id)] = col.name;
    (col.cards || []).forEach((card) => (cards[card.id] = card));
  });
  const title = (id) => (cards[id] ? cards[id].title : "contact");
  const stageOf = (id) => (cards[id] ? names[columnKey(cards[id].stage_id)] : "");

  function moveTo(card, columnId) {
    if (!card || String(card.stage_id) === String(columnId)) return;
    setMoves((m) => ({ ...m, [card.id]: String(columnId) }));
    if (onMove) onMove([String(card.id), String(columnId)]);
  }

  const announcements = {
    onDragStart: ({ active }) => `Picked up ${title(active.id)} in ${stageOf(active.id)}. Use the left and right arrow keys to choose a stage.`,
    onDragOver: ({ active, over }) =>
      over ? `${title(active.id)} is over ${names[over.id]}.` : `${title(active.id)} is not over a stage.`,
    onDragEnd: ({ active, over }) =>
      over && names[over.id] !== stageOf(active.id)
        ? `${title(active.id)} moved to ${names[over.id]}.`
        : `${title(active.id)} stays in ${stageOf(active.id)}.`,
    onDragCancel: ({ active }) => `Moving ${title(active.id)} was cancelled; it stays in ${stageOf(active.id)}.`,
  };

  function handleDragEnd({ active: dragged, over }) {
    setActive(null);
    if (!over || !String(over.id).startsWith(COLUMN)) return;
    moveTo(cards[dragged.id], String(over.id).slice(COLUMN.length));
  }

  return (
    <DndContext
      sensors={sensors}
      collisionDetection={collision}
      onDragStart={({ active: dragged }) => setActive(cards[dragged.id] || null)}
      onDragCancel={() => setActive(null)}
      onDragEnd={handleDragEnd}
      accessibility={{
        announcements,
        screenReaderInstructions: {
          draggable:
            "To move a contact to another stage, press Space or Enter on its handle, use the left and right " +
            "arrow keys to choose the stage, then press Space or Enter to drop it, or Escape to cancel.",
        },
      }}
    >
      <style>{KANBAN_CSS}</style>
      <div className={"crm-kanban " + (className || "")} style={style} role="region" aria-label="Pipeline board">
        {shown.map((column, index) => (
          <Column key={column.id} column={column} index={index} dragging={!!active} disabled={disabled} onLoadMore={onLoadMore}>
            {(column.cards || []).map((card) => (
              <DraggableCard key={card.id} card={card} hrefBase={hrefBase} columns={shown} disabled={disabled}
                onMoveTo={moveTo} />
            ))}
          </Column>
        ))}
      </div>
      <DragOverlay dropAnimation={null}>
        {active ? (
          <div className="crm-kanban-card" data-overlay="true">
            <CardBody card={active} hrefBase={hrefBase} columns={shown} disabled overlay onMoveTo={() => {}} />
          </div>
        ) : null}
      </DragOverlay>
    </DndContext>
  );
}
