"""Agent settings → Reply engine: offline or an OpenAI-compatible provider (URL, model, key)."""

from __future__ import annotations

import reflex as rx

from crm_app.components.kit import MUTED, SUBTLE, labelled
from crm_app.components.layout import field_error
from crm_app.pages.agent_settings.common import choice, section, text_input
from crm_app.state.agent_settings import KEY_INPUT_ID, TYPED_KEY
from crm_app.state.agent_settings import AgentSettingsState as S


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
            text_input(
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
            text_input(
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


def engine() -> rx.Component:
    return section(
        "Reply engine",
        "What writes the agent's replies and fills contacts from the chat.",
        rx.radio_group.root(
            rx.vstack(
                choice(
                    "offline",
                    "Offline (built in, no network)",
                    "Greets, answers from your revised answers and captures contact details. "
                    "No data leaves this server.",
                ),
                choice(
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
