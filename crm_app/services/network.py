"""Where a request comes from: the loopback rule of development pages and the browser
origins allowed to call the app. No Reflex import: HTTP routes and states share it."""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping

from crm_app.settings import get_settings, origin_of

# Headers a reverse proxy adds for the visitor it forwards (and any client can forge).
PROXY_HEADERS = (
    "x-forwarded-for",
    "x-real-ip",
    "forwarded",
    "x-forwarded-host",
    "x-forwarded-proto",
)


def is_loopback_request(client_ip: str, headers: Mapping[str, str]) -> bool:
    """A browser on this machine talking to the app directly: the connection comes from a
    loopback address and carries no proxy header. A proxy on this machine connects from
    loopback on behalf of remote visitors, so a proxied request never counts as local,
    whatever address its headers name."""
    try:
        if not ipaddress.ip_address((client_ip or "").strip("[]")).is_loopback:
            return False
    except ValueError:
        return False
    names = {name.lower() for name in headers}
    return not any(header in names for header in PROXY_HEADERS)


def origin_allowed(origin: str) -> bool:
    """May a page from `origin` (a browser's Origin header) call the app with its cookies?"""
    normalized = origin_of(origin or "")
    return bool(normalized) and normalized in get_settings().allowed_origins
