"""Settings → Team: the invite, change-role, agent-access and remove-member dialogs."""

from __future__ import annotations

import reflex as rx

from crm_app.components.layout import ACCENT, field_error
from crm_app.state.team import TeamState as S

ROLE_COLORS = {"Owner": "amber", "Admin": "iris", "User": "gray"}
_ROLE_HINTS = {
    "Admin": "Manages agents, the CRM, settings and API keys, and invites Users.",
    "User": "Works in the agents you choose: views, adds and edits contacts, notes and files.",
}


def role_badge(role) -> rx.Component:
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


def progress_badge(progress) -> rx.Component:
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
                            checked=selected.contains(a.id),
                            on_change=lambda checked: on_toggle(a.id, checked),
                            color_scheme=ACCENT,
                        ),
                        rx.icon("bot", size=14, color=rx.color("gray", 10)),
                        rx.text(a.name, size="2"),
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


def invite_dialog() -> rx.Component:
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


def role_dialog() -> rx.Component:
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


def agents_dialog() -> rx.Component:
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


def remove_dialog() -> rx.Component:
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
