"""Reply engines for the agent chat: the interface (base.py), the offline default and the
OpenAI-compatible provider. Nothing here imports the database or Reflex.

`engine_for(config)` picks the engine for an `EngineConfig`: provider "openai" gives the
OpenAI-compatible engine (settings falling back to CRM_LLM_BASE_URL / CRM_LLM_MODEL /
CRM_LLM_API_KEY), anything else the offline engine. The `openai` library is imported only
when that engine is asked for.
"""

from __future__ import annotations

import os

from crm_app.agent.base import EngineConfig, ReplyEngine


def engine_for(config: EngineConfig | None = None) -> ReplyEngine:
    config = config or EngineConfig()
    if (config.provider or "").strip().lower() == "openai":
        from crm_app.agent.openai_engine import OpenAIEngine

        return OpenAIEngine(
            base_url=config.base_url or os.environ.get("CRM_LLM_BASE_URL", ""),
            model=config.model or os.environ.get("CRM_LLM_MODEL", ""),
            api_key=config.api_key or os.environ.get("CRM_LLM_API_KEY", ""),
            timeout=config.timeout,
        )
    from crm_app.agent.offline import OfflineEngine

    return OfflineEngine()


__all__ = ["EngineConfig", "engine_for"]
