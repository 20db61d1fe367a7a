"""An agent's exact contact total, read from the rows the contactcount triggers keep."""

from __future__ import annotations

from sqlalchemy import func
from sqlmodel import Session, select

from crm_app.models import ContactCount
from crm_app.services.access import Actor, require_agent

# PostgreSQL: an agent's count rows are folded into one once there are this many.
FOLD_COUNT_ROWS = 200


def count_contacts(session: Session, actor: Actor, agent_id: int) -> int:
    """All of the agent's non-archived contacts (the list's "You have N contacts"), from
    the trigger-kept ContactCount rows."""
    agent = require_agent(session, actor, agent_id)
    rows, total = session.exec(
        select(func.count(), func.coalesce(func.sum(ContactCount.n), 0)).where(
            ContactCount.agent_id == agent.id
        )
    ).one()
    if rows > FOLD_COUNT_ROWS and session.get_bind().dialect.name == "postgresql":
        # The rows this statement deletes are summed into one; rows other writers add meanwhile
        # are kept, and a concurrent fold takes a disjoint set: the sum never changes.
        session.connection().exec_driver_sql(
            "WITH gone AS (DELETE FROM contactcount WHERE agent_id = %(a)s RETURNING n) "
            "INSERT INTO contactcount (agent_id, n) SELECT %(a)s, coalesce(sum(n), 0) FROM gone",
            {"a": agent.id},
        )
    return int(total)
