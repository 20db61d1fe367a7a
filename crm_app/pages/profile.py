"""Settings → Profile: first and last name, email read-only."""

from __future__ import annotations

import reflex as rx

from crm_app import routes
from crm_app.components.kit import MUTED, card, form_layout, labelled
from crm_app.components.layout import ACCENT, dashboard, page_header
from crm_app.state.base import AppState
from crm_app.state.profile import ProfileState as S


def _name_field(label: str, field_id: str, value, on_change, error) -> rx.Component:
    return labelled(
        label,
        rx.input(
            id=field_id,
            name=field_id.replace("-", "_"),
            value=value,
            on_change=on_change,
            max_length=50,
            required=True,
            width="100%",
            size="3",
            color_scheme=rx.cond(error != "", "red", ACCENT),
        ),
        error,
        html_for=field_id,
    )


def _profile_card() -> rx.Component:
    return card(
        form_layout(
            rx.hstack(
                rx.avatar(
                    fallback=AppState.user_initials,
                    size="5",
                    radius="full",
                    color_scheme=ACCENT,
                ),
                rx.vstack(
                    rx.text(AppState.user_name, size="4", weight="bold"),
                    rx.hstack(
                        rx.text(S.email, size="2", color=MUTED),
                        rx.badge(AppState.role, size="1", variant="soft", color_scheme="gray"),
                        spacing="2",
                        align="center",
                    ),
                    spacing="1",
                ),
                spacing="4",
                align="center",
            ),
            rx.divider(),
            rx.text("Your name is shown as contact owner and note author.", size="2", color=MUTED),
            rx.grid(
                _name_field(
                    "First name",
                    "first-name",
                    S.first_name,
                    S.set_first_name,
                    S.errors.get("first_name", ""),
                ),
                _name_field(
                    "Last name",
                    "last-name",
                    S.last_name,
                    S.set_last_name,
                    S.errors.get("last_name", ""),
                ),
                columns=rx.breakpoints(initial="1", sm="2"),
                spacing="4",
                width="100%",
            ),
            labelled(
                "Email",
                rx.input(
                    id="profile-email",
                    value=S.email,
                    read_only=True,
                    disabled=True,
                    width="100%",
                    size="3",
                ),
                hint="Your email is used to sign in and cannot be changed here.",
                html_for="profile-email",
            ),
            rx.hstack(
                rx.button(
                    "Cancel",
                    type="button",
                    variant="soft",
                    color_scheme="gray",
                    on_click=S.reset_form,
                    disabled=~S.dirty,
                ),
                rx.button("Save", type="submit", disabled=~S.dirty, color_scheme=ACCENT),
                justify="end",
                spacing="3",
                width="100%",
            ),
            on_submit=S.save,
            no_validate=True,
        ),
        padding="24px",
        max_width="640px",
    )


def page() -> rx.Component:
    return dashboard(
        page_header("Profile", "Manage your personal details"),
        rx.cond(S.loaded, _profile_card(), rx.center(rx.spinner(size="3"), padding="48px")),
    )


def register(app: rx.App) -> None:
    app.add_page(
        page,
        route=routes.PROFILE,
        title="Profile · Agent CRM",
        on_load=[AppState.load_shell, S.load],
    )
