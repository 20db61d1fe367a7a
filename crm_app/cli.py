"""Command line: `python -m crm_app.cli <command>` (migrate, worker, seed-demo, create-owner,
create-agent, import-contacts, export-contacts).

Uses the same settings (CRM_DATABASE_URL, CRM_DATA_DIR) and services as the app. Exit code 0
on success, 2 when a service refuses (its message goes to stderr).
"""

from __future__ import annotations

import argparse
import sys

from sqlalchemy import inspect

from crm_app.db import get_engine, session_scope
from crm_app.jobs.imports import recover_imports
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
    if count := recover_imports():  # runs the server left unfinished when it stopped
        print(
            f"Recovered {count} interrupted import{'s' if count != 1 else ''}: undone and marked failed."
        )
    return 0


def _cmd_worker(args) -> int:
    from crm_app.jobs import worker

    _require_tables()
    worker.run(workers=args.workers)
    return 0


def _cmd_seed_demo(args) -> int:
    _require_tables()
    with session_scope() as session:
        summary = demo.seed_demo(session)
    if summary is None:
        print("An organization already exists; demo data was not added.")
        return 0
    base = get_settings().base_url
    print(
        f"Created the demo organization {summary['organization']} with the agent "
        f"{summary['agent']} and {summary['contacts']} contacts."
    )
    print("Members: " + ", ".join(summary["members"]))
    print(
        f"Sign in at {base}/login as {summary['owner']}: without CRM_SMTP_URL the 6-digit code is "
        f"printed on the server's console (and, with CRM_DEV_MODE=1, listed at {base}/dev/mailbox "
        "for browsers on this machine)."
    )
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
        print(
            f"Created the agent {agent.name} (id {agent.id}, /{agent.slug}, region {agent.phone_region})."
        )
    return 0


def _agent_and_member(session, slug: str, email: str | None):
    """The agent by slug and the member acting in it (default: the organization's Owner)."""
    from sqlmodel import select

    from crm_app.models import Agent, Membership, User
    from crm_app.services.errors import NotFound
    from crm_app.services.principal import member

    agent = session.exec(select(Agent).where(Agent.slug == slug)).first()
    if agent is None:
        raise NotFound(f"No agent with the slug '{slug}'.")
    if email:
        user = session.exec(select(User).where(User.email == email.strip().lower())).first()
        if user is None:
            raise NotFound(f"No member with the email {email}.")
        user_id = user.id
    else:
        owner = session.exec(
            select(Membership).where(Membership.org_id == agent.org_id, Membership.role == "Owner")
        ).first()
        if owner is None:
            raise NotFound("The agent's organization has no Owner.")
        user_id = owner.user_id
    return agent.id, member(session, user_id, agent.org_id)


def _cmd_import_contacts(args) -> int:
    import json
    from pathlib import Path

    from crm_app.services import imports
    from crm_app.services.errors import ValidationError

    _require_tables()
    overrides = {}
    for item in args.map or []:
        header, sep, field = item.partition("=")
        if not sep or not header.strip():
            raise ValidationError(
                f"--map takes HEADER=FIELD (an empty FIELD ignores the column), not '{item}'."
            )
        overrides[header.strip()] = field.strip()
    path = Path(args.file)
    if not path.is_file():
        raise ValidationError(f"No such file: {args.file}")
    with session_scope() as session:
        agent_id, actor = _agent_and_member(session, args.agent, args.as_member)
    job = imports.import_file(
        lambda session: actor,
        agent_id,
        path,
        policy=args.policy,
        valid_only=args.valid_only,
        overrides=overrides,
    )
    print(json.dumps({k: job[k] for k in ("created", "updated", "skipped", "failed")}))
    if job["status"] != "done":
        print(f"Error: {job['message']}", file=sys.stderr)
        return 2
    return 0


def _cmd_export_contacts(args) -> int:
    from crm_app.services import export

    _require_tables()
    with session_scope() as session:
        agent_id, actor = _agent_and_member(session, args.agent, args.as_member)
        if args.out:
            with open(args.out, "w", encoding="utf-8", newline="") as handle:
                count = export.export_contacts(session, actor, agent_id, out=handle)
            print(f"Exported {count:,} contacts to {args.out}.", file=sys.stderr)
        else:
            export.export_contacts(session, actor, agent_id, out=sys.stdout)
    return 0


def _require_tables() -> None:
    if not inspect(get_engine()).has_table("organization"):
        raise ServiceError("The database has no tables yet. Run: python -m crm_app.cli migrate")


def _safe_url(url: str) -> str:
    head, sep, tail = url.partition("@")
    return f"{head.split('://')[0]}://…@{tail}" if sep else url


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m crm_app.cli", description="Agent CRM administration."
    )
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("migrate", help="apply database migrations (alembic upgrade head)").set_defaults(
        run=_cmd_migrate
    )
    work = sub.add_parser(
        "worker", help="run background jobs (imports, email, events) until stopped"
    )
    work.add_argument(
        "--workers", type=int, default=4, help="jobs run at once (threads; default 4)"
    )
    work.set_defaults(run=_cmd_worker)
    sub.add_parser(
        "seed-demo", help="add the demo clinic if no organization exists yet"
    ).set_defaults(run=_cmd_seed_demo)
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
    imp = sub.add_parser(
        "import-contacts", help="import a CSV file into an agent's contacts; prints a JSON summary"
    )
    imp.add_argument("--agent", required=True, metavar="SLUG")
    imp.add_argument("file", metavar="FILE")
    imp.add_argument(
        "--policy",
        choices=("skip", "fill", "overwrite"),
        default="fill",
        help="what to do with existing contacts (default: fill empty fields)",
    )
    imp.add_argument(
        "--valid-only", action="store_true", help="import the valid rows even if some are invalid"
    )
    imp.add_argument(
        "--map",
        action="append",
        metavar="HEADER=FIELD",
        help="map a column to a field key (repeatable; HEADER= ignores the column)",
    )
    imp.add_argument(
        "--as", dest="as_member", metavar="EMAIL", help="the importing member (default: the Owner)"
    )
    imp.set_defaults(run=_cmd_import_contacts)
    exp = sub.add_parser("export-contacts", help="export an agent's contacts as CSV")
    exp.add_argument("--agent", required=True, metavar="SLUG")
    exp.add_argument("--out", metavar="FILE", help="write here instead of standard output")
    exp.add_argument(
        "--as", dest="as_member", metavar="EMAIL", help="the exporting member (default: the Owner)"
    )
    exp.set_defaults(run=_cmd_export_contacts)
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
