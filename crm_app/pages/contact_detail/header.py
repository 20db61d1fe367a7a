"""Contact details header: avatar, name, copy buttons, Owner/Stage/Status in place, archive
and the erase dialog."""

from __future__ import annotations

import reflex as rx

from crm_app.components.kit import MUTED, SUBTLE, card, confirm_dialog
from crm_app.components.layout import ACCENT, field_error
from crm_app.services.timeline import STATUSES
from crm_app.state.contact_detail import ContactDetailState as S

_STATUS_COLORS = {"Active": "green", "Inactive": "gray", "Blocked": "red"}


def _copy_button(value, what: str) -> rx.Component:
    return rx.tooltip(
        rx.icon_button(
            rx.icon("copy", size=13),
            size="1",
            variant="ghost",
            color_scheme="gray",
            aria_label=f"Copy {what}",
            on_click=[rx.set_clipboard(value), rx.toast("Copied")],
        ),
        content=f"Copy {what}",
    )


def _contact_line(icon: str, value, what: str, shown=None) -> rx.Component:
    return rx.cond(
        value != "",
        rx.hstack(
            rx.icon(icon, size=14, color=SUBTLE),
            rx.text(
                shown if shown is not None else value,
                size="2",
                color=MUTED,
                overflow_wrap="anywhere",
            ),
            _copy_button(value, what),
            spacing="2",
            align="center",
            min_width="0",
        ),
    )


def _header_select(label: str, control: rx.Component) -> rx.Component:
    return rx.vstack(
        rx.text(
            label,
            size="1",
            weight="medium",
            color=SUBTLE,
            text_transform="uppercase",
            letter_spacing="0.04em",
        ),
        control,
        spacing="1",
        min_width="180px",
    )


def _owner_select() -> rx.Component:
    return rx.select.root(
        rx.select.trigger(placeholder="Unassigned", width="100%", aria_label="Owner"),
        rx.select.content(rx.foreach(S.owners, lambda m: rx.select.item(m.name, value=m.id))),
        value=S.contact["owner_id"].to(str),
        on_change=S.change_owner,
        size="2",
    )


def _stage_select() -> rx.Component:
    return rx.select.root(
        rx.select.trigger(placeholder="No stage", width="100%", aria_label="Stage"),
        rx.select.content(rx.foreach(S.stages, lambda s: rx.select.item(s.name, value=s.id))),
        value=S.contact["stage_id"].to(str),
        on_change=S.change_stage,
        size="2",
    )


def _status_select() -> rx.Component:
    return rx.select.root(
        rx.select.trigger(width="100%", aria_label="Status"),
        rx.select.content(
            *[
                rx.select.item(
                    rx.hstack(
                        rx.box(
                            width="8px",
                            height="8px",
                            border_radius="999px",
                            background=rx.color(_STATUS_COLORS[s], 9),
                        ),
                        rx.text(s),
                        align="center",
                        spacing="2",
                    ),
                    value=s,
                )
                for s in STATUSES
            ]
        ),
        value=S.contact["status"].to(str),
        on_change=S.change_status,
        size="2",
    )


def header() -> rx.Component:
    title = S.contact["title"].to(str)
    return card(
        rx.hstack(
            rx.avatar(
                fallback=S.contact["initials"].to(str), size="5", radius="full", color_scheme=ACCENT
            ),
            rx.vstack(
                rx.hstack(
                    rx.heading(title, size="6", weight="bold"),
                    rx.cond(
                        S.contact["name"].to(str) != "",
                        _copy_button(S.contact["name"].to(str), "name"),
                    ),
                    rx.badge(
                        "via " + S.contact["source"].to(str),
                        variant="soft",
                        color_scheme=ACCENT,
                        size="2",
                    ),
                    rx.cond(
                        S.contact["archived"].to(bool),
                        rx.badge(
                            rx.icon("archive", size=12),
                            "Archived",
                            variant="soft",
                            color_scheme="orange",
                            size="2",
                        ),
                    ),
                    spacing="2",
                    align="center",
                    wrap="wrap",
                ),
                rx.hstack(
                    _contact_line("mail", S.contact["email"].to(str), "email"),
                    _contact_line(
                        "phone",
                        S.contact["phone"].to(str),
                        "phone",
                        S.contact["phone_display"].to(str),
                    ),
                    spacing="5",
                    wrap="wrap",
                ),
                rx.text("Created " + S.contact["created"].to(str), size="1", color=SUBTLE),
                spacing="1",
                min_width="0",
                flex="1 1 220px",
            ),
            rx.spacer(),
            rx.hstack(
                rx.button(
                    rx.cond(
                        S.contact["archived"].to(bool),
                        rx.icon("archive-restore", size=15),
                        rx.icon("archive", size=15),
                    ),
                    rx.cond(S.contact["archived"].to(bool), "Unarchive", "Archive"),
                    variant="soft",
                    color_scheme="gray",
                    on_click=S.toggle_archived,
                ),
                rx.cond(
                    S.can_admin,
                    rx.button(
                        rx.icon("trash-2", size=15),
                        "Erase contact",
                        variant="soft",
                        color_scheme="red",
                        on_click=S.open_erase,
                    ),
                ),
                spacing="2",
            ),
            width="100%",
            align="start",
            spacing="4",
            wrap="wrap",
        ),
        rx.separator(size="4", margin_y="16px"),
        rx.hstack(
            _header_select("Owner", _owner_select()),
            _header_select("Stage", _stage_select()),
            _header_select("Status", _status_select()),
            spacing="5",
            wrap="wrap",
        ),
    )


def erase_dialog() -> rx.Component:
    return confirm_dialog(
        "Erase contact",
        "This permanently deletes the contact with all notes, files, form submissions, "
        "conversations and activity. This can't be undone.",
        rx.button("Erase contact", color_scheme="red", disabled=~S.erase_ready, on_click=S.erase),
        rx.vstack(
            rx.text("Type ", rx.text.strong(S.erase_phrase), " to confirm.", size="2"),
            rx.input(
                value=S.erase_confirm,
                on_change=S.set_erase_confirm,
                placeholder=S.erase_phrase,
                aria_label="Type the contact's name to confirm",
                width="100%",
            ),
            field_error(S.erase_error),
            spacing="2",
            padding_top="14px",
            width="100%",
        ),
        open=S.erase_open,
        on_open_change=S.set_open("erase_open"),
        max_width="480px",
    )
