"""Agent settings → Paid Access Configuration (shown while the access mode is Pay for Access):
Price, Currency, Access Duration (days), Message Credits."""

from __future__ import annotations

import reflex as rx

from crm_app import routes
from crm_app.components.kit import MUTED, SUBTLE, card, labelled
from crm_app.services.payments.offer import currency_choices
from crm_app.state.agent_settings import AgentSettingsState as Settings
from crm_app.state.paid_access import PaidAccessState as S

_CURRENCIES = currency_choices()


def _input(field: str, label: str, value, **props) -> rx.Component:
    return rx.input(
        value=value,
        on_change=S.set_field(field).debounce(300),
        name=field,
        id=f"paid-{field}",
        aria_label=label,
        read_only=~S.can_edit,
        width="100%",
        color_scheme=rx.cond(S.errors.get(field, "") != "", "red", "teal"),
        **props,
    )


def _no_keys() -> rx.Component:
    return rx.callout(
        rx.text(
            "Stripe is not connected for your organization yet, so visitors cannot pay. The "
            "Owner adds the keys in ",
            rx.link("Settings → Payments", href=routes.PAYMENTS, weight="medium"),
            ".",
        ),
        icon="triangle-alert",
        color_scheme="amber",
        size="1",
        width="100%",
    )


def _fields() -> rx.Component:
    return rx.grid(
        labelled(
            "Price",
            _input(
                "price",
                "Price",
                S.price,
                placeholder="9.00",
                input_mode="decimal",
                max_length=14,
            ),
            S.errors.get("price", ""),
            hint="What one pass costs, e.g. 9.00 (JPY: whole yen, e.g. 500).",
            html_for="paid-price",
        ),
        labelled(
            "Currency",
            rx.select.root(
                rx.select.trigger(width="100%", aria_label="Currency"),
                rx.select.content(
                    *[rx.select.item(label, value=code) for code, label in _CURRENCIES]
                ),
                value=S.currency,
                on_change=S.set_field("currency"),
                disabled=~S.can_edit,
                name="currency",
            ),
            S.errors.get("currency", ""),
            hint="Stripe's minimum charge applies (e.g. 0.50 USD).",
        ),
        labelled(
            "Access Duration (days)",
            _input(
                "days",
                "Access Duration (days)",
                S.days,
                placeholder="30",
                input_mode="numeric",
                max_length=6,
            ),
            S.errors.get("days", ""),
            hint="How long a pass lasts after payment.",
            html_for="paid-days",
        ),
        labelled(
            "Message Credits",
            _input(
                "credits",
                "Message Credits",
                S.credits,
                placeholder="No limit",
                input_mode="numeric",
                max_length=7,
            ),
            S.errors.get("credits", ""),
            hint="Messages a pass includes. Empty: no message limit (the days still apply).",
            html_for="paid-credits",
        ),
        columns=rx.breakpoints(initial="1", sm="2"),
        spacing="4",
        width="100%",
    )


def paid_access() -> rx.Component:
    return rx.cond(
        (Settings.access_mode == "Pay for Access") & S.loaded,
        card(
            rx.form(
                rx.vstack(
                    rx.vstack(
                        rx.heading("Paid Access Configuration", size="4", weight="bold", as_="h2"),
                        rx.text(
                            "What visitors pay to chat. A pass ends when its days are over or "
                            "its messages are used up, whichever comes first.",
                            size="2",
                            color=MUTED,
                        ),
                        spacing="1",
                        width="100%",
                    ),
                    rx.cond(~S.connected, _no_keys()),
                    _fields(),
                    rx.hstack(
                        rx.icon("eye", size=14, color=SUBTLE),
                        rx.text(
                            "Visitors see: ",
                            rx.text.strong(rx.cond(S.preview != "", S.preview, "—")),
                            size="2",
                            color=MUTED,
                        ),
                        align="center",
                        spacing="2",
                    ),
                    rx.cond(
                        S.can_edit,
                        rx.hstack(
                            rx.button("Save paid access", type="submit"),
                            justify="end",
                            width="100%",
                        ),
                    ),
                    spacing="4",
                    width="100%",
                    align="start",
                ),
                on_submit=S.save,
                reset_on_submit=False,
                width="100%",
                aria_label="Paid Access Configuration",
            ),
            padding=["16px", "20px", "24px"],
        ),
    )
