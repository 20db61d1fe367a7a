"""Bulk-generate realistic contacts for one agent (the list/export benchmark's data).

    python bench/generate_contacts.py --agent-slug bench --count 1000000 \
        [--database-url postgresql://postgres@127.0.0.1:5432/crm_bench]

Creates the tables and indexes if missing, an organization with its Owner, four more
members and the agent (default fields and stages, five custom fields incl. a Dropdown and
a Date) when the slug does not exist yet, then adds contacts until the agent has `--count`:
names from lists, unique emails, unique valid US E.164 phones, genders, stages, owners,
sources and statuses, created over the last two years, with custom-field values.

The rows go in through the driver directly (COPY on PostgreSQL, executemany in one
transaction on SQLite): the service path (save_contact) runs matching, automations and
audit per contact, which is right for real input and far too slow for a million rows.
Values are produced in the same stored forms the services write (lower-cased email,
E.164 phone, `name_sort`, coerce_value's text forms).

`--skew` (a new agent only) makes the distributions lopsided, as real agents' data is:
four extra stages and long-tail stage weights (the rarest stage holds ~0.05%); one stage,
"Legacy intake", and one insurance option, "Self-pay", used only by the oldest ~2% of
contacts (values that were common two years ago: half of those rows have them); and a few heavy owners (56/25/12/5/2%).
The list benchmark then also times those cases (bench_contacts.py reads the layout from
the database).
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import phonenumbers  # noqa: E402
from sqlalchemy import func, text  # noqa: E402
from sqlmodel import Session, SQLModel, select  # noqa: E402

from crm_app.db import make_engine  # noqa: E402
from crm_app.models import Agent, Contact, ContactField, ContactValue, Membership, Stage, User  # noqa: E402
from crm_app.services import fields, principal, stages  # noqa: E402
from crm_app.services.agents import create_agent, create_owner  # noqa: E402
from crm_app.services.demo import DOMAINS, FIRST, LAST  # noqa: E402

DEFAULT_SQLITE = "sqlite:////tmp/crm_bench.db"
OWNER_EMAIL = "owner@{slug}.bench.example"
TEAM = (
    ("Marcus", "Ortega", "Admin"),
    ("Aisha", "Karimi", "User"),
    ("Tom", "Becker", "User"),
    ("Lena", "Fischer", "Admin"),
)
CUSTOM = (
    (
        "Insurance provider",
        "insurance",
        "Dropdown",
        [
            "Aetna",
            "Blue Cross Blue Shield",
            "Cigna",
            "Humana",
            "Kaiser Permanente",
            "Medicare",
            "Medicaid",
            "UnitedHealthcare",
            "Self-pay",
        ],
        0.8,
    ),
    ("Date of birth", "date_of_birth", "Date", [], 0.7),
    (
        "Preferred location",
        "location",
        "Dropdown",
        ["Northside Main", "Riverside Annex", "Telehealth"],
        0.9,
    ),
    ("Visits", "visits", "Number", [], 0.6),
    ("Referral code", "referral_code", "Text", [], 0.3),
)
SOURCES = ["Chat"] * 30 + ["Form"] * 25 + ["Manual"] * 20 + ["Import"] * 15 + ["API"] * 10
STATUSES = ["Active"] * 86 + ["Inactive"] * 10 + ["Blocked"] * 4
GENDERS = (
    ["Female"] * 46 + ["Male"] * 42 + ["Non-binary"] * 4 + ["Prefer not to say"] * 3 + [None] * 5
)
AREA_CODES = [
    "212",
    "312",
    "415",
    "512",
    "617",
    "646",
    "702",
    "713",
    "773",
    "818",
    "917",
    "206",
    "303",
    "404",
    "503",
    "602",
    "619",
    "720",
    "786",
    "858",
]
CONTACT_COLUMNS = (
    "id",
    "agent_id",
    "external_ref",
    "name",
    "name_sort",
    "email",
    "phone",
    "gender",
    "source",
    "stage_id",
    "status",
    "primary_owner_id",
    "secondary_owner_id",
    "archived",
    "created_by_id",
    "member_set",
    "created_at",
    "updated_at",
)
VALUE_COLUMNS = ("contact_id", "field_id", "value_text", "value_num", "value_json")
BATCH = 20_000
# --skew: stages after the four defaults, and each stage's weight (long tail; "Legacy
# intake" is given only to old contacts, see contact_rows).
SKEW_STAGES = ("Waitlist", "Referred out", "VIP", "Legacy intake")
SKEW_STAGE_WEIGHTS = (5600, 2500, 1200, 500, 150, 40, 5)
SKEW_OWNER_WEIGHTS = (56, 25, 12, 5, 2)
OLD_FRACTION = 0.02  # --skew: "Legacy intake" and "Self-pay" only among the oldest 2%
OLD_STAGE, OLD_OPTION = "Legacy intake", "Self-pay"


def ensure_schema(engine) -> None:
    """Tables, plus any index declared in models.py that an older bench database lacks;
    list indexes (ix_contact…) that models.py no longer declares are dropped, so the
    planners see what a migrated database has."""
    SQLModel.metadata.create_all(engine)
    with engine.connect() as conn:
        if conn.dialect.name == "sqlite":  # its inspector leaves expression indexes out
            existing = set(
                conn.exec_driver_sql(
                    "SELECT name FROM sqlite_master WHERE type = 'index'"
                ).scalars()
            )
        else:
            existing = set(
                conn.exec_driver_sql(
                    "SELECT indexname FROM pg_indexes WHERE tablename IN "
                    "('contact', 'contactvalue')"
                ).scalars()
            )
    declared = {
        ix.name for table in (Contact.__table__, ContactValue.__table__) for ix in table.indexes
    }
    changed = False
    for name in sorted(existing - declared):
        if name.startswith("ix_contact_"):
            print(f"  dropping index {name}")
            with engine.begin() as conn:
                conn.exec_driver_sql(f"DROP INDEX {name}")
            changed = True
    for table in (Contact.__table__, ContactValue.__table__):
        for index in table.indexes:
            if index.name not in existing:
                print(f"  creating index {index.name}")
                index.create(engine)
                changed = True
    if changed:
        with engine.begin() as conn:
            conn.execute(text("ANALYZE"))


def ensure_agent(engine, slug: str, skew: bool = False) -> int:
    with Session(engine, expire_on_commit=False) as session:
        agent = session.exec(select(Agent).where(Agent.slug == slug)).first()
        if agent is not None:
            return agent.id
        owner = create_owner(
            session, OWNER_EMAIL.format(slug=slug), f"Bench org ({slug})", "Dana", "Whitfield"
        )
        agent = create_agent(session, owner, "Bench clinic", slug=slug, region="US")
        for i, (first, last, role) in enumerate(TEAM):
            user = User(email=f"member{i}@{slug}.bench.example", first_name=first, last_name=last)
            session.add(user)
            session.flush()
            session.add(
                Membership(
                    org_id=owner.org_id,
                    user_id=user.id,
                    role=role,
                    agent_ids=[agent.id] if role == "User" else [],
                )
            )
        session.flush()
        owner = principal.member(session, owner.user_id, owner.org_id)
        for label, key, type_, options, _rate in CUSTOM:
            fields.create_custom_field(
                session, owner, agent.id, label=label, key=key, type=type_, options=options
            )
        if skew:
            for name in SKEW_STAGES:
                stages.add_stage(session, owner, agent.id, name)
        session.commit()
        return agent.id


def _phone_prefixes() -> list[str]:
    """(area code, exchange) pairs whose numbers phonenumbers accepts as valid US mobiles/lines."""
    prefixes = []
    for area in AREA_CODES:
        for exchange in range(201, 1000):
            if exchange % 100 == 11 or exchange == 555:
                continue
            number = phonenumbers.parse(f"+1{area}{exchange}4567", None)
            if phonenumbers.is_valid_number(number):
                prefixes.append(f"+1{area}{exchange}")
    return prefixes


def contact_rows(
    agent_id: int,
    start: int,
    count: int,
    stage_ids: list[int],
    owner_ids: list[int],
    custom: list[tuple[ContactField, float]],
    seed: int,
    skew: bool = False,
):
    """Yield (contact row, [value rows]) for contacts number start..start+count-1. With
    `skew`, stage_ids are the defaults then SKEW_STAGES, in position order."""
    rng = random.Random(seed + start)
    prefixes = _phone_prefixes()
    stride = 7919  # co-prime with 10,000: consecutive contacts get scattered line numbers
    now = datetime.now(UTC)
    two_years = 2 * 365 * 86400
    if skew:
        old_stage = stage_ids[-1]
        stage_pool = [s for s, w in zip(stage_ids[:-1], SKEW_STAGE_WEIGHTS) for _ in range(w)]
        owner_pool = [o for o, w in zip(owner_ids, SKEW_OWNER_WEIGHTS) for _ in range(w)]
    else:
        stage_pool = [s for s, w in zip(stage_ids, (40, 25, 25, 10)) for _ in range(w)] or [None]
        owner_pool = owner_ids
    born = date(1945, 1, 1)
    ids = os.urandom(12 * count).hex()
    for n in range(count):
        i = start + n
        gender = rng.choice(GENDERS)
        pool = FIRST["Female" if gender == "Female" else "Male" if gender == "Male" else "Other"]
        first, last = rng.choice(pool), rng.choice(LAST)
        name = f"{first} {last}"
        has = rng.random()  # 8% email only, 10% phone only, the rest both
        email = phone = None
        if has >= 0.10:
            local = rng.choice(
                (f"{first}.{last}", f"{first[0]}{last}", f"{first}{last[0]}", f"{first}_{last}")
            )
            email = f"{local.replace(chr(39), '').lower()}{i}@{rng.choice(DOMAINS)}"
        if has < 0.92:
            phone = f"{prefixes[i // 10_000]}{(i * stride) % 10_000:04d}"
        age = rng.random()  # 0 newest .. 1 two years old
        created = now - timedelta(seconds=age * two_years)
        old = skew and age > 1 - OLD_FRACTION
        stage = old_stage if old and rng.random() < 0.5 else rng.choice(stage_pool)
        source = rng.choice(SOURCES)
        contact_id = ids[24 * n : 24 * n + 24]
        row = (
            contact_id,
            agent_id,
            None,
            name,
            name.lower(),
            email,
            phone,
            gender,
            source,
            stage,
            rng.choice(STATUSES),
            rng.choice(owner_pool),
            rng.choice(owner_ids) if rng.random() < 0.2 else None,
            rng.random() < 0.02,
            None,
            "[]",
            created,
            min(now, created + timedelta(days=rng.uniform(0, 30))),
        )
        values = []
        for f, rate in custom:
            if rng.random() >= rate:
                continue
            if f.type == "Dropdown":
                if skew and OLD_OPTION in f.options:
                    options = [o for o in f.options if o != OLD_OPTION]
                    option = OLD_OPTION if old and rng.random() < 0.5 else rng.choice(options)
                else:
                    option = rng.choice(f.options)
                values.append((contact_id, f.id, option, None, None))
            elif f.type == "Date":
                values.append(
                    (
                        contact_id,
                        f.id,
                        (born + timedelta(days=rng.randint(0, 365 * 62))).isoformat(),
                        None,
                        None,
                    )
                )
            elif f.type == "Number":
                visits = rng.randint(0, 40)
                values.append((contact_id, f.id, str(visits), float(visits), None))
            else:
                values.append((contact_id, f.id, f"REF-{rng.randint(10_000, 99_999)}", None, None))
        yield row, values


def _sqlite_insert(engine, rows_iter, total: int) -> None:
    """executemany in one transaction. The list indexes (not the unique keys) are dropped
    first and built again after the rows are in: sorting a million keys once is several
    times faster than a million random inserts into each of ~15 B-trees."""
    raw = engine.raw_connection()
    try:
        con = raw.driver_connection
        con.execute("PRAGMA synchronous=OFF")
        con.execute("PRAGMA cache_size=-1000000")
        deferred = con.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
            "AND tbl_name IN ('contact', 'contactvalue') AND sql NOT LIKE 'CREATE UNIQUE%'"
        ).fetchall()
        con.execute("BEGIN")
        for name, _sql in deferred:
            con.execute(f"DROP INDEX {name}")
        contact_sql = f"INSERT INTO contact ({', '.join(CONTACT_COLUMNS)}) VALUES ({', '.join('?' * len(CONTACT_COLUMNS))})"
        value_sql = f"INSERT INTO contactvalue ({', '.join(VALUE_COLUMNS)}) VALUES (?, ?, ?, ?, ?)"
        contacts, values, done = [], [], 0
        for row, vals in rows_iter:
            row = list(row)
            for k in (16, 17):  # SQLAlchemy's SQLite DateTime storage format, UTC
                row[k] = row[k].astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
            row[13] = int(row[13])
            contacts.append(row)
            values.extend(vals)
            if len(contacts) >= BATCH:
                con.executemany(contact_sql, contacts)
                con.executemany(value_sql, values)
                done += len(contacts)
                contacts, values = [], []
                _progress(done, total)
        if contacts:
            con.executemany(contact_sql, contacts)
            con.executemany(value_sql, values)
        print(f"\n  building {len(deferred)} indexes", flush=True)
        for _name, sql in deferred:
            con.execute(sql)
        con.execute("COMMIT")
        con.execute("ANALYZE")
    finally:
        raw.close()


def _postgres_copy(engine, rows_iter, total: int) -> None:
    raw = engine.raw_connection()
    try:
        con = raw.driver_connection
        done = 0
        with con.cursor() as cur:
            with cur.copy(
                f"COPY contact ({', '.join(CONTACT_COLUMNS)}) FROM STDIN"
            ) as contact_copy:
                values = []
                for row, vals in rows_iter:
                    contact_copy.write_row(row)
                    values.extend(vals)
                    done += 1
                    if done % BATCH == 0:
                        _progress(done, total)
            # Values after contacts: the foreign key needs the contact rows first.
            with cur.copy(
                f"COPY contactvalue ({', '.join(VALUE_COLUMNS)}) FROM STDIN"
            ) as value_copy:
                for row in values:
                    value_copy.write_row(row)
        con.commit()
        con.autocommit = True
        con.execute("VACUUM ANALYZE contact")
        con.execute("VACUUM ANALYZE contactvalue")
    finally:
        raw.close()


def _progress(done: int, total: int) -> None:
    print(f"  {done:>9,} / {total:,}", end="\r", flush=True)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--agent-slug", default="bench")
    parser.add_argument("--count", type=int, default=1_000_000)
    parser.add_argument(
        "--database-url", default=os.environ.get("CRM_BENCH_DATABASE_URL") or DEFAULT_SQLITE
    )
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--skew",
        action="store_true",
        help="lopsided data: long-tail stages, heavy owners, values only in old rows",
    )
    args = parser.parse_args(argv)
    engine = make_engine(args.database_url)
    started = time.perf_counter()
    ensure_schema(engine)
    agent_id = ensure_agent(engine, args.agent_slug, args.skew)
    with Session(engine) as session:
        agent = session.get(Agent, agent_id)
        existing = session.exec(
            select(func.count()).select_from(Contact).where(Contact.agent_id == agent_id)
        ).one()
        agent_stages = list(
            session.exec(select(Stage).where(Stage.agent_id == agent_id).order_by(Stage.position))
        )
        stage_ids = [st.id for st in agent_stages]
        # An agent made with --skew keeps getting skewed rows when topped up.
        skewed = [st.name for st in agent_stages][-len(SKEW_STAGES) :] == list(SKEW_STAGES)
        owner_ids = list(
            session.exec(
                select(Membership.user_id)
                .where(Membership.org_id == agent.org_id)
                .order_by(Membership.user_id)
            )
        )
        by_key = {
            f.key: f
            for f in session.exec(select(ContactField).where(ContactField.agent_id == agent_id))
        }
        custom = [(by_key[key], rate) for _l, key, _t, _o, rate in CUSTOM]
        session.expunge_all()
    missing = args.count - existing
    print(
        f"{engine.url.render_as_string(hide_password=True)}: agent /{args.agent_slug} (id {agent_id}) has "
        f"{existing:,} contacts; adding {max(missing, 0):,}."
    )
    if missing > 0:
        if args.skew and not skewed:
            sys.exit(f"Agent /{args.agent_slug} was created without --skew: use another slug.")
        rows = contact_rows(
            agent_id, existing, missing, stage_ids, owner_ids, custom, args.seed, skewed
        )
        if engine.dialect.name == "postgresql":
            _postgres_copy(engine, rows, missing)
        else:
            _sqlite_insert(engine, rows, missing)
    print(f"\nDone in {time.perf_counter() - started:.1f} s.")


if __name__ == "__main__":
    main()
