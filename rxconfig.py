import logging
import warnings

import reflex as rx

from crm_app.settings import get_settings

# At every start Reflex compares the models with the database; SQLite cannot reflect these
# expression indexes, so SQLAlchemy and Alembic each warned that they skipped them (harmless:
# the migrations create them, and nothing is left for anyone to act on).
warnings.filterwarnings(
    "ignore",
    message=r".*expression-based index '?ix_contact_agent_archived_(later_words|phone_last4)\b",
)

# A tab that reloads or navigates away while its events still run: Reflex warned once per
# pending state update for the closed socket. The updates are not needed (the state is kept).
logging.getLogger("reflex.app").addFilter(
    lambda record: (
        not record.getMessage().startswith("Attempting to send delta to disconnected client")
    )
)

_settings = get_settings()

config = rx.Config(
    app_name="crm_app",
    db_url=_settings.database_url,
    redis_url=_settings.redis_url,
    telemetry_enabled=False,
    show_built_with_reflex=False,
    # Dashboard events read the visitor's address the same way as crm_app/api/deps.client_ip.
    trusted_proxy_hops=_settings.trusted_proxy_hops,
    # CORS headers and the /_event websocket: the app's own origin only (crm_app/api/origins.py).
    cors_allowed_origins=list(_settings.allowed_origins),
    plugins=[
        rx.plugins.RadixThemesPlugin(
            theme=rx.theme(accent_color="teal", gray_color="slate", radius="medium", scaling="100%")
        )
    ],
    disable_plugins=[rx.plugins.SitemapPlugin],
)
