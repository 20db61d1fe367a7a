"""Saved contacts-list views: a member's named filter + sort + visible columns."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date

from sqlmodel import Session, select

from crm_app.models import SavedView
from crm_app.services import audit
from crm_app.services.access import Actor, require_agent
from crm_app.services.contact_list import PAGE_SIZES, SORTABLE, ListQuery
from crm_app.services.errors import NotFound, ValidationError

MAX_VIEWS = 50


def query_to_dict(q: ListQuery) -> dict:
    data = asdict(q)
    data.pop("page")
    for key in ("created_from", "created_to"):
        data[key] = data[key].isoformat() if data[key] else None
    return data


def query_from_dict(data: dict) -> ListQuery:
    """Rebuild a ListQuery from stored or browser-sent data, validating every part."""
    try:
        q = ListQuery(
            search=str(data.get("search") or "")[:200],
            stage_ids=[int(i) for i in data.get("stage_ids") or []],
            statuses=[str(s) for s in data.get("statuses") or []],
            owner_ids=[int(i) for i in data.get("owner_ids") or []],
            sources=[str(s) for s in data.get("sources") or []],
            created_from=date.fromisoformat(data["created_from"])
            if data.get("created_from")
            else None,
            created_to=date.fromisoformat(data["created_to"]) if data.get("created_to") else None,
            custom={str(k): str(v) for k, v in (data.get("custom") or {}).items()},
            archived=bool(data.get("archived", False)),
            sort=str(data.get("sort") or "created"),
            descending=bool(data.get("descending", True)),
            page_size=int(data.get("page_size") or 25),
        )
    except (TypeError, ValueError, AttributeError):
        raise ValidationError("This view's filters are not valid.") from None
    if q.sort not in SORTABLE or q.page_size not in PAGE_SIZES:
        raise ValidationError("This view's sort or page size is not valid.")
    return q


def list_views(session: Session, actor: Actor, agent_id: int) -> list[dict]:
    require_agent(session, actor, agent_id)
    rows = session.exec(
        select(SavedView)
        .where(SavedView.agent_id == agent_id, SavedView.user_id == actor.user_id)
        .order_by(SavedView.name)
    )
    return [
        {"id": v.id, "name": v.name, "query": v.query, "columns": list(v.columns)} for v in rows
    ]


def save_view(
    session: Session, actor: Actor, agent_id: int, name: str, q: ListQuery, columns: list[str]
) -> dict:
    """Create or replace (same name) one of the member's views."""
    require_agent(session, actor, agent_id)
    name = " ".join((name or "").split())
    if not name or len(name) > 60:
        raise ValidationError("Give the view a name of up to 60 characters.", field="name")
    existing = session.exec(
        select(SavedView).where(
            SavedView.agent_id == agent_id,
            SavedView.user_id == actor.user_id,
            SavedView.name == name,
        )
    ).first()
    if existing is None:
        count = len(
            session.exec(
                select(SavedView.id).where(
                    SavedView.agent_id == agent_id, SavedView.user_id == actor.user_id
                )
            ).all()
        )
        if count >= MAX_VIEWS:
            raise ValidationError(
                f"You can keep up to {MAX_VIEWS} views. Delete one first.", field="name"
            )
        existing = SavedView(agent_id=agent_id, user_id=actor.user_id, name=name)
    existing.query = query_to_dict(q)
    existing.columns = [str(c)[:40] for c in columns][:60]
    session.add(existing)
    session.flush()
    audit.record(session, actor, "Update", "Saved View", f"Saved contacts view '{name}'")
    return {
        "id": existing.id,
        "name": existing.name,
        "query": existing.query,
        "columns": list(existing.columns),
    }


def delete_view(session: Session, actor: Actor, agent_id: int, view_id: int) -> None:
    require_agent(session, actor, agent_id)
    view = session.get(SavedView, view_id)
    if view is None or view.agent_id != agent_id or view.user_id != actor.user_id:
        raise NotFound("View not found.")
    session.delete(view)
    audit.record(session, actor, "Delete", "Saved View", f"Deleted contacts view '{view.name}'")
