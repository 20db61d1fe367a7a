"""Settings → Payments (Owner only): Stripe keys for Pay for Access agents, the webhook URL
to paste into Stripe, Test connection."""

from __future__ import annotations

import reflex as rx

from crm_app import routes
from crm_app.components.kit import MUTED, SUBTLE, card, confirm_dialog, labelled
from crm_app.components.layout import dashboard, empty_state, page_header
from crm_app.state.base import AppState
from crm_app.state.payments import SECRET_INPUT_ID, WEBHOOK_INPUT_ID
from crm_app.state.payments import PaymentsState as S


def _saved_badge(saved, unreadable, text) -> rx.Component:
    return rx.cond(
        saved,
        rx.badge(
            rx.icon(rx.cond(unreadable, "triangle-alert", "key-round"), size=12),
            rx.cond(unreadable, "Saved, but cannot be read: enter it again", text),
            color_scheme=rx.cond(unreadable, "amber", "green"),
            variant="soft",
            size="2",
        ),
        rx.badge("Not set", color_scheme="gray", variant="soft", size="2"),
    )


def _secret_input(input_id: str, name: str, label: str, placeholder) -> rx.Component:
    return rx.input(
        id=input_id,
        name=name,
        type="password",
        auto_complete="off",
        placeholder=placeholder,
        aria_label=label,
        max_length=500,
        width="100%",
        on_change=S.clear_error(name),
        color_scheme=rx.cond(S.errors.get(name, "") != "", "red", "teal"),
    )


def _status() -> rx.Component:
    return rx.hstack(
        rx.cond(
            S.has_secret_key & S.has_webhook_secret,
            rx.badge(
                rx.icon("circle-check", size=12),
                rx.cond(S.mode == "live", "Connected · live mode", "Connected · test mode"),
                color_scheme=rx.cond(S.mode == "live", "green", "blue"),
                size="2",
            ),
            rx.badge(
                rx.icon("circle-dashed", size=12),
                "Not connected",
                color_scheme="amber",
                size="2",
            ),
        ),
        rx.cond(
            S.verified != "",
            rx.text("Last successful test: " + S.verified, size="1", color=SUBTLE),
        ),
        spacing="3",
        align="center",
        wrap="wrap",
    )


def _keys_card() -> rx.Component:
    return card(
        rx.form(
            rx.vstack(
                rx.hstack(
                    rx.heading("Stripe keys", size="4", as_="h2"),
                    rx.spacer(),
                    _status(),
                    width="100%",
                    align="center",
                    wrap="wrap",
                    spacing="3",
                ),
                rx.text(
                    "Visitors of Pay for Access agents pay on Stripe's own Checkout page; the "
                    "money goes to your Stripe account. Keys are stored encrypted and never "
                    "shown again.",
                    size="2",
                    color=MUTED,
                ),
                labelled(
                    "Secret key",
                    rx.vstack(
                        rx.hstack(
                            _saved_badge(S.has_secret_key, S.secret_key_unreadable, S.key_hint),
                            spacing="2",
                        ),
                        _secret_input(
                            SECRET_INPUT_ID,
                            "secret_key",
                            "Secret key",
                            rx.cond(
                                S.has_secret_key,
                                "Paste a new key to replace it",
                                "sk_test_… or sk_live_… (or a restricted key rk_…)",
                            ),
                        ),
                        spacing="2",
                        width="100%",
                    ),
                    S.errors.get("secret_key", ""),
                    hint="Stripe Dashboard → Developers → API keys. Use a test key (sk_test_…) "
                    "to try it without real money.",
                ),
                labelled(
                    "Webhook signing secret",
                    rx.vstack(
                        _saved_badge(
                            S.has_webhook_secret, S.webhook_secret_unreadable, "Saved (whsec_…)"
                        ),
                        _secret_input(
                            WEBHOOK_INPUT_ID,
                            "webhook_secret",
                            "Webhook signing secret",
                            rx.cond(
                                S.has_webhook_secret, "Paste a new secret to replace it", "whsec_…"
                            ),
                        ),
                        spacing="2",
                        width="100%",
                    ),
                    S.errors.get("webhook_secret", ""),
                    hint="Shown by Stripe when you add the endpoint below (Signing secret).",
                ),
                rx.hstack(
                    rx.cond(
                        S.has_secret_key | S.has_webhook_secret,
                        rx.button(
                            "Remove keys",
                            type="button",
                            variant="soft",
                            color_scheme="red",
                            on_click=S.set_remove_open(True),
                        ),
                    ),
                    rx.spacer(),
                    rx.button(
                        rx.cond(S.testing, rx.spinner(size="1"), rx.icon("plug-zap", size=14)),
                        rx.cond(S.testing, "Testing…", "Test connection"),
                        type="button",
                        variant="soft",
                        disabled=S.testing | ~S.has_secret_key,
                        on_click=S.test_connection,
                    ),
                    rx.button("Save keys", type="submit"),
                    width="100%",
                    spacing="3",
                    wrap="wrap",
                    justify="end",
                ),
                rx.cond(
                    S.test_message != "",
                    rx.callout(
                        S.test_message,
                        icon=rx.cond(S.test_ok, "circle-check", "circle-x"),
                        color_scheme=rx.cond(S.test_ok, "green", "red"),
                        size="1",
                        width="100%",
                        role="status",
                    ),
                ),
                spacing="4",
                width="100%",
            ),
            on_submit=S.save,
            reset_on_submit=False,
            aria_label="Stripe keys",
            width="100%",
        ),
        padding=["16px", "20px", "24px"],
    )


def _webhook_card() -> rx.Component:
    return card(
        rx.vstack(
            rx.heading("Webhook endpoint", size="4", as_="h2"),
            rx.text(
                "Access is granted only when Stripe confirms the payment to this address. In "
                "Stripe: Developers → Webhooks → Add endpoint, paste this URL and select the "
                "events checkout.session.completed, checkout.session.async_payment_succeeded "
                "and charge.refunded. Then paste the endpoint's signing secret above.",
                size="2",
                color=MUTED,
            ),
            rx.hstack(
                rx.code(
                    S.webhook_url,
                    size="2",
                    variant="soft",
                    word_break="break-all",
                    min_width="0",
                    padding="6px 8px",
                    id="stripe-webhook-url",
                ),
                rx.icon_button(
                    rx.icon("copy", size=14),
                    size="2",
                    variant="soft",
                    color_scheme="gray",
                    type="button",
                    aria_label="Copy the webhook URL",
                    on_click=[rx.set_clipboard(S.webhook_url), rx.toast.success("URL copied.")],
                ),
                align="center",
                spacing="2",
                width="100%",
            ),
            rx.text(
                "Refunds made in Stripe end the buyer's access at once.",
                size="1",
                color=SUBTLE,
            ),
            spacing="3",
            width="100%",
        ),
        padding=["16px", "20px", "24px"],
    )


def _owner_only() -> rx.Component:
    return empty_state(
        "lock",
        "Only the Owner can manage payments",
        "Stripe keys decide where your organization's money goes, so only the Owner sees and "
        "changes them. Ask your Owner if paid agents need setting up.",
    )


def page() -> rx.Component:
    return dashboard(
        page_header(
            "Payments",
            "Connect Stripe so Pay for Access agents can sell chat access.",
        ),
        rx.cond(
            S.loaded,
            rx.cond(
                S.allowed,
                rx.vstack(
                    _keys_card(),
                    _webhook_card(),
                    confirm_dialog(
                        "Remove the Stripe keys?",
                        "Paid agents stop selling until new keys are saved. Passes already "
                        "sold keep working.",
                        rx.button("Remove keys", color_scheme="red", on_click=S.remove),
                        open=S.remove_open,
                        on_open_change=S.set_remove_open,
                    ),
                    spacing="4",
                    width="100%",
                    max_width="760px",
                ),
                _owner_only(),
            ),
            rx.center(rx.spinner(size="3"), padding="60px"),
        ),
    )


def register(app: rx.App) -> None:
    app.add_page(
        page,
        route=routes.PAYMENTS,
        title="Payments · Agent CRM",
        on_load=[AppState.load_shell, S.load],
    )
