"""Test connection: one tiny chat request through the chat's own engine
(`crm_app.agent.engine_for`), and the provider's failure in plain words (timeout, refused
key, unknown model, unreachable).

A network call: callers read the config in one transaction (agent_settings.
provider_test_config), close it, and only then call `test_provider`.
"""

from __future__ import annotations

from dataclasses import dataclass

from crm_app.agent.base import ChatMessage, EngineConfig, EngineError, TextDelta, Turn

TEST_TIMEOUT = 15.0  # seconds the Test connection button waits for the provider
PROMPT = "Reply with the single word OK."


@dataclass(frozen=True)
class ProviderCheck:
    ok: bool
    message: str


def test_provider(config: EngineConfig) -> ProviderCheck:
    """One tiny chat request through the chat's own engine. Never call it inside a
    database transaction (it waits for the network)."""
    from crm_app.agent import engine_for

    engine = engine_for(config)
    model = getattr(engine, "model", "") or config.model
    turn = Turn(
        agent_name="Connection test",
        welcome_message="",
        phone_region="US",
        fields=(),
        known={},
        history=(ChatMessage("visitor", PROMPT),),
    )
    try:
        text = "".join(c.text for c in engine.reply(turn) if isinstance(c, TextDelta))
    except EngineError as error:
        return ProviderCheck(
            False, explain(error, model, getattr(engine, "base_url", ""), config.timeout)
        )
    answer = " ".join(text.split())
    if len(answer) > 80:
        answer = answer[:79] + "…"
    return ProviderCheck(True, f"Connected: {model} answered “{answer}”.")


def explain(error: EngineError, model: str, base_url: str, timeout: float = TEST_TIMEOUT) -> str:
    """A provider failure in plain words for the team."""
    import openai

    cause = error.__cause__
    where = base_url or "the default address (OpenAI)"
    if isinstance(cause, openai.APITimeoutError):
        return f"Timed out: {where} did not answer within {timeout:g} seconds."
    if isinstance(cause, openai.APIStatusError):
        status = cause.status_code
        detail = _provider_message(cause)
        if status in (401, 403):
            return f"The provider refused the API key (HTTP {status}): {detail}"
        if status == 404 or (status == 400 and "model" in detail.lower()):
            return (
                f"Unknown model “{model}”, or the base URL is not a chat-completions API "
                f"(HTTP {status}): {detail}"
            )
        if status == 429:
            return f"The provider is rate limiting this key or its quota is used up (HTTP 429): {detail}"
        return f"The provider answered HTTP {status}: {detail}"
    if isinstance(cause, openai.APIConnectionError):
        return f"Unreachable: could not connect to {where}. Check the address and that the server is running."
    return error.detail


def _provider_message(error) -> str:
    body = getattr(error, "body", None)
    message = ""
    if isinstance(body, dict):
        inner = body.get("error", body)
        message = inner.get("message", "") if isinstance(inner, dict) else str(inner)
    message = " ".join(str(message or error.message or "").split())
    return message[:200] or "no details given."
