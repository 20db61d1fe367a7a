"""Command line: `python -m crm_app.cli <command>` (migrate, seed-demo, create-owner, create-agent).

Uses the same settings (CRM_DATABASE_URL, CRM_DATA_DIR) and services as the app. Exit code 0
on success, 2 when a service refuses (its message goes to stderr).
"""

from __future__ import annotations

import argparse
import sys

from sqlalchemy import inspect

from crm_app.db import get_engine, session_scope
from crm_app.services import agents, demo, sessions
from crm_app.services.errors import ServiceError
from crm_app.settings import ROOT, get_settings

ALEMBIC_INI = ROOT / "alembic.ini"


def alembic_config(url: str | None = None):
    """Our alembic.ini (absolute path, so any working directory works); `url` overrides settings."""
    from alembic.config import Config

    config = Config(str(ALEMBIC_INI))
    config.set_main_option("script_location", str(ROOT / "alembic"))
    if url:
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def migrate(url: str | None = None, revision: str = "head") -> None:
    """Upgrade the database (settings' URL unless given) to `revision`."""
    from alembic import command

    command.upgrade(alembic_config(url), revision)


def _cmd_migrate(args) -> int:
    migrate()
    print(f"Database is up to date ({_safe_url(get_settings().database_url)}).")
    return 0


def _cmd_seed_demo(args) -> int:
    _require_tables()
    with session_scope() as session:
        summary = demo.seed_demo(session)
    if summary is None:
        print("An organization already exists; demo data was not added.")
        return 0
    base = get_settings().base_url
    print(f"Created the demo organization {summary['organization']} with the agent "
          f"{summary['agent']} and {summary['contacts']} contacts.")
    print("Members: " + ", ".join(summary["members"]))
    print(f"Sign in at {base}/login as {summary['owner']}: the 6-digit code is in the development "
          f"mailbox at {base}/dev/mailbox (or in the console log when SMTP is not configured).")
    return 0


def _cmd_create_owner(args) -> int:
    _require_tables()
    with session_scope() as session:
        actor = agents.create_owner(session, args.email, args.org, args.first, args.last)
        org_name = sessions.org_name(session, actor.org_id)
        print(f"Created the organization {org_name} with owner {actor.email}.")
    return 0


def _cmd_create_agent(args) -> int:
    _require_tables()
    with session_scope() as session:
        owner = agents.owner_actor(session, args.owner_email)
        agent = agents.create_agent(session, owner, args.name, slug=args.slug, region=args.region)
        print(f"Created the agent {agent.name} (id {agent.id}, /{agent.slug}, region {agent.phone_region}).")
    return 0


def _require_tables() -> None:
    if not inspect(get_engine()).has_table("organization"):
        raise ServiceError("The database has no tables yet. Run: python -m crm_app.cli migrate")


def _safe_url(url: str) -> str:
    head, sep, tail = url.partition("@")
    return f"{head.split('://')[0]}://…@{tail}" if sep else url


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m crm_app.cli", description="Agent CRM administration.")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("migrate", help="apply database migrations (alembic upgrade head)").set_defaults(run=_cmd_migrate)
    sub.add_parser("seed-demo", help="add the demo clinic if no organization exists yet").set_defaults(
        run=_cmd_seed_demo)
    owner = sub.add_parser("create-owner", help="create an organization and its Owner")
    owner.add_argument("--email", required=True)
    owner.add_argument("--org", default=None, help="organization name")
    owner.add_argument("--first", default="", help="first name")
    owner.add_argument("--last", default="", help="last name")
    owner.set_defaults(run=_cmd_create_owner)
    agent = sub.add_parser("create-agent", help="create an agent as an organization's Owner")
    agent.add_argument("--owner-email", required=True)
    agent.add_argument("--name", required=True)
    agent.add_argument("--slug", default=None)
    agent.add_argument("--region", default="US", help="default phone region, e.g. US, GB, IN")
    agent.set_defaults(run=_cmd_create_agent)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.run(args)
    except ServiceError as error:
        print(f"Error: {error.message}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
