"""Settings → Team: members, invitations, roles."""

from __future__ import annotations

import reflex as rx

from crm_app import routes
from crm_app.components.layout import ACCENT, dashboard, empty_state, page_header
from crm_app.pages.team.dialogs import (
    agents_dialog,
    invite_dialog,
    progress_badge,
    remove_dialog,
    role_badge,
    role_dialog,
)
from crm_app.state.base import AppState
from crm_app.state.team import TeamState as S


def _actions(row: rx.Var) -> rx.Component:
    rid = row.id
    member = row.kind == "member"
    any_action = (
        row.can_change_role | row.can_set_agents | row.can_remove | row.can_resend | row.can_revoke
    )
    return rx.cond(
        any_action,
        rx.menu.root(
            rx.menu.trigger(
                rx.icon_button(
                    rx.icon("ellipsis", size=16),
                    variant="ghost",
                    color_scheme="gray",
                    size="2",
                    aria_label="Actions for " + row.email,
                ),
            ),
            rx.menu.content(
                rx.cond(
                    member,
                    rx.fragment(
                        rx.cond(
                            row.can_change_role,
                            rx.menu.item(
                                rx.icon("shield", size=14), "Change role", on_click=S.open_role(rid)
                            ),
                        ),
                        rx.cond(
                            row.can_set_agents,
                            rx.menu.item(
                                rx.icon("bot", size=14), "Agent access", on_click=S.open_agents(rid)
                            ),
                        ),
                        rx.cond(
                            row.can_remove,
                            rx.fragment(
                                rx.menu.separator(),
                                rx.menu.item(
                                    rx.icon("user-minus", size=14),
                                    "Remove member",
                                    color="red",
                                    on_click=S.open_remove(rid),
                                ),
                            ),
                        ),
                    ),
                    rx.fragment(
                        rx.cond(
                            row.can_resend,
                            rx.menu.item(
                                rx.icon("send", size=14),
                                "Resend invitation",
                                on_click=S.resend_invite(rid),
                            ),
                        ),
                        rx.cond(
                            row.can_revoke,
                            rx.menu.item(
                                rx.icon("x", size=14),
                                "Revoke invitation",
                                color="red",
                                on_click=S.revoke_invite(rid),
                            ),
                        ),
                    ),
                ),
                size="2",
            ),
        ),
        rx.box(width="32px"),
    )


def _member_row(row: rx.Var) -> rx.Component:
    name = row.name
    invited = row.progress == "Invited"
    return rx.table.row(
        rx.table.cell(
            rx.hstack(
                rx.avatar(
                    fallback=rx.cond(invited, "@", name[:1].upper()),
                    size="2",
                    radius="full",
                    color_scheme=rx.cond(invited, "gray", ACCENT),
                ),
                rx.vstack(
                    rx.hstack(
                        rx.text(
                            rx.cond(invited, "Pending invitation", name), size="2", weight="medium"
                        ),
                        rx.cond(row.is_self, rx.badge("You", size="1", variant="outline")),
                        spacing="2",
                        align="center",
                    ),
                    rx.text(row.email, size="1", color=rx.color("gray", 10)),
                    spacing="0",
                ),
                spacing="3",
                align="center",
            ),
        ),
        rx.table.cell(rx.text(row.since, size="2", color=rx.color("gray", 11))),
        rx.table.cell(
            rx.vstack(
                role_badge(row.role),
                rx.cond(
                    row.role == "User",
                    rx.text(
                        rx.cond(
                            row.agent_names != "",
                            row.agent_names,
                            "No agents yet",
                        ),
                        size="1",
                        color=rx.color("gray", 10),
                        max_width="220px",
                        trim="both",
                    ),
                ),
                spacing="1",
            )
        ),
        rx.table.cell(progress_badge(row.progress)),
        rx.table.cell(_actions(row), text_align="right"),
        align="center",
    )


def _table() -> rx.Component:
    return rx.box(
        rx.table.root(
            rx.table.header(
                rx.table.row(
                    rx.table.column_header_cell("Members"),
                    rx.table.column_header_cell("Since"),
                    rx.table.column_header_cell("Role"),
                    rx.table.column_header_cell("Progress"),
                    rx.table.column_header_cell("", aria_label="Actions", width="56px"),
                )
            ),
            rx.table.body(rx.foreach(S.members, _member_row)),
            variant="surface",
            size="2",
            width="100%",
        ),
        width="100%",
    )


def _invite_button() -> rx.Component:
    return rx.cond(
        S.can_invite,
        rx.button(
            rx.icon("user-plus", size=16),
            "Invite Team Member",
            on_click=S.open_invite,
            color_scheme=ACCENT,
            size="2",
        ),
    )


def page() -> rx.Component:
    return dashboard(
        page_header(
            "Team", "Invite and manage your team members and their roles", _invite_button()
        ),
        rx.cond(
            ~S.loaded,
            rx.center(rx.spinner(size="3"), padding="48px"),
            rx.vstack(
                rx.hstack(
                    rx.text(S.summary, size="2", color=rx.color("gray", 11)),
                    rx.spacer(),
                    rx.cond(
                        ~S.can_invite,
                        rx.callout(
                            "Only Owners and Admins can invite or manage team members.",
                            icon="info",
                            size="1",
                            variant="soft",
                            color_scheme="gray",
                        ),
                    ),
                    width="100%",
                    align="center",
                ),
                rx.cond(
                    S.members.length() > 1,
                    _table(),
                    rx.vstack(
                        _table(),
                        empty_state(
                            "users",
                            "It's just you so far",
                            "Invite your team to share agents and work on contacts together.",
                            _invite_button(),
                        ),
                        width="100%",
                        spacing="4",
                    ),
                ),
                spacing="3",
                width="100%",
            ),
        ),
        invite_dialog(),
        role_dialog(),
        agents_dialog(),
        remove_dialog(),
    )


def register(app: rx.App) -> None:
    app.add_page(
        page, route=routes.TEAM, title="Teams · Agent CRM", on_load=[AppState.load_shell, S.load]
    )
