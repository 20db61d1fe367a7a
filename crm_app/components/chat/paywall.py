"""The paywall of a Pay for Access agent (view "paywall" of the public chat page and the
widget): `This Chatbot is Monetized by the Creator`, the offer in words, the buyer's email
and `Pay` (to Stripe Checkout: no card field here); renewal once a pass has ended; the
"activating your access…" wait after Stripe sends the buyer back. `pass_line` is the
paying visitor's credits and days, for the chat header. State: state/chat/paywall.py.
"""

from __future__ import annotations

import reflex as rx

from crm_app.components.chat.messages import ACCENT, avatar

_MUTED = rx.color("gray", 11)


def _activating(S) -> rx.Component:
    return rx.match(
        S.checkout_state,
        (
            "activating",
            rx.callout(
                rx.hstack(
                    rx.spinner(size="2"),
                    rx.text("Payment received — activating your access…"),
                    spacing="2",
                    align="center",
                ),
                color_scheme="green",
                size="2",
                width="100%",
                role="status",
            ),
        ),
        (
            "waiting",
            rx.callout(
                rx.hstack(
                    rx.spinner(size="2"),
                    rx.text(
                        "Finish the payment in the new tab. This chat opens by itself once "
                        "Stripe confirms it."
                    ),
                    spacing="2",
                    align="center",
                ),
                color_scheme="blue",
                size="2",
                width="100%",
                role="status",
            ),
        ),
        (
            "active_elsewhere",
            rx.callout(
                "Your access is active. Go back to the chat window where you paid, or use the "
                "email you paid with to sign in.",
                icon="circle-check",
                color_scheme="green",
                size="2",
                width="100%",
                role="status",
            ),
        ),
        (
            "revoked",
            rx.callout(
                "This payment was refunded, so it gives no access.",
                icon="circle-x",
                color_scheme="red",
                size="2",
                width="100%",
                role="status",
            ),
        ),
        (
            "slow",
            rx.callout(
                rx.text(
                    "Stripe has not confirmed the payment yet. It usually takes seconds; ",
                    rx.link("check again", on_click=S.reload_after_payment, href="#"),
                    " in a moment.",
                ),
                icon="clock",
                color_scheme="amber",
                size="2",
                width="100%",
                role="status",
            ),
        ),
        (
            "cancelled",
            rx.callout(
                "Payment cancelled. You were not charged.",
                icon="info",
                color_scheme="gray",
                size="2",
                width="100%",
                role="status",
            ),
        ),
        rx.fragment(),
    )


def _form(S) -> rx.Component:
    return rx.form(
        rx.vstack(
            rx.el.label(
                rx.text("Your Email Address", size="2", weight="medium"),
                html_for="paywall-email",
            ),
            rx.input(
                id="paywall-email",
                name="email",
                type="email",
                auto_complete="email",
                placeholder="you@example.com",
                value=S.pay_email,
                on_change=S.set_pay_email,
                size="3",
                width="100%",
                max_length=254,
                required=True,
                color_scheme=rx.cond(S.pay_error != "", "red", ACCENT),
                aria_invalid=rx.cond(S.pay_error != "", "true", "false"),
            ),
            rx.cond(
                S.pay_error != "",
                rx.text(S.pay_error, size="1", color=rx.color("red", 11), role="alert"),
                rx.text(
                    "Your receipt and access are tied to this address.", size="1", color=_MUTED
                ),
            ),
            rx.cond(
                S.checkout_url != "",
                rx.grid(  # a grid cell: Radix buttons ignore width 100% in a flex column
                    rx.button(
                        rx.el.a(
                            rx.icon("external-link", size=16),
                            "Continue to secure payment",
                            href=S.checkout_url,
                            target="_blank",
                            rel="noopener",
                        ),
                        as_child=True,
                        size="3",
                        on_click=S.checkout_opened,
                    ),
                    width="100%",
                ),
                rx.grid(
                    rx.button(
                        rx.cond(S.paying, rx.spinner(size="2"), rx.icon("lock", size=16)),
                        rx.cond(S.pay_ended != "", "Renew · ", "Pay · "),
                        S.pay_price,
                        type="submit",
                        size="3",
                        disabled=S.paying,
                        id="paywall-pay",
                    ),
                    width="100%",
                ),
            ),
            rx.text(
                "You pay on Stripe's secure page; access starts as soon as Stripe confirms "
                "the payment.",
                size="1",
                color=rx.color("gray", 10),
                text_align="center",
            ),
            spacing="2",
            width="100%",
        ),
        on_submit=S.pay,
        reset_on_submit=False,
        width="100%",
        aria_label="Pay for access",
    )


def _account(S) -> rx.Component:
    """A returning buyer signs in with the email code (state/chat/gate.py); a signed-in one
    sees who they are and can sign out."""
    return rx.cond(
        S.signed_in,
        rx.hstack(
            rx.text("Signed in as ", rx.text.strong(S.signed_in_label), size="2", color=_MUTED),
            rx.button(
                "Sign out", variant="ghost", color_scheme="gray", size="2", on_click=S.gate_sign_out
            ),
            align="center",
            spacing="2",
            wrap="wrap",
            justify="center",
        ),
        rx.button(
            "Already paid? Sign in with your email",
            variant="ghost",
            size="2",
            on_click=S.gate_show_sign_in,
        ),
    )


def paywall(S) -> rx.Component:
    """The whole paywall view (S: PublicChatState)."""
    return rx.center(
        rx.vstack(
            avatar(S, size="5"),
            rx.text(S.agent_name, size="2", weight="medium", color=_MUTED),
            rx.heading(
                "This Chatbot is Monetized by the Creator",
                as_="h1",
                size="5",
                text_align="center",
            ),
            rx.cond(
                S.pay_offer != "",
                rx.vstack(
                    rx.box(
                        rx.text(S.pay_offer, size="4", weight="bold", id="paywall-offer"),
                        padding="10px 16px",
                        border_radius="12px",
                        background=rx.color(ACCENT, 3),
                        color=rx.color(ACCENT, 12),
                        text_align="center",
                    ),
                    rx.cond(
                        S.pay_ended_text != "",
                        rx.callout(
                            S.pay_ended_text,
                            icon="timer-off",
                            color_scheme="amber",
                            size="2",
                            width="100%",
                            role="status",
                        ),
                    ),
                    _activating(S),
                    rx.cond(S.checkout_state != "activating", _form(S)),
                    spacing="4",
                    align="center",
                    width="100%",
                ),
                rx.vstack(
                    _activating(S),
                    rx.text(
                        "Access to this agent is not on sale right now. Please come back later.",
                        size="3",
                        color=_MUTED,
                        text_align="center",
                    ),
                    spacing="3",
                    width="100%",
                ),
            ),
            _account(S),
            rx.cond(
                S.closable,
                rx.button(
                    "Close", variant="soft", color_scheme="gray", on_click=S.close_embed, size="2"
                ),
            ),
            align="center",
            spacing="3",
            width="100%",
            max_width="400px",
            margin_x="auto",
            padding=["24px 18px", "40px 24px"],
        ),
        flex="1",
        width="100%",
        overflow_y="auto",
    )


def pass_line(S) -> rx.Component:
    """ "87 messages left · 29 days left" for a paying visitor (nothing otherwise)."""
    return rx.cond(
        S.pass_summary != "",
        rx.hstack(
            rx.icon("ticket", size=12, color=rx.color(ACCENT, 10)),
            rx.text(S.pass_summary, size="1", color=rx.color(ACCENT, 11), id="chat-pass-left"),
            spacing="1",
            align="center",
        ),
    )
