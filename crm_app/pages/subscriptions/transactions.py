"""Subscriptions → Transactions: a table from 992 px, a list of cards on phones; each
payment and each refund is a row, with its status, credits and the end of its access."""

from __future__ import annotations

import reflex as rx

from crm_app import routes
from crm_app.components.kit import MUTED, SUBTLE, card
from crm_app.state.base import AppState
from crm_app.state.subscriptions import SubscriptionsState as S
from crm_app.state.subscriptions import TxRow


def _status(row: TxRow) -> rx.Component:
    color = rx.match(
        row.status,
        ("Active", "green"),
        ("Refund", "red"),
        ("Refunded", "red"),
        ("Partly refunded", "amber"),
        ("Revoked", "red"),
        "gray",
    )
    return rx.badge(row.status, color_scheme=color, variant="soft", size="1")


def _who(row: TxRow) -> rx.Component:
    return rx.vstack(
        rx.cond(
            row.name != "",
            rx.link(
                row.name,
                href=routes.agent_path(routes.CONTACT, AppState.current_agent_key).replace(
                    "[contact_id]", row.contact_id
                ),
                size="2",
                weight="medium",
            ),
            rx.text("Erased contact", size="2", color=SUBTLE),
        ),
        rx.text(row.email, size="1", color=MUTED, word_break="break-all"),
        spacing="0",
        min_width="0",
    )


def _amount(row: TxRow) -> rx.Component:
    return rx.text(
        row.amount_text,
        size="2",
        weight="medium",
        color=rx.cond(row.kind == "Refund", rx.color("red", 11), rx.color("gray", 12)),
        white_space="nowrap",
    )


def _table() -> rx.Component:
    def row(r: TxRow) -> rx.Component:
        return rx.table.row(
            rx.table.cell(rx.text(r.date_text, size="2", white_space="nowrap")),
            rx.table.cell(_who(r)),
            rx.table.cell(
                rx.cond(
                    r.kind == "Refund",
                    _status(r),
                    rx.hstack(
                        rx.text(r.kind, size="2"),
                        _status(r),
                        spacing="2",
                        align="center",
                        wrap="wrap",
                    ),
                )
            ),
            rx.table.cell(_amount(r), text_align="right"),
            rx.table.cell(rx.text(r.credits_text, size="2", color=MUTED)),
            rx.table.cell(rx.text(r.expires_text, size="2", color=MUTED, white_space="nowrap")),
            data_kind=r.kind,
        )

    return rx.table.root(
        rx.table.header(
            rx.table.row(
                *[
                    rx.table.column_header_cell(h, text_align="right" if h == "Amount" else None)
                    for h in ("Date", "Customer", "Type", "Amount", "Credits", "Access ends")
                ]
            )
        ),
        rx.table.body(rx.foreach(S.rows, row)),
        width="100%",
        variant="ghost",
        size="2",
        display=["none", "none", "block"],
        id="transactions-table",
    )


def _phone_list() -> rx.Component:
    def item(r: TxRow) -> rx.Component:
        return rx.vstack(
            rx.hstack(_who(r), rx.spacer(), _amount(r), width="100%", align="start"),
            rx.hstack(
                _status(r),
                rx.text(r.date_text, size="1", color=SUBTLE),
                rx.cond(
                    r.credits_text != "", rx.text("· " + r.credits_text, size="1", color=SUBTLE)
                ),
                spacing="2",
                align="center",
                wrap="wrap",
            ),
            spacing="2",
            width="100%",
            padding_y="10px",
            border_bottom=f"1px solid {rx.color('gray', 4)}",
        )

    return rx.vstack(
        rx.foreach(S.rows, item),
        spacing="0",
        width="100%",
        display=["flex", "flex", "none"],
        role="list",
        aria_label="Transactions list",
    )


def transactions() -> rx.Component:
    return card(
        rx.vstack(
            rx.hstack(
                rx.heading("Transactions", size="4", as_="h2"),
                rx.spacer(),
                rx.text(S.range_label, size="1", color=SUBTLE),
                width="100%",
                align="center",
            ),
            rx.cond(
                S.total > 0,
                rx.fragment(_table(), _phone_list()),
                rx.center(
                    rx.text("No transactions match.", size="2", color=MUTED),
                    height="80px",
                    width="100%",
                ),
            ),
            rx.cond(
                S.pages > 1,
                rx.hstack(
                    rx.button(
                        rx.icon("chevron-left", size=14),
                        "Previous",
                        variant="soft",
                        color_scheme="gray",
                        disabled=S.page <= 1,
                        on_click=S.prev_page,
                    ),
                    rx.text("Page ", S.page, " of ", S.pages, size="2", color=MUTED),
                    rx.button(
                        "Next",
                        rx.icon("chevron-right", size=14),
                        variant="soft",
                        color_scheme="gray",
                        disabled=S.page >= S.pages,
                        on_click=S.next_page,
                    ),
                    justify="end",
                    align="center",
                    spacing="3",
                    width="100%",
                ),
            ),
            spacing="3",
            width="100%",
        ),
        padding="16px",
    )
