"""Agent → Agent settings: General, Visibility, Reply engine (each saved on its own)."""

from __future__ import annotations

import reflex as rx

from crm_app import routes
from crm_app.components.kit import MUTED, SUBTLE, agent_screen, card, labelled, read_only_notice
from crm_app.components.layout import dashboard, field_error, page_header
from crm_app.services.stages import region_choices
from crm_app.state.agent_settings import KEY_INPUT_ID, TYPED_KEY
from crm_app.state.agent_settings import AgentSettingsState as S
from crm_app.state.base import AppState

_REGIONS = region_choices()
_MODE_NOTES = {
    "Restrict": "Only contacts of this CRM could chat, after an emailed code.",
    "Pay for Access": "Only visitors with a paid subscription could chat.",
}


def _section(title: str, text: str, *children: rx.Component, on_submit, label: str):
    return card(
        rx.form(
            rx.vstack(
                rx.vstack(
                    rx.heading(title, size="4", weight="bold", as_="h2"),
                    rx.text(text, size="2", color=MUTED),
                    spacing="1",
                    width="100%",
                ),
                *children,
                rx.cond(
                    S.can_edit,
                    rx.hstack(rx.button(label, type="submit"), justify="end", width="100%"),
                ),
                spacing="4",
                width="100%",
                align="start",
            ),
            on_submit=on_submit,
            reset_on_submit=False,
            width="100%",
            aria_label=title,
        ),
        padding=["16px", "20px", "24px"],
    )


def _text_input(field: str, label: str, value, **props) -> rx.Component:
    return rx.input(
        value=value,
        on_change=S.set_value(field),
        name=field,
        width="100%",
        aria_label=label,
        read_only=~S.can_edit,
        **props,
    )


def _choice(value: str, title: str, text, disabled=False) -> rx.Component:
    return rx.el.label(
        rx.hstack(
            rx.radio_group.item(value=value, disabled=disabled, aria_label=title),
            rx.vstack(
                rx.text(title, size="2", weight="medium"),
                rx.text(text, size="1", color=SUBTLE),
                spacing="0",
            ),
            align="start",
            spacing="2",
        ),
        cursor="default" if disabled else rx.cond(S.can_edit, "pointer", "default"),
    )


# ---------------------------------------------------------------- General


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


def _general() -> rx.Component:
    return _section(
        "General",
        "How the agent introduces itself to visitors.",
        labelled(
            "Name",
            _text_input("name", "Name", S.name, max_length=80),
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
                _text_input(
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


# ---------------------------------------------------------------- Visibility


def _mode() -> rx.Component:
    return rx.vstack(
        rx.text("Access", size="2", weight="medium"),
        rx.radio_group.root(
            rx.vstack(
                _choice("Use for Free", "Use for Free", "Anyone with the link can chat."),
                rx.cond(
                    S.gated_mode != "",
                    _choice(
                        S.gated_mode,
                        S.gated_mode,
                        "Not available on this screen yet.",
                        disabled=True,
                    ),
                ),
                spacing="2",
            ),
            value=S.access_mode,
            on_change=S.set_value("access_mode"),
            disabled=~S.can_edit,
            name="access_mode",
        ),
        rx.cond(
            S.gated_mode != "",
            rx.callout(
                rx.text(
                    "This agent is set to ",
                    rx.text.strong(S.gated_mode),
                    ". Until that mode arrives, its public page tells visitors it is not open "
                    "to the public.",
                    rx.cond(S.can_edit, " Choose Use for Free to open it to anyone.", ""),
                ),
                icon="info",
                color_scheme="amber",
                size="1",
                width="100%",
            ),
        ),
        field_error(S.errors.get("access_mode", "")),
        spacing="2",
        width="100%",
        padding_left="26px",
    )


def _visibility() -> rx.Component:
    return _section(
        "Visibility",
        "Who can chat with this agent.",
        rx.radio_group.root(
            rx.vstack(
                _choice("Private", "Private", "Only members, in the Playground."),
                _choice("Public", "Public", "Visitors chat on the public chat link."),
                spacing="3",
            ),
            value=S.visibility,
            on_change=S.set_value("visibility"),
            disabled=~S.can_edit,
            name="visibility",
            aria_label="Visibility",
        ),
        field_error(S.errors.get("visibility", "")),
        rx.cond(S.visibility == "Public", _mode()),
        on_submit=S.save_visibility,
        label="Save visibility",
    )


# ---------------------------------------------------------------- Reply engine


def _key_field() -> rx.Component:
    saved = rx.hstack(
        rx.badge(
            rx.icon(rx.cond(S.api_key_unreadable, "triangle-alert", "key-round"), size=12),
            rx.cond(S.api_key_unreadable, "The saved key cannot be read", "A key is saved"),
            color_scheme=rx.cond(S.api_key_unreadable, "amber", "green"),
            variant="soft",
            size="2",
        ),
        rx.cond(
            S.can_edit,
            rx.hstack(
                rx.button(
                    "Replace",
                    type="button",
                    size="1",
                    variant="soft",
                    on_click=S.set_key_action("replace"),
                ),
                rx.button(
                    "Remove",
                    type="button",
                    size="1",
                    variant="soft",
                    color_scheme="red",
                    on_click=S.set_key_action("remove"),
                ),
                spacing="2",
            ),
        ),
        align="center",
        spacing="3",
        wrap="wrap",
    )
    removing = rx.hstack(
        rx.text("The saved key will be removed when you save.", size="2", color=MUTED),
        rx.button(
            "Keep it", type="button", size="1", variant="soft", on_click=S.set_key_action("keep")
        ),
        align="center",
        spacing="3",
        wrap="wrap",
    )
    typing = rx.hstack(
        rx.input(
            id=KEY_INPUT_ID,
            name="llm_api_key",
            type="password",
            auto_complete="new-password",
            placeholder=rx.cond(S.has_api_key, "Paste the new key", "Paste the key (optional)"),
            aria_label="API key",
            max_length=500,
            read_only=~S.can_edit,
            width="100%",
            flex="1 1 240px",
        ),
        rx.cond(
            S.has_api_key,
            rx.button(
                "Cancel",
                type="button",
                size="2",
                variant="soft",
                color_scheme="gray",
                on_click=S.set_key_action("keep"),
            ),
        ),
        width="100%",
        align="center",
        wrap="wrap",
    )
    return labelled(
        "API key",
        rx.cond(
            S.key_action == "remove",
            removing,
            rx.cond(S.key_input_shown, typing, saved),
        ),
        S.errors.get("llm_api_key", ""),
        hint=rx.cond(
            S.env_key_set,
            "Stored encrypted and never shown again. Empty: the server's CRM_LLM_API_KEY.",
            "Stored encrypted and never shown again. Local servers (Ollama, vLLM, llama.cpp) "
            "need none.",
        ),
    )


def _test_result() -> rx.Component:
    return rx.cond(
        S.test_message != "",
        rx.callout(
            S.test_message,
            icon=rx.cond(S.test_ok, "circle-check", "circle-x"),
            color_scheme=rx.cond(S.test_ok, "green", "red"),
            size="1",
            width="100%",
            role="status",
        ),
    )


def _provider() -> rx.Component:
    return rx.vstack(
        labelled(
            "Base URL",
            _text_input(
                "llm_base_url",
                "Base URL",
                S.llm_base_url,
                max_length=300,
                placeholder=S.base_url_placeholder,
                type="url",
            ),
            S.errors.get("llm_base_url", ""),
            hint="The chat-completions API, e.g. http://localhost:11434/v1 for Ollama. "
            "Empty: the server's CRM_LLM_BASE_URL (or OpenAI's own API).",
        ),
        labelled(
            "Model",
            _text_input(
                "llm_model", "Model", S.llm_model, max_length=100, placeholder=S.model_placeholder
            ),
            S.errors.get("llm_model", ""),
            hint="Empty: the server's CRM_LLM_MODEL.",
        ),
        _key_field(),
        rx.cond(
            S.can_edit,
            rx.hstack(
                rx.button(
                    rx.cond(S.testing, rx.spinner(size="1"), rx.icon("plug-zap", size=14)),
                    rx.cond(S.testing, "Testing…", "Test connection"),
                    type="button",
                    variant="soft",
                    disabled=S.testing,
                    on_click=S.test_connection(TYPED_KEY),
                ),
                rx.text(
                    "Sends one short message with the values above (saved or not).",
                    size="1",
                    color=SUBTLE,
                ),
                align="center",
                spacing="3",
                wrap="wrap",
            ),
        ),
        _test_result(),
        spacing="4",
        width="100%",
        padding_left=["0", "26px"],
    )


def _engine() -> rx.Component:
    return _section(
        "Reply engine",
        "What writes the agent's replies and fills contacts from the chat.",
        rx.radio_group.root(
            rx.vstack(
                _choice(
                    "offline",
                    "Offline (built in, no network)",
                    "Greets, answers from your revised answers and captures contact details. "
                    "No data leaves this server.",
                ),
                _choice(
                    "openai",
                    "OpenAI-compatible provider",
                    "Any chat-completions server: hosted APIs, Ollama, vLLM, llama.cpp.",
                ),
                spacing="3",
            ),
            value=S.llm_provider,
            on_change=S.set_value("llm_provider"),
            disabled=~S.can_edit,
            name="llm_provider",
            aria_label="Reply engine",
        ),
        field_error(S.errors.get("llm_provider", "")),
        rx.cond(S.llm_provider == "openai", _provider()),
        on_submit=S.save_engine,
        label="Save reply engine",
    )


# ---------------------------------------------------------------- page


def _content() -> rx.Component:
    return rx.vstack(
        rx.cond(
            ~S.can_edit,
            read_only_notice(
                "You can view these settings. Only Owners and Admins can change them."
            ),
        ),
        _general(),
        _visibility(),
        _engine(),
        spacing="4",
        width="100%",
        max_width="760px",
    )


def page() -> rx.Component:
    return dashboard(
        page_header(
            "Agent settings",
            rx.cond(
                S.agent_name != "",
                S.agent_name + ": its name and greeting, who can chat with it, and what replies.",
                "The agent's name and greeting, who can chat with it, and what replies.",
            ),
        ),
        agent_screen(S.loaded, S.load_error, _content()),
    )


def register(app: rx.App) -> None:
    app.add_page(
        page,
        route=routes.AGENT_SETTINGS,
        title="Agent settings · Agent CRM",
        on_load=[AppState.load_shell, S.load],
    )
