"""The dashboard shell: sidebar (org, agent switcher, agent CRM nav, settings), page header."""

from __future__ import annotations

import reflex as rx

from crm_app import routes
from crm_app.components import data_requests
from crm_app.state.base import AppState

ACCENT = "teal"
# Sign-out is a POST (the route checks its Origin), sent as a plain form navigation.
SIGN_OUT = rx.call_script(
    "const f = document.createElement('form'); f.method = 'post'; "
    f"f.action = '{routes.API_SIGN_OUT}'; document.body.appendChild(f); f.submit();"
)


def _nav_link(label: str, icon: str, href, active, in_drawer: bool) -> rx.Component:
    link = rx.link(
        rx.hstack(
            rx.icon(icon, size=16),
            rx.text(label, size="2", weight=rx.cond(active, "medium", "regular")),
            spacing="2",
            align="center",
            padding_x="10px",
            padding_y="7px",
            border_radius="8px",
            width="100%",
            background=rx.cond(active, rx.color(ACCENT, 4), "transparent"),
            color=rx.cond(active, rx.color(ACCENT, 11), rx.color("gray", 12)),
            _hover={"background": rx.color("gray", 3)},
        ),
        href=href,
        underline="none",
        width="100%",
    )
    # In the phone drawer a tap on a link also closes the drawer (the page behind changes).
    return rx.drawer.close(link) if in_drawer else link


def _section(label: str) -> rx.Component:
    return rx.text(
        label,
        size="1",
        weight="bold",
        color=rx.color("gray", 10),
        padding_x="10px",
        padding_top="14px",
        padding_bottom="4px",
        text_transform="uppercase",
        letter_spacing="0.04em",
    )


def _agent_switcher() -> rx.Component:
    return rx.cond(
        AppState.agents.length() > 0,
        rx.select.root(
            rx.select.trigger(placeholder="Choose an agent", width="100%", aria_label="Agent"),
            rx.select.content(
                rx.foreach(
                    AppState.agents,
                    lambda a: rx.select.item(a.name, value=a.id.to_string()),
                ),
                z_index="60",  # above the phone drawer and its overlay (z-index 50)
            ),
            value=AppState.current_agent_key,
            on_change=AppState.switch_agent,
            size="2",
        ),
        rx.link(
            rx.button(
                rx.icon("plus", size=14),
                "Create your first agent",
                size="2",
                variant="soft",
                width="100%",
            ),
            href=routes.AGENTS,
        ),
    )


def _brand() -> rx.Component:
    return rx.hstack(
        rx.center(
            rx.icon("bot", size=18, color="white"),
            width="30px",
            height="30px",
            flex_shrink="0",
            border_radius="8px",
            background=rx.color(ACCENT, 9),
        ),
        rx.vstack(
            rx.text("Agent CRM", weight="bold", size="3"),
            rx.text(AppState.org_name, size="1", color=rx.color("gray", 10), trim="both"),
            spacing="0",
            min_width="0",
        ),
        spacing="2",
        align="center",
    )


def _sign_out() -> rx.Component:
    return rx.tooltip(
        rx.icon_button(
            rx.icon("log-out", size=16),
            variant="ghost",
            color_scheme="gray",
            aria_label="Sign out",
            on_click=SIGN_OUT,
        ),
        content="Sign out",
    )


def _navigation(in_drawer: bool) -> rx.Component:
    """Brand, agent switcher, links and the signed-in member: the sidebar on wide screens,
    the drawer's content on phones."""
    path = AppState.router.url.path
    agent_id = AppState.current_agent_key
    return rx.vstack(
        rx.hstack(
            _brand(),
            rx.spacer(),
            rx.drawer.close(
                rx.icon_button(
                    rx.icon("x", size=18),
                    variant="ghost",
                    color_scheme="gray",
                    aria_label="Close menu",
                )
            )
            if in_drawer
            else rx.fragment(),
            width="100%",
            align="center",
            padding_bottom="12px",
        ),
        _section("Agent"),
        _agent_switcher(),
        rx.cond(
            AppState.current_agent_key != "",
            rx.vstack(
                _nav_link(
                    "History",
                    "history",
                    routes.agent_path(routes.HISTORY, agent_id),
                    path.endswith("/history"),
                    in_drawer,
                ),
                _nav_link(
                    "Playground",
                    "message-circle",
                    routes.agent_path(routes.PLAYGROUND, agent_id),
                    path.contains("/playground"),
                    in_drawer,
                ),
                _nav_link(
                    "Agent settings",
                    "settings",
                    routes.agent_path(routes.AGENT_SETTINGS, agent_id),
                    path.endswith("/settings") & ~path.contains("/crm/"),
                    in_drawer,
                ),
                # Revenue is for Owners and Admins (the page explains itself before the
                # first payment); Users never see a link they could not open.
                rx.cond(
                    (AppState.role == "Owner") | (AppState.role == "Admin"),
                    _nav_link(
                        "Subscriptions",
                        "credit-card",
                        routes.agent_path(routes.SUBSCRIPTIONS, agent_id),
                        path.endswith("/subscriptions"),
                        in_drawer,
                    ),
                ),
                _section("CRM"),
                _nav_link(
                    "Contacts",
                    "users",
                    routes.agent_path(routes.CONTACTS, agent_id),
                    path.contains("/crm/contacts") | path.contains("/crm/pipeline"),
                    in_drawer,
                ),
                _nav_link(
                    "Forms",
                    "file-text",
                    routes.agent_path(routes.FORMS, agent_id),
                    path.contains("/crm/forms"),
                    in_drawer,
                ),
                _nav_link(
                    "Automations",
                    "zap",
                    routes.agent_path(routes.AUTOMATIONS, agent_id),
                    path.contains("/crm/automations"),
                    in_drawer,
                ),
                _nav_link(
                    "Settings",
                    "sliders-horizontal",
                    routes.agent_path(routes.CRM_SETTINGS, agent_id),
                    path.contains("/crm/settings"),
                    in_drawer,
                ),
                data_requests.nav_link(agent_id, path, in_drawer),  # visitors' erasure requests
                spacing="1",
                width="100%",
            ),
        ),
        _section("Workspace"),
        _nav_link("Agents", "layout-grid", routes.AGENTS, path == routes.AGENTS, in_drawer),
        _nav_link("Team", "user-plus", routes.TEAM, path == routes.TEAM, in_drawer),
        _nav_link("Profile", "circle-user", routes.PROFILE, path == routes.PROFILE, in_drawer),
        _nav_link("Audit Logs", "scroll-text", routes.AUDIT, path == routes.AUDIT, in_drawer),
        rx.cond(
            AppState.role == "Owner",
            _nav_link(
                "Payments", "credit-card", routes.PAYMENTS, path == routes.PAYMENTS, in_drawer
            ),
        ),
        rx.spacer(),
        rx.divider(),
        rx.hstack(
            rx.avatar(
                fallback=AppState.user_initials, size="2", radius="full", color_scheme=ACCENT
            ),
            rx.vstack(
                rx.text(AppState.user_name, size="2", weight="medium", trim="both"),
                rx.text(AppState.role, size="1", color=rx.color("gray", 10)),
                spacing="0",
                min_width="0",
            ),
            rx.spacer(),
            _sign_out(),
            width="100%",
            align="center",
            padding_top="8px",
        ),
        spacing="1",
        width="100%",
        height="100%",
        padding="16px",
        overflow_y="auto",
    )


def sidebar() -> rx.Component:
    """The 240 px sidebar from 768 px up. The column stretches to the page's full height
    (its background and border go all the way down); the links inside stay in view."""
    return rx.box(
        rx.box(_navigation(in_drawer=False), position="sticky", top="0", height="100dvh"),
        id="crm-sidebar",
        display=["none", "none", "block"],
        width="240px",
        min_width="240px",
        align_self="stretch",
        border_right=f"1px solid {rx.color('gray', 5)}",
        background=rx.color("gray", 1),
    )


def _phone_bar() -> rx.Component:
    """Below 768 px: a top bar whose menu button opens the navigation as a drawer
    (Escape, the close button, a tap outside or a link closes it)."""
    return rx.hstack(
        rx.drawer.root(
            rx.drawer.trigger(
                rx.icon_button(
                    rx.icon("menu", size=20),
                    variant="ghost",
                    color_scheme="gray",
                    size="3",
                    aria_label="Open menu",
                )
            ),
            rx.drawer.portal(
                rx.drawer.overlay(),
                rx.drawer.content(
                    rx.drawer.title("Menu", class_name="crm-visually-hidden"),
                    rx.drawer.description(
                        "Agents, CRM pages and workspace settings", class_name="crm-visually-hidden"
                    ),
                    _navigation(in_drawer=True),
                    right="auto",
                    width="min(300px, 85vw)",
                    background=rx.color("gray", 1),
                    border_right=f"1px solid {rx.color('gray', 5)}",
                ),
            ),
            direction="left",
        ),
        _brand(),
        display=["flex", "flex", "none"],
        width="100%",
        align="center",
        spacing="3",
        padding="8px 12px",
        position="sticky",
        top="0",
        z_index="10",
        background=rx.color("gray", 1),
        border_bottom=f"1px solid {rx.color('gray', 5)}",
    )


def page_header(title: str, subtitle, *actions: rx.Component) -> rx.Component:
    """Title and subtitle, actions on the right; on a narrow screen the actions move under
    the title (still on the right) rather than squeezing it."""
    return rx.hstack(
        rx.vstack(
            rx.heading(title, size="6", weight="bold"),
            rx.text(subtitle, size="2", color=rx.color("gray", 11)),
            spacing="1",
            flex="1 1 280px",
            min_width="0",
        ),
        *actions,
        width="100%",
        align="center",
        justify="end",
        wrap="wrap",
        padding_bottom="20px",
    )


def empty_state(icon: str, title: str, text: str, *actions: rx.Component) -> rx.Component:
    return rx.center(
        rx.vstack(
            rx.center(
                rx.icon(icon, size=26, color=rx.color(ACCENT, 10)),
                width="56px",
                height="56px",
                border_radius="999px",
                background=rx.color(ACCENT, 3),
            ),
            rx.text(title, weight="bold", size="3"),
            rx.text(
                text, size="2", color=rx.color("gray", 11), text_align="center", max_width="420px"
            ),
            *actions,
            align="center",
            spacing="2",
        ),
        padding="48px",
        width="100%",
        border=f"1px dashed {rx.color('gray', 6)}",
        border_radius="12px",
    )


def dashboard(*children: rx.Component) -> rx.Component:
    """Signed-in page frame; content waits for the shell so nothing flashes before sign-in."""
    return rx.flex(
        sidebar(),
        _phone_bar(),
        rx.box(
            rx.cond(
                AppState.signed_in,
                rx.fragment(*children),
                rx.center(rx.spinner(size="3"), padding="80px"),
            ),
            flex="1",
            padding=["16px 12px", "16px", "24px", "28px 36px"],
            min_width="0",
            max_width="1280px",
            width="100%",
        ),
        flex_direction=["column", "column", "row"],
        width="100%",
        align="start",
        background=rx.color("gray", 2),
        min_height="100vh",
    )


def field_error(message) -> rx.Component:
    """An inline error under a form field (announced to screen readers)."""
    return rx.cond(
        message != "", rx.text(message, size="1", color=rx.color("red", 11), role="alert")
    )
