"""Where the team meets visitors' data requests outside their own page
(pages/data_requests.py): the agent sidebar's "Data requests" link with a count badge of
the open ones, and a callout on the Contacts page while any are open. Both read
DataRequestsNavState, which the sidebar link counts when it mounts (on every page)."""

from __future__ import annotations

import reflex as rx

from crm_app import routes
from crm_app.state.base import AppState
from crm_app.state.data_requests import DataRequestsNavState as Nav

ACCENT = "teal"  # components/layout.py's


def nav_link(agent_id, path, in_drawer: bool) -> rx.Component:
    """The agent sidebar's "Data requests" (components/layout.py), once the agent has had a
    request, with a red count of the open ones."""
    link = rx.link(
        rx.hstack(
            rx.icon("shield-alert", size=16),
            rx.text("Data requests", size="2", weight=rx.cond(_active(path), "medium", "regular")),
            rx.spacer(),
            rx.cond(
                Nav.open_count > 0,
                rx.badge(
                    Nav.open_count,
                    color_scheme="red",
                    variant="solid",
                    radius="full",
                    aria_label=Nav.open_count.to_string() + " open",
                ),
            ),
            spacing="2",
            align="center",
            padding_x="10px",
            padding_y="7px",
            border_radius="8px",
            width="100%",
            background=rx.cond(_active(path), rx.color(ACCENT, 4), "transparent"),
            color=rx.cond(_active(path), rx.color(ACCENT, 11), rx.color("gray", 12)),
            _hover={"background": rx.color("gray", 3)},
        ),
        href=routes.agent_path(routes.DATA_REQUESTS, agent_id),
        underline="none",
        width="100%",
    )
    shown = rx.cond(
        Nav.nav_shown & (Nav.nav_agent == agent_id),
        rx.drawer.close(link) if in_drawer else link,
    )
    # Mounted once the shell knows the member and agent; counts again on every page.
    return rx.cond(
        AppState.signed_in,
        rx.el.div(shown, on_mount=Nav.load_nav, style={"display": "contents"}),
    )


def _active(path):
    return path.contains("/crm/data-requests")


def contacts_callout() -> rx.Component:
    """On the Contacts page while requests are open: who asked is a click away."""
    return rx.cond(
        (Nav.open_count > 0) & (Nav.nav_agent == AppState.current_agent_key),
        rx.callout(
            rx.hstack(
                rx.text(
                    rx.cond(
                        Nav.open_count == 1,
                        "A visitor asked to have their data erased.",
                        Nav.open_count.to_string() + " visitors asked to have their data erased.",
                    ),
                ),
                rx.link(
                    "Review data requests",
                    href=routes.agent_path(routes.DATA_REQUESTS, AppState.current_agent_key),
                    weight="medium",
                ),
                spacing="2",
                wrap="wrap",
            ),
            icon="shield-alert",
            color_scheme="amber",
            size="1",
            width="100%",
            margin_bottom="14px",
        ),
    )
