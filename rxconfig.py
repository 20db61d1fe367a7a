import reflex as rx

from crm_app.settings import get_settings

_settings = get_settings()

config = rx.Config(
    app_name="crm_app",
    db_url=_settings.database_url,
    redis_url=_settings.redis_url,
    telemetry_enabled=False,
    show_built_with_reflex=False,
    # Dashboard events read the visitor's address the same way as crm_app/api/deps.client_ip.
    trusted_proxy_hops=_settings.trusted_proxy_hops,
    plugins=[
        rx.plugins.RadixThemesPlugin(
            theme=rx.theme(accent_color="teal", gray_color="slate", radius="medium", scaling="100%")
        )
    ],
    disable_plugins=[rx.plugins.SitemapPlugin],
)
