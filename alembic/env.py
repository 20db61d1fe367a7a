"""Alembic environment: our SQLModel tables and the database URL from crm_app.settings.

The URL comes from `crm_app.settings.get_settings().database_url` (CRM_DATABASE_URL, or
the SQLite file in CRM_DATA_DIR), unless a caller passes a connection in
`config.attributes["connection"]` or sets `sqlalchemy.url` on the Config (tests do).
"""

from __future__ import annotations

from logging.config import fileConfig

from sqlalchemy import create_engine, pool
from sqlmodel import SQLModel
from sqlmodel.sql.sqltypes import AutoString

from alembic import context
from crm_app.db import private_sqlite_file
from crm_app.models import UTCDateTime  # importing the module registers every table

config = context.config

if config.config_file_name is not None and config.attributes.get("configure_logger", True):
    fileConfig(config.config_file_name, disable_existing_loggers=False)

target_metadata = SQLModel.metadata


def engine_url(url: str) -> str:
    """The app's URL with an explicit driver (we ship psycopg 3, not psycopg2)."""
    if url.startswith("postgresql://"):
        return "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


def render_item(type_, obj, autogen_context):
    """Render our column types as importable code (script.py.mako imports both)."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "UTCDateTime()"
    if type_ == "type" and isinstance(obj, AutoString):
        return f"sqlmodel.sql.sqltypes.{obj!r}"
    return False


def _url() -> str:
    explicit = config.get_main_option("sqlalchemy.url")
    if explicit:
        return engine_url(explicit)
    from crm_app.settings import get_settings

    return engine_url(get_settings().database_url)


def _configure(**kwargs) -> None:
    url = kwargs.get("url") or str(kwargs["connection"].engine.url)
    context.configure(
        target_metadata=target_metadata,
        render_as_batch=url.startswith("sqlite"),  # SQLite cannot ALTER most things in place
        compare_type=True,
        render_item=render_item,
        **kwargs,
    )


def run_migrations_offline() -> None:
    _configure(url=_url(), literal_binds=True, dialect_opts={"paramstyle": "named"})
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _configure(connection=connection)
        with context.begin_transaction():
            context.run_migrations()
        return
    private_sqlite_file(_url())  # owner-only, like the app's own engine makes it
    engine = create_engine(_url(), poolclass=pool.NullPool)
    with engine.connect() as connection:
        _configure(connection=connection)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
