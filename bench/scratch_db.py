"""A throw-away PostgreSQL database for a benchmark run (created fresh, dropped afterwards)."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def postgres_database(server_url: str, prefix: str = "crm_bench") -> Iterator[str]:
    """Create `<prefix>_<random>` on the server of `server_url` (postgresql://…/any_db) and
    yield its URL; the database is dropped on exit, even with connections still open."""
    import sqlalchemy

    from crm_app.db import make_engine

    name = f"{prefix}_{secrets.token_hex(4)}"
    admin = sqlalchemy.create_engine(make_engine(server_url).url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sqlalchemy.text(f'CREATE DATABASE "{name}"'))
    try:
        yield server_url.rsplit("/", 1)[0] + "/" + name
    finally:
        with admin.connect() as conn:
            conn.execute(sqlalchemy.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
