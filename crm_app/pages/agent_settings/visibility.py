"""Agent settings → Visibility: Private or Public, a public agent's access mode (chosen in
the `Make your chatbot public?` dialog), and a Restrict agent's rule: which contacts of the
CRM may sign in and chat, shown in plain words."""

from __future__ import annotations

import reflex as rx

from crm_app.components.kit import MUTED, SUBTLE, card, confirm_dialog, dialog, dialog_footer
from crm_app.components.layout import ACCENT, field_error
from crm_app.pages.agent_settings.common import choice
from crm_app.services.agent_settings import MODE_TEXT
from crm_app.services.gate.rules import ALLOWED_STATUSES
from crm_app.state.agent_settings import AgentSettingsState as S

MODE_ICON = {"Use for Free": "globe", "Restrict": "shield-check", "Pay for Access": "credit-card"}


def _mode_value(mapping: dict[str, str], default: str):
    return rx.match(S.access_mode, *[(k, v) for k, v in mapping.items()], default)


# ---------------------------------------------------------------- the dialogs


def _mode_card(mode: str) -> rx.Component:
    return rx.radio_cards.item(
        rx.hstack(
            rx.center(
                rx.icon(MODE_ICON[mode], size=18, color=rx.color(ACCENT, 11)),
                width="36px",
                height="36px",
                flex_shrink="0",
                border_radius="999px",
                background=rx.color(ACCENT, 3),
            ),
            rx.vstack(
                rx.text(mode, size="2", weight="bold"),
                rx.text(MODE_TEXT[mode], size="2", color=MUTED),
                spacing="1",
                align="start",
            ),
            spacing="3",
            align="center",
            width="100%",
        ),
        value=mode,
        aria_label=mode,
        justify_content="start",
        padding="12px 14px",
    )


def _public_dialog() -> rx.Component:
    return dialog(
        "Make your chatbot public?",
        rx.radio_cards.root(
            *[_mode_card(mode) for mode in MODE_TEXT],
            value=S.pending_mode,
            on_value_change=S.set_pending_mode,
            columns="1",
            gap="2",
            aria_label="Access mode",
        ),
        rx.text(
            "You can change this at any time; visitors chatting now are checked again on their "
            "next message.",
            size="1",
            color=SUBTLE,
            padding_top="12px",
        ),
        dialog_footer(
            rx.button(
                rx.cond(S.visibility == "Public", "Save access", "Make public"),
                type="button",
                on_click=S.make_public(""),
            )
        ),
        open=S.public_open,
        on_open_change=S.set_open("public_open"),
        description="Choose who can chat with it on its public link and website widget.",
        max_width="540px",
    )


def _private_dialog() -> rx.Component:
    return confirm_dialog(
        "Make your chatbot private?",
        "Visitors can no longer chat with it, signed in or not. Members still can, in the "
        "Playground.",
        rx.button("Make private", type="button", color_scheme="red", on_click=S.make_private),
        open=S.private_open,
        on_open_change=S.set_open("private_open"),
    )


# ---------------------------------------------------------------- the access mode


def _access_summary() -> rx.Component:
    return rx.hstack(
        rx.center(
            rx.match(
                S.access_mode,
                *[
                    (m, rx.icon(i, size=18, color=rx.color(ACCENT, 11)))
                    for m, i in MODE_ICON.items()
                ],
                rx.icon("globe", size=18, color=rx.color(ACCENT, 11)),
            ),
            width="36px",
            height="36px",
            flex_shrink="0",
            border_radius="999px",
            background=rx.color(ACCENT, 3),
        ),
        rx.vstack(
            rx.text(rx.text.span("Access: ", color=MUTED), rx.text.strong(S.access_mode), size="2"),
            rx.text(_mode_value(MODE_TEXT, ""), size="2", color=MUTED),
            spacing="0",
            flex="1 1 220px",
            min_width="0",
        ),
        rx.cond(
            S.can_edit,
            rx.button(
                "Change access",
                type="button",
                variant="soft",
                size="2",
                on_click=S.choose_visibility("Public"),
            ),
        ),
        align="center",
        spacing="3",
        width="100%",
        wrap="wrap",
        padding="12px",
        border_radius="10px",
        background=rx.color("gray", 2),
        border=f"1px solid {rx.color('gray', 4)}",
        id="visibility-access",
    )


def _paid_note() -> rx.Component:
    # Missing Stripe keys are said once, in Paid Access Configuration (paid_access.py).
    return rx.text(
        "Visitors pay on Stripe Checkout before they chat. Payments and refunds are listed on ",
        rx.link("Subscriptions", href=S.subscriptions_path),
        ".",
        size="2",
        color=MUTED,
    )


# ---------------------------------------------------------------- the Restrict rule


def _check(label, checked, on_toggle, name) -> rx.Component:
    return rx.el.label(
        rx.hstack(
            rx.checkbox(
                checked=checked,
                on_change=lambda _v: on_toggle,
                disabled=~S.can_edit,
                aria_label=name,
            ),
            rx.text(label, size="2"),
            spacing="2",
            align="center",
        ),
        cursor=rx.cond(S.can_edit, "pointer", "default"),
        padding="6px 10px",
        border_radius="8px",
        border=f"1px solid {rx.color('gray', 5)}",
        background=rx.cond(checked, rx.color(ACCENT, 2), rx.color("gray", 1)),
    )


def _rule_editor() -> rx.Component:
    statuses = rx.hstack(
        *[
            _check(
                status,
                S.rule_statuses.contains(status),
                S.toggle_status(status),
                f"Status {status}",
            )
            for status in ALLOWED_STATUSES
        ],
        spacing="2",
        wrap="wrap",
    )
    stages = rx.hstack(
        rx.foreach(
            S.stage_choices,
            lambda c: _check(
                c.name, S.rule_stage_ids.contains(c.id), S.toggle_stage(c.id), "Stage " + c.name
            ),
        ),
        spacing="2",
        wrap="wrap",
    )
    return rx.vstack(
        rx.vstack(
            rx.text("Who can sign in and chat", size="3", weight="bold"),
            rx.text(
                "Visitors sign in with a code sent to their email. Only contacts of this agent "
                "that match these choices get in; archived and Blocked contacts never do. "
                "A contact moved out of them loses access on their next message.",
                size="2",
                color=MUTED,
            ),
            spacing="1",
        ),
        rx.vstack(
            rx.text("Contact status", size="2", weight="medium"),
            statuses,
            field_error(S.errors.get("statuses", "")),
            spacing="1",
            width="100%",
        ),
        rx.vstack(
            rx.text("Stage", size="2", weight="medium"),
            stages,
            rx.text("None chosen: contacts in any stage.", size="1", color=SUBTLE),
            field_error(S.errors.get("stage_ids", "")),
            spacing="1",
            width="100%",
        ),
        rx.callout(
            rx.cond(S.can_edit, S.rule_preview, S.gate_description),
            icon="users",
            color_scheme=ACCENT,
            size="2",
            width="100%",
            id="gate-rule-words",
            role="status",
        ),
        rx.cond(
            S.can_edit & S.rule_changed,
            rx.hstack(
                rx.button(
                    "Discard",
                    type="button",
                    variant="soft",
                    color_scheme="gray",
                    on_click=S.reset_rule,
                ),
                rx.button("Save rule", type="button", on_click=S.save_rule),
                justify="end",
                spacing="3",
                width="100%",
            ),
        ),
        spacing="4",
        width="100%",
        padding="16px",
        border_radius="10px",
        border=f"1px solid {rx.color('gray', 5)}",
        aria_label="Who can sign in and chat",
        role="group",
    )


# ---------------------------------------------------------------- the section


def visibility() -> rx.Component:
    return card(
        rx.vstack(
            rx.vstack(
                rx.heading("Visibility", size="4", weight="bold", as_="h2"),
                rx.text("Who can chat with this agent.", size="2", color=MUTED),
                spacing="1",
                width="100%",
            ),
            rx.radio_group.root(
                rx.vstack(
                    choice("Private", "Private", "Only members, in the Playground."),
                    choice("Public", "Public", "Visitors chat on the public chat link."),
                    spacing="3",
                ),
                value=S.visibility,
                on_change=S.choose_visibility,
                disabled=~S.can_edit,
                name="visibility",
                aria_label="Visibility",
            ),
            field_error(S.errors.get("visibility", "")),
            field_error(S.errors.get("access_mode", "")),
            rx.cond(
                S.visibility == "Public",
                rx.vstack(
                    _access_summary(),
                    rx.cond(S.access_mode == "Restrict", _rule_editor()),
                    rx.cond(S.access_mode == "Pay for Access", _paid_note()),
                    spacing="4",
                    width="100%",
                ),
            ),
            _public_dialog(),
            _private_dialog(),
            spacing="4",
            width="100%",
            align="start",
        ),
        padding=["16px", "20px", "24px"],
        role="region",
        aria_label="Visibility",
    )
