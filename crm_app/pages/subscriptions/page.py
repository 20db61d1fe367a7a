"""Agent → Subscriptions: revenue per currency (net of refunds), the passes active now, a
chart per day, and the transactions (payments and refunds) with search, dates and CSV."""

from __future__ import annotations

import reflex as rx

from crm_app.components.kit import MUTED, SUBTLE, agent_screen, card, download_button
from crm_app.components.layout import ACCENT, dashboard, empty_state, field_error, page_header
from crm_app.pages.subscriptions.transactions import transactions
from crm_app.state.subscriptions import SubscriptionsState as S

PAID_COLOR = rx.color(ACCENT, 9)
REFUND_COLOR = rx.color("red", 9)


# ---------------------------------------------------------------- numbers


def _stat(label, value, detail, icon: str, **props) -> rx.Component:
    return card(
        rx.hstack(
            rx.vstack(
                rx.text(label, size="2", color=MUTED),
                rx.text(value, size="6", weight="bold", trim="both"),
                rx.text(detail, size="1", color=SUBTLE),
                spacing="2",
                min_width="0",
            ),
            rx.spacer(),
            rx.center(
                rx.icon(icon, size=18, color=rx.color(ACCENT, 11)),
                width="36px",
                height="36px",
                border_radius="999px",
                background=rx.color(ACCENT, 3),
                flex_shrink="0",
            ),
            align="start",
            width="100%",
        ),
        padding="16px",
        **props,
    )


def _numbers() -> rx.Component:
    return rx.grid(
        rx.foreach(
            S.revenue,
            lambda r: _stat(
                "Net revenue · " + r.currency,
                r.net_text,
                "Paid " + r.paid_text + " · refunded " + r.refunded_text,
                "banknote",
                aria_label="Net revenue " + r.currency,
            ),
        ),
        rx.cond(
            S.revenue.length() == 0,
            _stat("Net revenue", "—", "Nothing paid in these dates", "banknote"),
        ),
        _stat(
            "Active passes",
            S.active_passes.to_string(),
            S.active_subscribers.to_string() + " subscribers can chat now",
            "ticket",
            aria_label="Active passes",
        ),
        columns=rx.breakpoints(initial="1", xs="2", md="3"),
        spacing="3",
        width="100%",
    )


# ---------------------------------------------------------------- filters


def _filters() -> rx.Component:
    def day(field: str, label: str, value):
        return rx.vstack(
            rx.text(label, size="1", color=MUTED),
            rx.input(
                type="date",
                value=value,
                on_change=S.set_date(field),
                aria_label=label,
                width=["100%", "160px"],
            ),
            field_error(S.errors.get(field, "")),
            spacing="1",
            flex=["1 1 140px", "0 0 auto"],
        )

    return rx.flex(
        rx.vstack(
            rx.text("Search", size="1", color=MUTED),
            rx.input(
                rx.input.slot(rx.icon("search", size=15)),
                id="subscriptions-search",
                placeholder="Email or name",
                default_value=S.search,
                on_change=S.set_search.debounce(300),
                aria_label="Search transactions",
                width="100%",
            ),
            spacing="1",
            flex="1 1 240px",
            min_width="0",
        ),
        day("date_from", "From", S.date_from),
        day("date_to", "To", S.date_to),
        rx.cond(
            S.filtered,
            rx.button(
                "Clear",
                variant="ghost",
                color_scheme="gray",
                on_click=S.clear_filters,
                align_self="end",
                margin_bottom="4px",
            ),
        ),
        spacing="3",
        wrap="wrap",
        align="start",
        width="100%",
    )


# ---------------------------------------------------------------- chart


def _chart() -> rx.Component:
    return card(
        rx.vstack(
            rx.hstack(
                rx.vstack(
                    rx.heading("Revenue", size="4", as_="h2"),
                    rx.text(S.chart_period, size="1", color=SUBTLE),
                    spacing="1",
                ),
                rx.spacer(),
                rx.cond(
                    S.currencies.length() > 1,
                    rx.segmented_control.root(
                        rx.foreach(S.currencies, lambda c: rx.segmented_control.item(c, value=c)),
                        value=S.chart_currency,
                        on_change=S.set_chart_currency,
                        size="1",
                        aria_label="Currency",
                    ),
                ),
                width="100%",
                align="start",
                wrap="wrap",
            ),
            rx.cond(
                S.chart_points.length() > 0,
                rx.box(
                    rx.recharts.bar_chart(
                        rx.recharts.cartesian_grid(vertical=False, stroke_dasharray="3 3"),
                        rx.recharts.x_axis(data_key="label", tick_line=False, font_size=11),
                        rx.recharts.y_axis(width=48, tick_line=False, font_size=11),
                        rx.recharts.reference_line(y=0, stroke=rx.color("gray", 8)),
                        rx.recharts.graphing_tooltip(),
                        rx.recharts.legend(icon_type="circle", icon_size=8),
                        rx.recharts.bar(data_key="Paid", fill=PAID_COLOR, radius=3),
                        rx.recharts.bar(data_key="Refunded", fill=REFUND_COLOR, radius=3),
                        data=S.chart_points,
                        bar_gap=0,
                        width="100%",
                        height=260,
                        margin={"top": 8, "right": 8, "left": 0, "bottom": 0},
                    ),
                    width="100%",
                    role="img",
                    aria_label="Revenue per day in " + S.chart_currency,
                    id="revenue-chart",
                ),
                rx.center(
                    rx.text("No payments in these dates.", size="2", color=MUTED),
                    height="120px",
                    width="100%",
                ),
            ),
            spacing="3",
            width="100%",
        ),
        padding="16px",
    )


# ---------------------------------------------------------------- page


def _empty() -> rx.Component:
    return empty_state(
        "credit-card",
        "No purchases yet",
        "When visitors pay for access to this agent, each payment shows here: revenue per "
        "currency over time, the passes that are active now, and every transaction with its "
        "refunds, ready to export as CSV.",
        rx.cond(
            S.access_mode != "Pay for Access",
            rx.link(
                rx.button(rx.icon("settings", size=14), "Set up Pay for Access", variant="soft"),
                href=S.settings_path,
            ),
            rx.text(
                "This agent is set to Pay for Access: the first payment will appear here.",
                size="2",
                color=MUTED,
            ),
        ),
    )


def _content() -> rx.Component:
    return rx.cond(
        S.has_purchases,
        rx.vstack(
            _filters(),
            _numbers(),
            _chart(),
            transactions(),
            spacing="4",
            width="100%",
        ),
        _empty(),
    )


def page() -> rx.Component:
    return dashboard(
        page_header(
            "Subscriptions",
            rx.cond(
                S.agent_name != "",
                S.agent_name + ": what visitors paid for access, refunds included.",
                "What visitors paid for access, refunds included.",
            ),
            rx.cond(
                S.has_purchases & (S.load_error == ""),
                download_button("Export CSV", S.export_url),
            ),
        ),
        agent_screen(S.loaded, S.load_error, _content()),
    )
