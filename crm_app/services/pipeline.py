"""The Pipeline view: the contacts list as a kanban board by stage.

The board applies the list's search and filters (`contact_list.build_filter`), so both
views show the same contacts. Each column holds its total and its first cards (newest
first); "Load more" asks for the next cards of one column. Moving a card is the contact
details' stage change (`timeline.change_stage`): one place writes the stage, the
activity line and the audit entry.
"""

from __future__ import annotations

from sqlalchemy import func
from sqlmodel import Session, select

from crm_app.models import Contact, Stage, User
from crm_app.services import timeline
from crm_app.services.access import Actor, require_agent
from crm_app.services.contact_list import ListQuery, build_filter
from crm_app.services.display import contact_name
from crm_app.services.errors import NotFound
from crm_app.services.values import format_phone

PER_STAGE = 50
MAX_PER_STAGE = 200
NO_STAGE = "none"  # column key of contacts without a stage (shown only when there are some)


def _cards_query(where, stage_id: int | None):
    column = Contact.stage_id.is_(None) if stage_id is None else Contact.stage_id == stage_id
    return (
        select(Contact).where(where, column).order_by(Contact.created_at.desc(), Contact.id.desc())
    )


def _owner_names(session: Session, contacts: list[Contact]) -> dict[int, str]:
    ids = {c.primary_owner_id for c in contacts if c.primary_owner_id}
    if not ids:
        return {}
    return {u.id: u.display_name for u in session.exec(select(User).where(User.id.in_(ids)))}


def _initials(name: str) -> str:
    words = [w for w in name.replace("@", " ").replace(".", " ").split() if w[:1].isalnum()]
    return "".join(w[0] for w in words[:2]).upper()


def card_dto(contact: Contact, owner: str, stage_key: str) -> dict:
    """What a card shows; every value a string so the browser gets a flat, typed row."""
    title = contact_name(contact)
    return {
        "id": contact.id,
        "title": title,
        "email": contact.email or "",
        "phone": format_phone(contact.phone),
        "owner": owner,
        "owner_initials": _initials(owner),
        "source": f"via {contact.source}",
        "created": contact.created_at.strftime("%b %d, %Y").replace(" 0", " "),
        "stage_id": stage_key,
    }


def _cards(session: Session, where, stage_id: int | None, offset: int, limit: int) -> list[dict]:
    rows = list(session.exec(_cards_query(where, stage_id).offset(offset).limit(limit)))
    owners = _owner_names(session, rows)
    key = NO_STAGE if stage_id is None else str(stage_id)
    return [card_dto(c, owners.get(c.primary_owner_id, ""), key) for c in rows]


def _limit(per_stage: int) -> int:
    return max(1, min(int(per_stage), MAX_PER_STAGE))


def board(
    session: Session, actor: Actor, agent_id, query: ListQuery, per_stage: int = PER_STAGE
) -> list[dict]:
    """Columns in stage order: {"id", "name", "count", "cards", "droppable"}.

    Contacts without a stage get a leading "No stage" column when there are any; it is not
    a drop target (a contact is moved *to* a stage).
    """
    agent = require_agent(session, actor, agent_id if isinstance(agent_id, int) else None)
    where = build_filter(session, agent.id, query)
    limit = _limit(per_stage)
    counts = dict(
        session.exec(
            select(Contact.stage_id, func.count()).where(where).group_by(Contact.stage_id)
        ).all()
    )
    stages = list(
        session.exec(
            select(Stage).where(Stage.agent_id == agent.id).order_by(Stage.position, Stage.id)
        )
    )
    columns = []
    if counts.get(None):
        columns.append(
            {
                "id": NO_STAGE,
                "name": "No stage",
                "count": counts[None],
                "droppable": False,
                "cards": _cards(session, where, None, 0, limit),
            }
        )
    for stage in stages:
        count = counts.get(stage.id, 0)
        columns.append(
            {
                "id": str(stage.id),
                "name": stage.name,
                "count": count,
                "droppable": True,
                "cards": _cards(session, where, stage.id, 0, limit) if count else [],
            }
        )
    return columns


def more_cards(
    session: Session,
    actor: Actor,
    agent_id,
    query: ListQuery,
    stage_key: str,
    offset: int,
    per_stage: int = PER_STAGE,
) -> list[dict]:
    """The next cards of one column ("Load more")."""
    agent = require_agent(session, actor, agent_id if isinstance(agent_id, int) else None)
    stage_id = None
    if stage_key != NO_STAGE:
        stage = session.get(Stage, int(stage_key)) if str(stage_key).isdigit() else None
        if stage is None or stage.agent_id != agent.id:
            raise NotFound("Stage not found.")
        stage_id = stage.id
    where = build_filter(session, agent.id, query)
    return _cards(session, where, stage_id, max(0, int(offset)), _limit(per_stage))


def move_to_stage(session: Session, actor: Actor, agent_id, contact_id, stage_id) -> bool:
    """Move a contact to one of its agent's stages; True when the stage changed.

    A contact or stage of another agent or organization is "not found"; moving a card to
    the column it is already in writes nothing.
    """
    _, contact = timeline.contact_for(session, actor, agent_id, contact_id)
    stage = session.get(Stage, int(stage_id)) if str(stage_id).isdigit() else None
    if stage is None or stage.agent_id != contact.agent_id:
        raise NotFound("Stage not found.")
    if contact.stage_id == stage.id:
        return False
    timeline.change_stage(session, actor, agent_id, contact_id, stage.id)
    return True
