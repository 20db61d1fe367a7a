"""Agent settings → General: name, welcome message, phone region, avatar, public link."""

from __future__ import annotations

import reflex as rx

from crm_app.components.kit import labelled
from crm_app.pages.agent_settings.common import section, text_input
from crm_app.services.stages import region_choices
from crm_app.state.agent_settings import AgentSettingsState as S

_REGIONS = region_choices()


def _slug_row() -> rx.Component:
    return labelled(
        "Public chat link",
        rx.hstack(
            rx.code(S.public_url, size="2", variant="ghost", word_break="break-all", min_width="0"),
            rx.tooltip(
                rx.icon_button(
                    rx.icon("copy", size=14),
                    size="1",
                    variant="soft",
                    color_scheme="gray",
                    type="button",
                    aria_label="Copy the public chat link",
                    on_click=[rx.set_clipboard(S.public_url), rx.toast.success("Link copied.")],
                ),
                content="Copy",
            ),
            align="center",
            spacing="2",
            width="100%",
        ),
        hint=rx.text(
            "URL slug ",
            rx.code("/a/" + S.slug, size="1"),
            " is set when the agent is created and does not change (links already shared keep "
            "working).",
        ),
    )


def general() -> rx.Component:
    return section(
        "General",
        "How the agent introduces itself to visitors.",
        labelled(
            "Name",
            text_input("name", "Name", S.name, max_length=80),
            S.errors.get("name", ""),
        ),
        labelled(
            "Welcome message",
            rx.text_area(
                value=S.welcome_message,
                on_change=S.set_value("welcome_message"),
                name="welcome_message",
                max_length=500,
                rows="3",
                width="100%",
                aria_label="Welcome message",
                read_only=~S.can_edit,
            ),
            S.errors.get("welcome_message", ""),
            hint="The first message of every chat.",
        ),
        labelled(
            "Default phone region",
            rx.select.root(
                rx.select.trigger(
                    width="100%", max_width="360px", aria_label="Default phone region"
                ),
                rx.select.content(*[rx.select.item(r["label"], value=r["code"]) for r in _REGIONS]),
                value=S.phone_region,
                on_change=S.set_value("phone_region"),
                disabled=~S.can_edit,
            ),
            S.errors.get("phone_region", ""),
            hint="Phone numbers visitors write without a country code are read as numbers of "
            "this region.",
        ),
        labelled(
            "Avatar URL (optional)",
            rx.hstack(
                rx.avatar(
                    src=S.avatar_url,
                    fallback=S.agent_name[:1].upper(),
                    size="3",
                    radius="full",
                    flex_shrink="0",
                ),
                text_input(
                    "avatar_url",
                    "Avatar URL",
                    S.avatar_url,
                    max_length=500,
                    placeholder="https://example.com/avatar.png",
                    type="url",
                ),
                align="center",
                spacing="3",
                width="100%",
            ),
            S.errors.get("avatar_url", ""),
            hint="An https:// address of a square image. Empty: the agent's initial.",
        ),
        _slug_row(),
        on_submit=S.save_general,
        label="Save general",
    )
