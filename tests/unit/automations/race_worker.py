"""Creates contacts for the race test; importable by spawned processes (no pytest here)."""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor

SOURCES = ("Chat", "Form", "API", "Payment")


def create_contacts(
    agent_id: int, numbers: list[int], threads: int, env: dict | None = None
) -> list[str]:
    """Create one captured contact per number, `threads` at a time; returns the new ids.

    With `env` (a spawned process) the process configures its own engine from it first.
    """
    from crm_app import db, settings

    if env is not None:
        os.environ.update(env)
        settings.get_settings.cache_clear()
        db.get_engine.cache_clear()
    from crm_app.models import Agent
    from crm_app.services import contacts

    def one(n: int) -> str:
        with db.session_scope() as s:
            agent = s.get(Agent, agent_id)
            source = SOURCES[n % len(SOURCES)]
            result = contacts.save_contact(
                s,
                agent,
                {"name": f"Racer {n}", "email": f"racer{n}@example.com"},
                source=source,
                origin=contacts.Origin("agent", "Reception"),
            )
            assert result.created
            return result.contact.id

    try:
        with ThreadPoolExecutor(max_workers=threads) as pool:
            return list(pool.map(one, numbers))
    finally:
        if env is not None:
            db.get_engine().dispose()
