"""Settings → Team: members, invitations, roles."""

from __future__ import annotations

import reflex as rx

from crm_app import routes
from crm_app.components.layout import ACCENT, dashboard, empty_state, field_error, page_header
from crm_app.state.base import AppState
from crm_app.state.team import TeamState as S

_ROLE_COLORS = {"Owner": "amber", "Admin": "iris", "User": "gray"}
_ROLE_HINTS = {
    "Admin": "Manages agents, the CRM, settings and API keys, and invites Users.",
    "User": "Works in the agents you choose: views, adds and edits contacts, notes and files.",
}


def _role_badge(role) -> rx.Component:
    return rx.match(
        role,
        (
            "Owner",
            rx.badge(rx.icon("crown", size=12), "Owner", color_scheme="amber", variant="soft"),
        ),
        (
            "Admin",
            rx.badge(rx.icon("shield", size=12), "Admin", color_scheme="iris", variant="soft"),
        ),
        rx.badge(rx.icon("user", size=12), role, color_scheme="gray", variant="soft"),
    )


def _progress_badge(progress) -> rx.Component:
    return rx.cond(
        progress == "Invited",
        rx.badge(rx.icon("mail", size=12), "Invited", color_scheme="orange", variant="surface"),
        rx.badge(
            rx.icon("circle-check", size=12), "Active", color_scheme="green", variant="surface"
        ),
    )


def _agent_checklist(selected, on_toggle) -> rx.Component:
    return rx.cond(
        S.agent_options.length() > 0,
        rx.vstack(
            rx.foreach(
                S.agent_options,
                lambda a: rx.el.label(
                    rx.hstack(
                        rx.checkbox(
                            checked=selected.contains(a["id"].to(str)),
                            on_change=lambda checked: on_toggle(a["id"].to(str), checked),
                            color_scheme=ACCENT,
                        ),
                        rx.icon("bot", size=14, color=rx.color("gray", 10)),
                        rx.text(a["name"].to(str), size="2"),
                        spacing="2",
                        align="center",
                    ),
                    width="100%",
                ),
            ),
            spacing="2",
            padding="10px 12px",
            max_height="200px",
            overflow_y="auto",
            border=f"1px solid {rx.color('gray', 5)}",
            border_radius="8px",
            width="100%",
        ),
        rx.text(
            "This organization has no agents yet. You can give access later.",
            size="2",
            color=rx.color("gray", 10),
        ),
    )


# ---------------------------------------------------------------- dialogs


def _invite_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("Invite Team Member"),
            rx.dialog.description(
                "They will get an email with a link to join your organization.",
                size="2",
                color=rx.color("gray", 11),
                margin_bottom="16px",
            ),
            rx.form(
                rx.vstack(
                    rx.vstack(
                        rx.el.label(
                            rx.text("Email", size="2", weight="medium"), html_for="invite-email"
                        ),
                        rx.input(
                            id="invite-email",
                            type="email",
                            placeholder="name@company.com",
                            value=S.invite_email,
                            on_change=S.set_invite_email,
                            auto_focus=True,
                            width="100%",
                            color_scheme=rx.cond(S.invite_errors.contains("email"), "red", ACCENT),
                        ),
                        field_error(S.invite_errors.get("email", "")),
                        spacing="1",
                        width="100%",
                    ),
                    rx.vstack(
                        rx.text("Role", size="2", weight="medium"),
                        rx.select.root(
                            rx.select.trigger(width="100%", aria_label="Role"),
                            rx.select.content(
                                rx.foreach(S.role_choices, lambda r: rx.select.item(r, value=r))
                            ),
                            value=S.invite_role,
                            on_change=S.set_invite_role,
                        ),
                        rx.text(
                            rx.cond(
                                S.invite_role == "Admin", _ROLE_HINTS["Admin"], _ROLE_HINTS["User"]
                            ),
                            size="1",
                            color=rx.color("gray", 10),
                        ),
                        field_error(S.invite_errors.get("role", "")),
                        spacing="1",
                        width="100%",
                    ),
                    rx.cond(
                        S.invite_role == "User",
                        rx.vstack(
                            rx.text("Agents", size="2", weight="medium"),
                            _agent_checklist(S.invite_agent_ids, S.toggle_invite_agent),
                            field_error(S.invite_errors.get("agents", "")),
                            spacing="1",
                            width="100%",
                        ),
                    ),
                    rx.hstack(
                        rx.dialog.close(
                            rx.button("Cancel", variant="soft", color_scheme="gray", type="button")
                        ),
                        rx.button(
                            rx.icon("send", size=14),
                            "Send invitation",
                            type="submit",
                            color_scheme=ACCENT,
                        ),
                        justify="end",
                        spacing="3",
                        width="100%",
                        padding_top="8px",
                    ),
                    spacing="4",
                    width="100%",
                ),
                on_submit=lambda _: S.submit_invite(),
                reset_on_submit=False,
                no_validate=True,
            ),
            max_width="460px",
        ),
        open=S.invite_open,
        on_open_change=S.set_invite_open,
    )


def _role_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("Change role"),
            rx.dialog.description(
                rx.text.span("Choose the role for "),
                rx.text.strong(S.role_target_name),
                rx.text.span("."),
                size="2",
                color=rx.color("gray", 11),
                margin_bottom="16px",
            ),
            rx.vstack(
                rx.select.root(
                    rx.select.trigger(width="100%", aria_label="Role"),
                    rx.select.content(
                        rx.foreach(S.role_choices, lambda r: rx.select.item(r, value=r))
                    ),
                    value=S.role_value,
                    on_change=S.set_role_value,
                ),
                rx.text(
                    rx.cond(S.role_value == "Admin", _ROLE_HINTS["Admin"], _ROLE_HINTS["User"]),
                    size="1",
                    color=rx.color("gray", 10),
                ),
                field_error(S.role_error),
                rx.hstack(
                    rx.dialog.close(rx.button("Cancel", variant="soft", color_scheme="gray")),
                    rx.button("Save role", on_click=S.save_role, color_scheme=ACCENT),
                    justify="end",
                    spacing="3",
                    width="100%",
                    padding_top="8px",
                ),
                spacing="2",
                width="100%",
            ),
            max_width="420px",
        ),
        open=S.role_open,
        on_open_change=S.set_role_open,
    )


def _agents_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("Agent access"),
            rx.dialog.description(
                rx.text.span("Choose the agents "),
                rx.text.strong(S.agents_target_name),
                rx.text.span(" works in. Owners and Admins always see every agent."),
                size="2",
                color=rx.color("gray", 11),
                margin_bottom="16px",
            ),
            rx.vstack(
                _agent_checklist(S.agents_selected, S.toggle_member_agent),
                field_error(S.agents_error),
                rx.hstack(
                    rx.dialog.close(rx.button("Cancel", variant="soft", color_scheme="gray")),
                    rx.button("Save access", on_click=S.save_agents, color_scheme=ACCENT),
                    justify="end",
                    spacing="3",
                    width="100%",
                    padding_top="8px",
                ),
                spacing="2",
                width="100%",
            ),
            max_width="440px",
        ),
        open=S.agents_open,
        on_open_change=S.set_agents_open,
    )


def _remove_dialog() -> rx.Component:
    return rx.alert_dialog.root(
        rx.alert_dialog.content(
            rx.alert_dialog.title("Remove team member"),
            rx.alert_dialog.description(
                rx.text.span("Remove "),
                rx.text.strong(S.remove_target_name),
                rx.text.span(
                    " from your organization? They are signed out at once. Contacts they own "
                    "keep them as a former member."
                ),
                size="2",
            ),
            rx.hstack(
                rx.alert_dialog.cancel(rx.button("Cancel", variant="soft", color_scheme="gray")),
                rx.alert_dialog.action(
                    rx.button("Remove", color_scheme="red", on_click=S.confirm_remove)
                ),
                justify="end",
                spacing="3",
                padding_top="16px",
            ),
            max_width="440px",
        ),
        open=S.remove_open,
        on_open_change=S.set_remove_open,
    )


# ---------------------------------------------------------------- table


def _actions(row: rx.Var) -> rx.Component:
    rid = row["id"].to(int)
    member = row["kind"].to(str) == "member"
    any_action = (
        row["can_change_role"].to(bool)
        | row["can_set_agents"].to(bool)
        | row["can_remove"].to(bool)
        | row["can_resend"].to(bool)
        | row["can_revoke"].to(bool)
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
                    aria_label="Actions for " + row["email"].to(str),
                ),
            ),
            rx.menu.content(
                rx.cond(
                    member,
                    rx.fragment(
                        rx.cond(
                            row["can_change_role"].to(bool),
                            rx.menu.item(
                                rx.icon("shield", size=14), "Change role", on_click=S.open_role(rid)
                            ),
                        ),
                        rx.cond(
                            row["can_set_agents"].to(bool),
                            rx.menu.item(
                                rx.icon("bot", size=14), "Agent access", on_click=S.open_agents(rid)
                            ),
                        ),
                        rx.cond(
                            row["can_remove"].to(bool),
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
                            row["can_resend"].to(bool),
                            rx.menu.item(
                                rx.icon("send", size=14),
                                "Resend invitation",
                                on_click=S.resend_invite(rid),
                            ),
                        ),
                        rx.cond(
                            row["can_revoke"].to(bool),
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
    name = row["name"].to(str)
    invited = row["progress"].to(str) == "Invited"
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
                        rx.cond(
                            row["is_self"].to(bool), rx.badge("You", size="1", variant="outline")
                        ),
                        spacing="2",
                        align="center",
                    ),
                    rx.text(row["email"].to(str), size="1", color=rx.color("gray", 10)),
                    spacing="0",
                ),
                spacing="3",
                align="center",
            ),
        ),
        rx.table.cell(rx.text(row["since"].to(str), size="2", color=rx.color("gray", 11))),
        rx.table.cell(
            rx.vstack(
                _role_badge(row["role"].to(str)),
                rx.cond(
                    row["role"].to(str) == "User",
                    rx.text(
                        rx.cond(
                            row["agent_names"].to(str) != "",
                            row["agent_names"].to(str),
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
        rx.table.cell(_progress_badge(row["progress"].to(str))),
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
        _invite_dialog(),
        _role_dialog(),
        _agents_dialog(),
        _remove_dialog(),
    )


def register(app: rx.App) -> None:
    app.add_page(
        page, route=routes.TEAM, title="Teams · Agent CRM", on_load=[AppState.load_shell, S.load]
    )
