"""Settings → Team: the invite, change-role, agent-access and remove-member dialogs."""

from __future__ import annotations

import reflex as rx

from crm_app.components.kit import confirm_dialog, dialog, dialog_footer, form_layout, labelled
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


def _role_hint(role) -> rx.Component:
    return rx.cond(role == "Admin", _ROLE_HINTS["Admin"], _ROLE_HINTS["User"])


def _role_select(value, on_change) -> rx.Component:
    return rx.select.root(
        rx.select.trigger(width="100%", aria_label="Role"),
        rx.select.content(rx.foreach(S.role_choices, lambda r: rx.select.item(r, value=r))),
        value=value,
        on_change=on_change,
    )


def invite_dialog() -> rx.Component:
    return dialog(
        "Invite Team Member",
        form_layout(
            labelled(
                "Email",
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
                S.invite_errors.get("email", ""),
                html_for="invite-email",
            ),
            labelled(
                "Role",
                _role_select(S.invite_role, S.set_invite_role),
                S.invite_errors.get("role", ""),
                hint=_role_hint(S.invite_role),
            ),
            rx.cond(
                S.invite_role == "User",
                labelled(
                    "Agents",
                    _agent_checklist(S.invite_agent_ids, S.toggle_invite_agent),
                    S.invite_errors.get("agents", ""),
                ),
            ),
            on_submit=lambda _: S.submit_invite(),
            footer=dialog_footer(
                rx.button(
                    rx.icon("send", size=14), "Send invitation", type="submit", color_scheme=ACCENT
                ),
            ),
            # The server checks the address and says what is wrong next to the field.
            no_validate=True,
            padding_top="16px",
        ),
        description="They will get an email with a link to join your organization.",
        open=S.invite_open,
        on_open_change=S.set_open("invite_open"),
        max_width="460px",
    )


def _member_dialog(title, who, said, body, error, save, *, open, on_open_change, max_width):
    """A dialog about one member (`who`, in bold in the description) with one Save button."""
    return dialog(
        title,
        rx.vstack(*body, field_error(error), spacing="2", width="100%", padding_top="16px"),
        dialog_footer(save),
        description=rx.fragment(rx.text.span(said[0]), rx.text.strong(who), rx.text.span(said[1])),
        open=open,
        on_open_change=on_open_change,
        max_width=max_width,
    )


def role_dialog() -> rx.Component:
    return _member_dialog(
        "Change role",
        S.role_target_name,
        ("Choose the role for ", "."),
        [
            _role_select(S.role_value, S.set_role_value),
            rx.text(_role_hint(S.role_value), size="1", color=rx.color("gray", 10)),
        ],
        S.role_error,
        rx.button("Save role", on_click=S.save_role, color_scheme=ACCENT),
        open=S.role_open,
        on_open_change=S.set_open("role_open"),
        max_width="420px",
    )


def agents_dialog() -> rx.Component:
    return _member_dialog(
        "Agent access",
        S.agents_target_name,
        ("Choose the agents ", " works in. Owners and Admins always see every agent."),
        [_agent_checklist(S.agents_selected, S.toggle_member_agent)],
        S.agents_error,
        rx.button("Save access", on_click=S.save_agents, color_scheme=ACCENT),
        open=S.agents_open,
        on_open_change=S.set_open("agents_open"),
        max_width="440px",
    )


def remove_dialog() -> rx.Component:
    return confirm_dialog(
        "Remove team member",
        rx.fragment(
            rx.text.span("Remove "),
            rx.text.strong(S.remove_target_name),
            rx.text.span(
                " from your organization? They are signed out at once. Contacts they own "
                "keep them as a former member."
            ),
        ),
        rx.button("Remove", color_scheme="red", on_click=S.confirm_remove),
        open=S.remove_open,
        on_open_change=S.set_open("remove_open"),
        closes=True,
    )


# ---------------------------------------------------------------- table
