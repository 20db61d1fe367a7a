"""CRM → Contacts → one contact: header with in-place Owner/Stage/Status,
copy buttons, archive and erase; tabs General, Form, Chat Conversation, Notes, Files, Activity."""

from __future__ import annotations

import reflex as rx

from crm_app import routes
from crm_app.components.kit import MUTED
from crm_app.components.layout import dashboard, empty_state
from crm_app.pages.contact_detail.activity import activity_tab
from crm_app.pages.contact_detail.conversations import chat_tab, form_tab, transcript_dialog
from crm_app.pages.contact_detail.files import files_tab
from crm_app.pages.contact_detail.general import edit_dialog, general_tab
from crm_app.pages.contact_detail.header import erase_dialog, header
from crm_app.pages.contact_detail.notes import notes_tab
from crm_app.state.base import AppState
from crm_app.state.contact_detail import ContactDetailState as S


def _tab_trigger(value: str, label: str, icon: str, count=None) -> rx.Component:
    return rx.tabs.trigger(
        rx.hstack(
            rx.icon(icon, size=14),
            rx.text(label),
            rx.cond(count > 0, rx.badge(count, size="1", variant="soft", radius="full"))
            if count is not None
            else rx.fragment(),
            spacing="2",
            align="center",
        ),
        value=value,
    )


def _tabs() -> rx.Component:
    return rx.tabs.root(
        rx.tabs.list(
            _tab_trigger("general", "General", "id-card"),
            _tab_trigger("form", "Form", "file-text", S.submissions.length()),
            _tab_trigger("chat", "Chat Conversation", "message-circle", S.conversations.length()),
            _tab_trigger("notes", "Notes", "sticky-note", S.notes_count),
            _tab_trigger("files", "Files", "paperclip", S.files_count),
            _tab_trigger("activity", "Activity", "activity"),
            size="2",
        ),
        rx.tabs.content(general_tab(), value="general", padding_top="16px"),
        rx.tabs.content(form_tab(), value="form", padding_top="16px"),
        rx.tabs.content(chat_tab(), value="chat", padding_top="16px"),
        rx.tabs.content(notes_tab(), value="notes", padding_top="16px"),
        rx.tabs.content(files_tab(), value="files", padding_top="16px"),
        rx.tabs.content(activity_tab(), value="activity", padding_top="16px"),
        value=S.tab,
        on_change=S.set_tab,
        width="100%",
    )


def _back_link() -> rx.Component:
    return rx.link(
        rx.hstack(
            rx.icon("arrow-left", size=14),
            rx.text("Back to contacts", size="2"),
            spacing="1",
            align="center",
        ),
        href=S.contacts_href,
        color=MUTED,
        underline="hover",
    )


def page() -> rx.Component:
    return dashboard(
        rx.vstack(
            _back_link(),
            rx.cond(
                ~S.loaded,
                rx.center(rx.spinner(size="3"), padding="80px", width="100%"),
                rx.cond(
                    S.not_found,
                    empty_state(
                        "user-x",
                        "Contact not found",
                        "This contact doesn't exist, was erased, or you don't have access to it.",
                        rx.link(
                            rx.button("Back to contacts", variant="soft"), href=S.contacts_href
                        ),
                    ),
                    rx.vstack(header(), _tabs(), spacing="4", width="100%"),
                ),
            ),
            spacing="4",
            width="100%",
        ),
        edit_dialog(),
        transcript_dialog(),
        erase_dialog(),
    )


def register(app: rx.App) -> None:
    app.add_page(
        page,
        route=routes.CONTACT,
        title="Contact · Agent CRM",
        on_load=[AppState.load_shell, S.load],
    )
