"""The Subscriptions page's CSV: every transaction (payments and refunds) matching the
page's filters, cells escaped against spreadsheet formulas (services/export.escape_cell),
read in batches; the export is audited once it is all out. Owner/Admin only."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import date

from sqlmodel import Session

from crm_app.models import Agent
from crm_app.services import audit
from crm_app.services.access import Actor, require_agent
from crm_app.services.export import escape_cell
from crm_app.services.payments.subscriptions import (
    TxQuery,
    plain_amount,
    transaction_rows,
    transactions_query,
)

CSV_BATCH = 1000
CSV_COLUMNS = (
    "Date (UTC)",
    "Type",
    "Email",
    "Contact",
    "Amount",
    "Currency",
    "Status",
    "Credits left",
    "Credits bought",
    "Access ends (UTC)",
    "Payment reference",
)


class _CsvExport:
    """CSV text in chunks (BOM and header first); `count` once it is consumed."""

    def __init__(self, session: Session, agent: Agent, query: TxQuery):
        self.session, self.agent, self.query, self.count = session, agent, query, 0

    def __iter__(self) -> Iterator[str]:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        buffer.write("\ufeff")
        writer.writerow(CSV_COLUMNS)
        events = transactions_query(self.agent.id, self.query)
        offset = 0
        while True:
            rows = transaction_rows(
                self.session, self.agent.id, events, self.query, offset, CSV_BATCH
            )
            for r in rows:
                writer.writerow(
                    [
                        escape_cell(r["at"].strftime("%Y-%m-%d %H:%M:%S")),
                        r["kind"],
                        escape_cell(r["email"]),
                        escape_cell(r["name"]),
                        plain_amount(r["amount"], r["currency"]),
                        r["currency"].upper(),
                        r["status"],
                        ""
                        if r["kind"] == "Refund" or r["credits_left"] is None
                        else r["credits_left"],
                        ""
                        if r["kind"] == "Refund" or r["credits_total"] is None
                        else r["credits_total"],
                        ""
                        if r["kind"] == "Refund" or r["expires_at"] is None
                        else r["expires_at"].strftime("%Y-%m-%d %H:%M:%S"),
                        escape_cell(r["reference"]),
                    ]
                )
            self.count += len(rows)
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
            if len(rows) < CSV_BATCH:
                return
            offset += CSV_BATCH


def export_filename(agent: Agent, today: date) -> str:
    return f"subscriptions-{agent.slug}-{today.isoformat()}.csv"


def iter_csv(session: Session, actor: Actor, agent_id: int, query: TxQuery) -> _CsvExport:
    """The transactions matching `query` as CSV chunks (Owner/Admin; checked before the
    first chunk exists). The caller records the export with `record_export` afterwards."""
    agent = require_agent(session, actor, agent_id, "Admin")
    return _CsvExport(session, agent, query)


def record_export(session: Session, actor: Actor, agent: Agent, count: int) -> None:
    audit.record(
        session,
        actor,
        "Read",
        "Subscription",
        f"Exported {count:,} subscription transaction{'s' if count != 1 else ''} of the agent "
        f"{agent.name}",
    )
    session.flush()
