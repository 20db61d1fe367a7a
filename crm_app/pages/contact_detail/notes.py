"""Contact details → Notes: the rich-text editor and the notes, with edit and delete."""

from __future__ import annotations

import reflex as rx

from crm_app.components.kit import MUTED, SUBTLE, card, confirm_dialog
from crm_app.components.layout import ACCENT, empty_state
from crm_app.components.rich_text import rich_text_editor
from crm_app.state.contact_detail import ContactDetailState as S

# Shared look of sanitized note HTML (rx.html renders it into a div).
NOTE_BODY_STYLE = {
    "font_size": "14px",
    "line_height": "1.6",
    "color": rx.color("gray", 12),
    "word_break": "break-word",
    "& p": {"margin": "0 0 6px 0"},
    "& h1": {"font_size": "20px", "font_weight": "700", "margin": "8px 0 6px"},
    "& h2": {"font_size": "18px", "font_weight": "700", "margin": "8px 0 6px"},
    "& h3": {"font_size": "16px", "font_weight": "700", "margin": "6px 0 4px"},
    "& ul, & ol": {"padding_left": "22px", "margin": "4px 0 8px"},
    "& ul": {"list_style_type": "disc"},
    "& ol": {"list_style_type": "decimal"},
    "& li": {"margin": "2px 0"},
    "& li > p": {"margin": "0"},
    "& blockquote": {
        "border_left": f"3px solid {rx.color('gray', 7)}",
        "margin": "6px 0",
        "padding": "2px 0 2px 12px",
        "color": rx.color("gray", 11),
    },
    "& a": {"color": rx.color(ACCENT, 11), "text_decoration": "underline"},
    "& code": {"background": rx.color("gray", 3), "border_radius": "4px", "padding": "1px 4px"},
    "& pre": {
        "background": rx.color("gray", 3),
        "border_radius": "6px",
        "padding": "8px",
        "overflow_x": "auto",
    },
}


def _note_menu(note: rx.Var) -> rx.Component:
    note_id = note["id"].to(str)
    return rx.dropdown_menu.root(
        rx.dropdown_menu.trigger(
            rx.icon_button(
                rx.icon("ellipsis", size=16),
                variant="ghost",
                color_scheme="gray",
                size="1",
                aria_label="Note actions",
            )
        ),
        rx.dropdown_menu.content(
            rx.dropdown_menu.item(
                rx.cond(note["pinned"].to(bool), "Unpin", "Pin to top"),
                on_click=S.toggle_pin(note_id),
            ),
            rx.cond(
                note["can_edit"].to(bool),
                rx.fragment(
                    rx.dropdown_menu.item("Edit", on_click=S.start_edit_note(note_id)),
                    rx.dropdown_menu.separator(),
                    rx.dropdown_menu.item(
                        "Delete", color="red", on_click=S.ask_delete_note(note_id)
                    ),
                ),
            ),
        ),
    )


def _note(note: rx.Var) -> rx.Component:
    author = note["author"].to(str)
    return card(
        rx.hstack(
            rx.avatar(
                fallback=note["initials"].to(str), size="2", radius="full", color_scheme="gray"
            ),
            rx.vstack(
                rx.text(author, size="2", weight="medium"),
                rx.text(
                    note["time"].to(str) + rx.cond(note["edited"].to(bool), " · edited", ""),
                    size="1",
                    color=SUBTLE,
                ),
                spacing="0",
            ),
            rx.cond(
                note["pinned"].to(bool),
                rx.badge(rx.icon("pin", size=11), "Pinned", variant="soft", color_scheme="amber"),
            ),
            rx.spacer(),
            _note_menu(note),
            align="center",
            spacing="2",
            width="100%",
            padding_bottom="10px",
        ),
        rx.cond(
            S.editing_note_id == note["id"].to(str),
            rich_text_editor(
                content=S.editing_html,
                reset_key=note["id"].to(str),
                save_label="Save changes",
                show_cancel=True,
                on_save=S.save_note_edit,
                on_cancel=S.cancel_edit_note,
                aria_label="Edit note",
            ),
            rx.html(note["html"].to(str), style=NOTE_BODY_STYLE, class_name="note-body"),
        ),
        padding="16px 18px",
        border_color=rx.cond(note["pinned"].to(bool), rx.color("amber", 6), rx.color("gray", 5)),
    )


def notes_tab() -> rx.Component:
    return rx.vstack(
        card(
            rx.text("Add a note", size="3", weight="bold"),
            rx.text(
                "Internal notes are visible to your team only.",
                size="2",
                color=MUTED,
                padding_bottom="10px",
            ),
            rich_text_editor(
                reset_key=S.editor_key,
                placeholder="Write a note about this contact…",
                save_label="Save note",
                on_save=S.add_note,
                aria_label="New note",
            ),
        ),
        rx.cond(
            S.notes.length() > 0,
            rx.vstack(rx.foreach(S.notes, _note), spacing="3", width="100%"),
            empty_state(
                "sticky-note",
                "No notes yet",
                "Notes you and your team add about this contact appear here.",
            ),
        ),
        confirm_dialog(
            "Delete note",
            "This note will be removed for everyone. This can't be undone.",
            rx.button("Delete note", color_scheme="red", on_click=S.delete_note),
            open=S.delete_note_id != "",
            on_open_change=S.cancel_delete_note,
            closes=True,
        ),
        spacing="4",
        width="100%",
    )
