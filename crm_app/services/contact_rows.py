"""The contacts list's rows as the screen shows them."""

from __future__ import annotations

from sqlmodel import Session, select

from crm_app.models import Contact, ContactValue, Stage, User
from crm_app.services.values import format_phone


def display_rows(session: Session, agent_id: int, rows: list[Contact]) -> list[dict]:
    """The list's rows as shown: stage and owner names, formatted phone, custom values."""
    stages = {s.id: s.name for s in session.exec(select(Stage).where(Stage.agent_id == agent_id))}
    owner_ids = {r.primary_owner_id for r in rows if r.primary_owner_id}
    owners = (
        {u.id: u.display_name for u in session.exec(select(User).where(User.id.in_(owner_ids)))}
        if owner_ids
        else {}
    )
    values: dict[str, dict[int, str]] = {}
    if rows:
        for v in session.exec(
            select(ContactValue).where(ContactValue.contact_id.in_([r.id for r in rows]))
        ):
            values.setdefault(v.contact_id, {})[v.field_id] = v.value_text
    return [
        {
            "id": r.id,
            "name": r.name,
            "email": r.email or "",
            "phone": r.phone or "",
            "phone_display": format_phone(r.phone),
            "gender": r.gender or "",
            "status": r.status,
            "stage": stages.get(r.stage_id, ""),
            "owner": owners.get(r.primary_owner_id, ""),
            "source": f"via {r.source}",
            "created": r.created_at.isoformat(),
            "values": {str(k): v for k, v in values.get(r.id, {}).items()},
        }
        for r in rows
    ]
