"""An agent's settings screen: general (name, welcome message, phone region, avatar),
visibility, and the reply engine (offline, or an OpenAI-compatible provider).

- `get_agent_settings` is what the screen shows (any member who works in the agent; only
  Admin+ may change it). It never contains the API key: only whether one is saved.
- `update_agent_settings` changes any of them (Admin+), every field checked with a message
  of its own, one audit entry naming what changed (never the key).
- The provider API key is sealed at rest (services/secret_box.py) and unsealed only by
  `engine_config`, which the chat turn uses to build its engine, and `provider_test_config`.
- `provider_test_config` is the form's provider settings, checked, for the Test connection
  button; services/provider_check.py sends the request outside any transaction.
- A Restrict agent's rule (which contacts may chat) is changed by
  services/gate/rule_settings.py and shown here (`gate_*`) in plain words.

Visibility and access mode (PRODUCT.md §9) take effect at once: every visitor message reads
the agent again (services/gate/access.py), so no cache needs telling.
"""

from __future__ import annotations

import os
from urllib.parse import urlsplit

from sqlmodel import Session, select

from crm_app.agent.base import EngineConfig
from crm_app.models import Agent, Stage
from crm_app.services import agents as agent_rules
from crm_app.services import audit, provider_check, secret_box
from crm_app.services.access import Actor, require_agent
from crm_app.services.errors import ValidationError, ValidationErrors
from crm_app.services.gate import rules
from crm_app.services.stages import region_name

VISIBILITIES = ("Private", "Public")
ACCESS_MODES = ("Use for Free", "Restrict", "Pay for Access")
EDITABLE_MODES = ACCESS_MODES
GATED_MODES = ("Restrict", "Pay for Access")
# What the `Make your chatbot public?` dialog says of each mode.
MODE_TEXT = {
    "Use for Free": "Anyone can use the chatbot, with no restrictions or authentication.",
    "Restrict": "Access is restricted: only users from your CRM can use this chatbot.",
    "Pay for Access": "Access is restricted: only users with a paid chatbot subscription can "
    "use it.",
}
ENGINES = {"offline": "Offline (built in, no network)", "openai": "OpenAI-compatible provider"}
KEY_ACTIONS = ("keep", "replace", "remove")

AVATAR_MAX = 500
BASE_URL_MAX = 300
MODEL_MAX = 100
KEY_MAX = 500  # sealed, it is at most 767 characters: the column holds 1000


ENV_BASE_URL = "CRM_LLM_BASE_URL"
ENV_MODEL = "CRM_LLM_MODEL"
ENV_KEY = "CRM_LLM_API_KEY"

MSG_AVATAR = "Use an https:// address of an image, up to 500 characters (or leave it empty)."
MSG_VISIBILITY = "Choose Private or Public."
MSG_MODE = "Choose Use for Free, Restrict or Pay for Access."
MSG_ENGINE = "Choose Offline or OpenAI-compatible provider."
MSG_BASE_URL = "Use an http:// or https:// address, up to 300 characters (or leave it empty)."
MSG_BASE_URL_CREDENTIALS = "Put the key in API key, not in the address."
MSG_MODEL = "Enter a model name of up to 100 characters, without spaces."
MSG_MODEL_NEEDED = f"Enter a model: {ENV_MODEL} is not set on this server."
MSG_KEY = "Paste the API key: one line of up to 500 characters, without spaces."
MSG_KEY_ACTION = "Choose whether to keep, replace or remove the saved key."


# ---------------------------------------------------------------- reading


def get_agent_settings(session: Session, actor: Actor, agent_id: int) -> dict:
    """What the settings screen shows (any member who works in the agent)."""
    agent = require_agent(session, actor, agent_id)
    return view(session, agent, actor)


def view(session: Session, agent: Agent, actor: Actor) -> dict:
    """The screen's view of `agent` (checked by the caller)."""
    stored = agent.llm_api_key or ""
    rule = rules.rule_of(agent)
    return {
        "id": agent.id,
        "name": agent.name,
        "slug": agent.slug,
        "public_path": f"/a/{agent.slug}",
        "welcome_message": agent.welcome_message,
        "phone_region": agent.phone_region,
        "region_label": f"{agent.phone_region} — {region_name(agent.phone_region)}",
        "avatar_url": agent.avatar_url or "",
        "visibility": agent.visibility,
        "access_mode": agent.access_mode,
        "gated_mode": agent.access_mode if agent.access_mode in GATED_MODES else "",
        "gate_statuses": list(rule.statuses),
        "gate_stage_ids": list(rule.stage_ids),
        "gate_description": rules.describe(session, agent),
        "stages": _stages(session, agent.id),
        "llm_provider": "openai" if agent.llm_provider == "openai" else "offline",
        "llm_base_url": agent.llm_base_url or "",
        "llm_model": agent.llm_model or "",
        "has_api_key": bool(stored),
        "api_key_unreadable": not secret_box.readable(stored),
        "env_base_url": os.environ.get(ENV_BASE_URL, ""),
        "env_model": os.environ.get(ENV_MODEL, ""),
        "env_key_set": bool(os.environ.get(ENV_KEY)),
        "can_edit": actor.is_admin,
    }


def _stages(session: Session, agent_id: int) -> list[dict]:
    query = select(Stage.id, Stage.name).where(Stage.agent_id == agent_id)
    return [{"id": i, "name": n} for i, n in session.exec(query.order_by(Stage.position, Stage.id))]


def engine_config(agent: Agent) -> dict:
    """The agent's engine settings as `EngineConfig` keywords, the API key unsealed (an
    unreadable key counts as none: the environment's CRM_LLM_API_KEY is used)."""
    return {
        "provider": agent.llm_provider,
        "base_url": agent.llm_base_url,
        "model": agent.llm_model,
        "api_key": secret_box.unseal(agent.llm_api_key) or "",
    }


# ---------------------------------------------------------------- checks


def _text_url(raw: str | None, schemes: tuple[str, ...], limit: int, message: str, field: str):
    value = (raw or "").strip()
    if not value:
        return ""
    if len(value) > limit or any(c.isspace() for c in value):
        raise ValidationError(message, field=field)
    try:
        parts = urlsplit(value)
        port_ok = parts.port is None or 0 < parts.port < 65536
    except ValueError:
        raise ValidationError(message, field=field) from None
    if parts.scheme.lower() not in schemes or not parts.hostname or not port_ok:
        raise ValidationError(message, field=field)
    if parts.username or parts.password:
        raise ValidationError(
            MSG_BASE_URL_CREDENTIALS if field == "llm_base_url" else message, field=field
        )
    return value


def _avatar(raw: str | None) -> str:
    return _text_url(raw, ("https",), AVATAR_MAX, MSG_AVATAR, "avatar_url")


def _base_url(raw: str | None) -> str:
    return _text_url(raw, ("http", "https"), BASE_URL_MAX, MSG_BASE_URL, "llm_base_url")


def _model(raw: str | None) -> str:
    value = (raw or "").strip()
    if len(value) > MODEL_MAX or any(c.isspace() or not c.isprintable() for c in value):
        raise ValidationError(MSG_MODEL, field="llm_model")
    return value


def _key(raw: str | None) -> str:
    value = (raw or "").strip()
    if not value or len(value) > KEY_MAX or not all(c.isprintable() and c.isascii() for c in value):
        raise ValidationError(MSG_KEY, field="llm_api_key")
    if any(c.isspace() for c in value):
        raise ValidationError(MSG_KEY, field="llm_api_key")
    return value


def _collect(checks: list) -> dict:
    """Run each (field, check) and raise every failure at once (in the screen's order)."""
    values, errors = {}, []
    for name, check in checks:
        try:
            values[name] = check()
        except ValidationError as error:
            errors.append(error)
    if errors:
        raise ValidationErrors(errors)
    return values


# ---------------------------------------------------------------- writing

_UNSET = object()


def update_agent_settings(
    session: Session,
    actor: Actor,
    agent_id: int,
    *,
    name: str | None = None,
    welcome_message: str | None = None,
    phone_region: str | None = None,
    avatar_url: str | None = None,
    visibility: str | None = None,
    access_mode: str | None = None,
    llm_provider: str | None = None,
    llm_base_url: str | None = None,
    llm_model: str | None = None,
    api_key_action: str = "keep",
    api_key: str | None = None,
) -> dict:
    """Change any of the settings (None: unchanged). `api_key_action` "replace" stores
    `api_key` (sealed), "remove" clears the saved key, "keep" leaves it. Admin+."""
    agent = require_agent(session, actor, agent_id, "Admin")
    checks: list = []
    if name is not None:
        checks.append(("name", lambda: agent_rules._name(name)))
    if welcome_message is not None:
        checks.append(("welcome_message", lambda: _welcome(welcome_message)))
    if phone_region is not None:
        checks.append(("phone_region", lambda: _region(phone_region)))
    if avatar_url is not None:
        checks.append(("avatar_url", lambda: _avatar(avatar_url)))
    if visibility is not None:
        checks.append(
            ("visibility", lambda: _choice(visibility, VISIBILITIES, MSG_VISIBILITY, "visibility"))
        )
    if access_mode is not None:
        checks.append(("access_mode", lambda: _mode(agent, access_mode)))
    if llm_provider is not None:
        checks.append(
            (
                "llm_provider",
                lambda: _choice(llm_provider, tuple(ENGINES), MSG_ENGINE, "llm_provider"),
            )
        )
    if llm_base_url is not None:
        checks.append(("llm_base_url", lambda: _base_url(llm_base_url)))
    if llm_model is not None:
        checks.append(("llm_model", lambda: _model(llm_model)))
    if api_key_action not in KEY_ACTIONS:
        raise ValidationError(MSG_KEY_ACTION, field="llm_api_key")
    if api_key_action == "replace":
        checks.append(("api_key", lambda: _key(api_key)))
    values = _collect(checks)
    provider = values.get("llm_provider", agent.llm_provider)
    model = values.get("llm_model", agent.llm_model)
    engine_touched = "llm_provider" in values or "llm_model" in values
    if engine_touched and provider == "openai" and not model and not os.environ.get(ENV_MODEL):
        raise ValidationError(MSG_MODEL_NEEDED, field="llm_model")

    changes = _apply(agent, values)
    if api_key_action == "replace":
        agent.llm_api_key = secret_box.seal(values["api_key"])
        changes.append("API key replaced")
    elif api_key_action == "remove" and agent.llm_api_key:
        agent.llm_api_key = ""
        changes.append("API key removed")
    if changes:
        session.add(agent)
        session.flush()
        audit.record(
            session,
            actor,
            "Update",
            "Agent",
            f"Updated the settings of the agent {agent.name}: " + "; ".join(changes),
        )
    return view(session, agent, actor)


def _welcome(raw: str) -> str:
    try:
        return agent_rules._welcome(raw)
    except ValidationError as error:
        raise ValidationError(error.message, field="welcome_message") from None


def _region(raw: str) -> str:
    try:
        return agent_rules._region(raw)
    except ValidationError as error:
        raise ValidationError(error.message, field="phone_region") from None


def _choice(raw: str, allowed: tuple[str, ...], message: str, field: str) -> str:
    if raw not in allowed:
        raise ValidationError(message, field=field)
    return raw


def _mode(agent: Agent, raw: str) -> str:
    if raw in ACCESS_MODES:
        return raw
    raise ValidationError(MSG_MODE, field="access_mode")


_LABELS = {
    "name": "name",
    "welcome_message": "welcome message",
    "phone_region": "phone region",
    "avatar_url": "avatar",
    "visibility": "visibility",
    "access_mode": "access mode",
    "llm_provider": "reply engine",
    "llm_base_url": "provider base URL",
    "llm_model": "model",
}
_SHOWN = {"name", "phone_region", "visibility", "access_mode", "llm_model", "llm_base_url"}


def _apply(agent: Agent, values: dict) -> list[str]:
    changes = []
    for field, label in _LABELS.items():
        if field not in values or values[field] == getattr(agent, field):
            continue
        old, new = getattr(agent, field), values[field]
        if field == "llm_provider":
            changes.append(f"reply engine {_engine_name(old)} → {_engine_name(new)}")
        elif field in _SHOWN:
            changes.append(f"{label} {old or '(empty)'} → {new or '(empty)'}")
        else:
            changes.append(label)
        setattr(agent, field, new)
    return changes


def _engine_name(provider: str) -> str:
    return "OpenAI-compatible" if provider == "openai" else "Offline"


# ---------------------------------------------------------------- Test connection


def provider_test_config(
    session: Session,
    actor: Actor,
    agent_id: int,
    *,
    llm_base_url: str,
    llm_model: str,
    api_key_action: str = "keep",
    api_key: str | None = None,
) -> EngineConfig:
    """The provider settings as the form shows them, checked (Admin+): the typed key when
    replacing it, none when removing it, else the saved one (unsealed here)."""
    agent = require_agent(session, actor, agent_id, "Admin")
    checks = [
        ("llm_base_url", lambda: _base_url(llm_base_url)),
        ("llm_model", lambda: _model(llm_model)),
    ]
    if api_key_action not in KEY_ACTIONS:
        raise ValidationError(MSG_KEY_ACTION, field="llm_api_key")
    if api_key_action == "replace":
        checks.append(("api_key", lambda: _key(api_key)))
    values = _collect(checks)
    if not values["llm_model"] and not os.environ.get(ENV_MODEL):
        raise ValidationError(MSG_MODEL_NEEDED, field="llm_model")
    if api_key_action == "replace":
        key = values["api_key"]
    elif api_key_action == "remove":
        key = ""
    else:
        key = secret_box.unseal(agent.llm_api_key) or ""
    return EngineConfig(
        provider="openai",
        base_url=values["llm_base_url"],
        model=values["llm_model"],
        api_key=key,
        timeout=provider_check.TEST_TIMEOUT,
    )
