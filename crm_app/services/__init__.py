"""The domain: plain functions over a SQLModel Session. Never imports Reflex."""

# Registers the flush listener that bumps agent.settings_rev, in every process that uses
# any service (a settings change made without it would leave other workers' caches stale).
from crm_app.services import settings_cache  # noqa: F401
