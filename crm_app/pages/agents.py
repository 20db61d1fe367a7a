"""Agents: the organization's chat agents as cards; create, rename, delete."""

from __future__ import annotations

import reflex as rx

from crm_app import routes
from crm_app.components.kit import confirm_dialog, dialog, dialog_footer, form_dialog, labelled
from crm_app.components.layout import ACCENT, dashboard, empty_state, field_error, page_header
from crm_app.services.stages import region_choices
from crm_app.state.agents import AgentsState as S
from crm_app.state.base import AppState

_REGIONS = region_choices()


# ---------------------------------------------------------------- cards


def _agent_card(agent: rx.Var) -> rx.Component:
    agent_id = agent.id
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.center(
                    rx.icon("bot", size=20, color=rx.color(ACCENT, 11)),
                    width="40px",
                    height="40px",
                    border_radius="10px",
                    background=rx.color(ACCENT, 3),
                    flex_shrink="0",
                ),
                rx.vstack(
                    rx.text(agent.name, size="4", weight="bold", trim="both"),
                    rx.text(
                        agent.public_path,
                        size="1",
                        color=rx.color("gray", 10),
                        font_family="var(--code-font-family)",
                    ),
                    spacing="1",
                    min_width="0",
                ),
                width="100%",
                align="start",
                spacing="3",
            ),
            rx.text(
                agent.welcome_message,
                size="2",
                color=rx.color("gray", 11),
                style={
                    "display": "-webkit-box",
                    "-webkit-line-clamp": "2",
                    "-webkit-box-orient": "vertical",
                    "overflow": "hidden",
                },
                min_height="2.8em",
            ),
            rx.hstack(
                rx.badge(
                    rx.icon("users", size=12),
                    agent.contacts_label,
                    variant="soft",
                    color_scheme=ACCENT,
                ),
                rx.badge(
                    rx.icon("phone", size=12),
                    agent.region_label,
                    variant="soft",
                    color_scheme="gray",
                ),
                spacing="2",
                wrap="wrap",
            ),
            rx.hstack(
                rx.link(
                    rx.button(rx.icon("contact", size=14), "Open CRM", size="2"),
                    href=agent.crm_href,
                    underline="none",
                ),
                rx.button(
                    rx.icon("share-2", size=14),
                    "Share",
                    size="2",
                    variant="soft",
                    on_click=S.start_share(agent_id),
                ),
                rx.cond(
                    S.can_manage,
                    rx.hstack(
                        rx.button(
                            "Rename",
                            size="2",
                            variant="soft",
                            color_scheme="gray",
                            on_click=S.start_rename(agent_id),
                        ),
                        rx.button(
                            "Delete",
                            size="2",
                            variant="soft",
                            color_scheme="red",
                            on_click=S.start_delete(agent_id),
                        ),
                        spacing="2",
                    ),
                ),
                spacing="2",
                width="100%",
                wrap="wrap",
                padding_top="4px",
            ),
            spacing="3",
            width="100%",
        ),
        size="3",
        width="100%",
    )


def _grid() -> rx.Component:
    return rx.grid(
        rx.foreach(S.agent_cards, _agent_card),
        columns=rx.breakpoints(initial="1", md="2", xl="3"),
        spacing="4",
        width="100%",
    )


def _empty() -> rx.Component:
    return rx.cond(
        S.can_manage,
        empty_state(
            "bot",
            "No agents yet",
            "Create your first agent — for example a receptionist bot — and every conversation and form "
            "it handles becomes a contact in its own CRM.",
            rx.button(
                rx.icon("plus", size=14), "Create agent", on_click=S.open_create, margin_top="8px"
            ),
        ),
        empty_state(
            "bot",
            "No agents yet",
            "You have not been given access to an agent. Ask an Owner or Admin of your organization to add you.",
        ),
    )


# ---------------------------------------------------------------- dialogs


def _create_dialog() -> rx.Component:
    return form_dialog(
        "Create agent",
        labelled(
            "Name",
            rx.input(
                value=S.new_name,
                on_change=S.set_new_name,
                max_length=80,
                name="name",
                placeholder="e.g. Reception",
                width="100%",
                aria_label="Name",
                auto_focus=True,
            ),
            S.create_errors.get("name", ""),
        ),
        labelled(
            "URL slug",
            rx.input(
                rx.input.slot(rx.text("/a/", size="2", color=rx.color("gray", 10))),
                value=S.new_slug,
                on_change=S.set_new_slug,
                max_length=60,
                name="slug",
                placeholder="reception",
                width="100%",
                aria_label="URL slug",
                font_family="var(--code-font-family)",
            ),
            S.create_errors.get("slug", ""),
            hint="Lower-case letters, digits and hyphens. The public chat page lives here.",
        ),
        labelled(
            "Default phone region",
            rx.select.root(
                rx.select.trigger(width="100%", aria_label="Default phone region"),
                rx.select.content(*[rx.select.item(r["label"], value=r["code"]) for r in _REGIONS]),
                value=S.new_region,
                on_change=S.set_new_region,
                name="region",
            ),
            S.create_errors.get("region", ""),
            hint="Used to read phone numbers written without a country code.",
        ),
        labelled(
            "Welcome message",
            rx.text_area(
                value=S.new_welcome,
                on_change=S.set_new_welcome,
                max_length=500,
                name="welcome_message",
                placeholder="Hi! How can I help you today?",
                rows="3",
                width="100%",
                aria_label="Welcome message",
            ),
            S.create_errors.get("welcome_message", ""),
        ),
        submit=rx.button("Create agent", type="submit"),
        on_submit=S.submit_create,
        open=S.create_open,
        on_open_change=S.set_open("create_open"),
        description="The agent gets its own CRM with the default contact fields and pipeline stages.",
    )


def _rename_dialog() -> rx.Component:
    return form_dialog(
        "Rename agent",
        labelled(
            "Name",
            rx.input(
                value=S.rename_value,
                on_change=S.set_rename_value,
                max_length=80,
                name="name",
                width="100%",
                aria_label="New name",
                auto_focus=True,
            ),
            S.rename_error,
        ),
        submit=rx.button("Save", type="submit"),
        on_submit=S.submit_rename,
        open=S.rename_open,
        on_open_change=S.set_open("rename_open"),
        max_width="440px",
    )


def _delete_dialog() -> rx.Component:
    return confirm_dialog(
        "Delete " + S.delete_name + "?",
        rx.text(
            "This permanently deletes the agent and everything in its CRM: ",
            rx.text.strong(S.delete_contacts.to_string() + " contacts"),
            " with their notes, files and activity, plus its fields, stages, forms and submissions, "
            "automations, conversations, API keys and webhooks. This cannot be undone.",
        ),
        rx.button("Delete agent", type="submit", color_scheme="red", disabled=~S.delete_ready),
        rx.text(
            "Type ", rx.text.strong(S.delete_name), " to confirm.", size="2", padding_top="16px"
        ),
        rx.input(
            value=S.delete_confirm,
            on_change=S.set_delete_confirm,
            width="100%",
            name="confirm_name",
            aria_label="Agent name to confirm",
            placeholder=S.delete_name,
            auto_complete="off",
        ),
        field_error(S.delete_error),
        on_submit=S.submit_delete,
        open=S.delete_open,
        on_open_change=S.set_open("delete_open"),
        max_width="480px",
    )


def _snippet(label: str, hint: str, value, which: str) -> rx.Component:
    return labelled(
        label,
        rx.hstack(
            rx.code(
                value,
                variant="soft",
                color_scheme="gray",
                size="1",
                style={
                    "display": "block",
                    "white_space": "pre-wrap",
                    "word_break": "break-all",
                    "padding": "8px 10px",
                    "flex": "1",
                    "min_width": "0",
                },
            ),
            rx.button(
                rx.icon("copy", size=14),
                "Copy",
                size="1",
                variant="soft",
                on_click=S.copy_snippet(which),
                aria_label="Copy " + label.lower(),
                flex_shrink="0",
            ),
            align="start",
            spacing="2",
            width="100%",
        ),
        hint=hint,
    )


def _share_dialog() -> rx.Component:
    return dialog(
        "Share " + S.share_name,
        rx.vstack(
            rx.cond(
                ~S.share_public,
                rx.callout(
                    "This agent is private: its page and widget tell visitors so until it is "
                    "made Public in Agent settings → Visibility. Team members can try it in the "
                    "Playground.",
                    icon="lock",
                    color_scheme="amber",
                    size="1",
                    width="100%",
                ),
            ),
            _snippet(
                "Chat page", "A page of its own, for links and QR codes.", S.share_link, "link"
            ),
            _snippet(
                "Chat widget",
                "Paste before </body> on your website: a chat button appears in the bottom-right corner.",
                S.share_script,
                "script",
            ),
            _snippet(
                "Inline chat (iframe)",
                "The chat inside your page, where you place it.",
                S.share_iframe,
                "iframe",
            ),
            spacing="4",
            width="100%",
        ),
        dialog_footer(cancel="Close"),
        open=S.share_open,
        on_open_change=S.set_open("share_open"),
        description="Let visitors chat with this agent on its page or on your own website.",
        max_width="600px",
    )


# ---------------------------------------------------------------- page


def page() -> rx.Component:
    return dashboard(
        page_header(
            "Agents",
            S.agents_subtitle,
            rx.cond(
                S.can_manage,
                rx.button(
                    rx.icon("plus", size=16), "Create agent", on_click=S.open_create, size="2"
                ),
            ),
        ),
        rx.cond(
            ~S.loaded,
            rx.center(rx.spinner(size="3"), padding="60px"),
            rx.cond(S.agent_cards.length() > 0, _grid(), _empty()),
        ),
        _create_dialog(),
        _rename_dialog(),
        _delete_dialog(),
        _share_dialog(),
    )


def register(app: rx.App) -> None:
    app.add_page(
        page,
        route=routes.AGENTS,
        title="Agents · Agent CRM",
        on_load=[AppState.load_shell, S.load_agents],
    )
