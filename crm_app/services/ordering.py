"""Ordered settings of an agent (contact fields, pipeline stages): the lock their writes take,
the check of a new order, and the one-step move that the buttons and keyboard offer."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from sqlmodel import Session, select

from crm_app.models import Agent
from crm_app.services.access import Actor, require_agent
from crm_app.services.errors import NotFound, ValidationError


def lock_agent(session: Session, agent_id: int) -> None:
    """Serialize one agent's settings writes (row lock on PostgreSQL; SQLite locks on BEGIN)."""
    session.exec(select(Agent.id).where(Agent.id == agent_id).with_for_update()).first()


def checked_order(ordered_ids: Sequence[int] | None, current_ids, what: str) -> list[int]:
    """`ordered_ids` when it lists every current id exactly once; else the list changed."""
    ids = list(ordered_ids or [])
    if not all(isinstance(i, int) and not isinstance(i, bool) for i in ids) or sorted(
        ids
    ) != sorted(current_ids):
        raise ValidationError(f"The {what} list changed meanwhile. Reload the page and try again.")
    return ids


def moved(ids: list[int], item_id: int, direction: str, what: str) -> list[int]:
    """`ids` with `item_id` one step up or down (unchanged at either end)."""
    if direction not in ("up", "down"):
        raise ValidationError(f"Move a {what} up or down.")
    if item_id not in ids:
        raise NotFound(f"{what.capitalize()} not found.")
    ids = list(ids)
    index = ids.index(item_id)
    target = index - 1 if direction == "up" else index + 1
    if 0 <= target < len(ids):
        ids[index], ids[target] = ids[target], ids[index]
    return ids


def move_one(
    session: Session,
    actor: Actor,
    agent_id: int,
    item_id: int,
    direction: str,
    what: str,
    current_ids: Callable[[Session, int], list[int]],
    reorder: Callable[[Session, Actor, int, list[int]], list[dict]],
) -> list[dict]:
    """The button/keyboard equivalent of a drag: one step up or down, then `reorder`."""
    require_agent(session, actor, agent_id, minimum="Admin")
    lock_agent(session, agent_id)  # read the order under the same lock the write takes
    ids = moved(current_ids(session, agent_id), item_id, direction, what)
    return reorder(session, actor, agent_id, ids)
