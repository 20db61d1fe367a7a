"""CRM → Contacts → one contact: header with in-place Owner/Stage/Status,
copy buttons, archive and erase; tabs General, Form, Chat Conversation, Notes, Files, Activity."""

from __future__ import annotations

import reflex as rx

from crm_app import routes
from crm_app.components.kit import card, confirm_dialog, dialog_footer
from crm_app.components.layout import ACCENT, dashboard, empty_state, field_error
from crm_app.components.rich_text import rich_text_editor
from crm_app.services.files import MAX_FILE_BYTES
from crm_app.services.timeline import STATUSES
from crm_app.state.base import AppState
from crm_app.state.contact_detail import UPLOAD_ID
from crm_app.state.contact_detail import ContactDetailState as S

_MUTED = rx.color("gray", 11)
_SUBTLE = rx.color("gray", 10)
_STATUS_COLORS = {"Active": "green", "Inactive": "gray", "Blocked": "red"}

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
            rx.icon(icon, size=14, color=_SUBTLE),
            rx.text(
                shown if shown is not None else value,
                size="2",
                color=_MUTED,
                overflow_wrap="anywhere",
            ),
            _copy_button(value, what),
            spacing="2",
            align="center",
            min_width="0",
        ),
    )


# ---------------------------------------------------------------- header


def _header_select(label: str, control: rx.Component) -> rx.Component:
    return rx.vstack(
        rx.text(
            label,
            size="1",
            weight="medium",
            color=_SUBTLE,
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
        rx.select.content(
            rx.foreach(S.owners, lambda m: rx.select.item(m["name"].to(str), value=m["id"].to(str)))
        ),
        value=S.contact["owner_id"].to(str),
        on_change=S.change_owner,
        size="2",
    )


def _stage_select() -> rx.Component:
    return rx.select.root(
        rx.select.trigger(placeholder="No stage", width="100%", aria_label="Stage"),
        rx.select.content(
            rx.foreach(S.stages, lambda s: rx.select.item(s["name"].to(str), value=s["id"].to(str)))
        ),
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


def _header() -> rx.Component:
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
                rx.text("Created " + S.contact["created"].to(str), size="1", color=_SUBTLE),
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


# ---------------------------------------------------------------- General


def _field_row(field: rx.Var) -> rx.Component:
    value = field["value"].to(str)
    return rx.vstack(
        rx.text(field["label"].to(str), size="1", weight="medium", color=_SUBTLE),
        rx.cond(
            value != "",
            rx.text(value, size="2", weight="medium", overflow_wrap="anywhere"),
            rx.text("—", size="2", color=_SUBTLE),
        ),
        spacing="1",
        padding_y="6px",
        min_width="0",
    )


def _general_tab() -> rx.Component:
    return card(
        rx.hstack(
            rx.vstack(
                rx.text("Contact details", size="4", weight="bold"),
                rx.text("Default and custom fields of this contact.", size="2", color=_MUTED),
                spacing="1",
            ),
            rx.spacer(),
            rx.button(rx.icon("pencil", size=14), "Edit details", on_click=S.open_edit, size="2"),
            width="100%",
            align="center",
            padding_bottom="12px",
        ),
        rx.grid(
            rx.foreach(S.fields, _field_row),
            columns=rx.breakpoints(initial="1", sm="2", lg="3"),
            spacing_x="6",
            spacing_y="2",
            width="100%",
        ),
        rx.separator(size="4", margin_y="14px"),
        rx.grid(
            _static("Source", "via " + S.contact["source"].to(str)),
            _static("Created", S.contact["created"].to(str)),
            _static("Last updated", S.contact["updated"].to(str)),
            columns=rx.breakpoints(initial="1", sm="2", lg="3"),
            spacing_x="6",
            width="100%",
        ),
    )


def _static(label: str, value) -> rx.Component:
    return rx.vstack(
        rx.text(label, size="1", weight="medium", color=_SUBTLE),
        rx.text(value, size="2"),
        spacing="1",
        padding_y="6px",
    )


def _edit_control(field: rx.Var) -> rx.Component:
    key = field["key"].to(str)
    ftype = field["type"].to(str)
    value = S.edit_values[key].to(str)
    text_input = rx.input(
        value=value,
        on_change=lambda v: S.set_edit_value(key, v),
        type=rx.match(
            ftype,
            ("Date", "date"),
            ("Number", "text"),
            ("Email", "email"),
            ("Phone", "tel"),
            "text",
        ),
        aria_label=field["label"].to(str),
        width="100%",
    )
    return rx.vstack(
        rx.text(field["label"].to(str), size="2", weight="medium"),
        rx.match(
            ftype,
            (
                "Dropdown",
                rx.select.root(
                    rx.select.trigger(
                        placeholder="Choose…", width="100%", aria_label=field["label"].to(str)
                    ),
                    rx.select.content(
                        rx.foreach(
                            field["options"].to(list[str]), lambda o: rx.select.item(o, value=o)
                        )
                    ),
                    value=value,
                    on_change=lambda v: S.set_edit_value(key, v),
                ),
            ),
            (
                "Checkbox",
                rx.select.root(
                    rx.select.trigger(
                        placeholder="Choose…", width="100%", aria_label=field["label"].to(str)
                    ),
                    rx.select.content(
                        rx.select.item("Yes", value="Yes"), rx.select.item("No", value="No")
                    ),
                    value=value,
                    on_change=lambda v: S.set_edit_value(key, v),
                ),
            ),
            (
                "Long text",
                rx.text_area(
                    value=value,
                    on_change=lambda v: S.set_edit_value(key, v),
                    aria_label=field["label"].to(str),
                    width="100%",
                    rows="3",
                ),
            ),
            text_input,
        ),
        rx.cond(
            ftype == "Multi-select",
            rx.text(
                "Separate choices with commas: " + field["options"].to(list[str]).join(", "),
                size="1",
                color=_SUBTLE,
            ),
        ),
        field_error(S.edit_errors.get(key, "")),
        spacing="1",
        width="100%",
    )


def _edit_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("Edit details"),
            rx.dialog.description(
                "Changes are saved to the contact and recorded in its activity.",
                size="2",
                color=_MUTED,
                margin_bottom="16px",
            ),
            rx.scroll_area(
                rx.vstack(
                    rx.foreach(S.fields, _edit_control),
                    spacing="4",
                    width="100%",
                    padding_right="12px",
                ),
                max_height="60vh",
                type="auto",
                scrollbars="vertical",
            ),
            dialog_footer(rx.button("Save changes", on_click=S.save_edit), padding_right="12px"),
            max_width="560px",
        ),
        open=S.edit_open,
        on_open_change=S.set_edit_open,
    )


# ---------------------------------------------------------------- Form


def _answer(answer: rx.Var) -> rx.Component:
    return rx.hstack(
        rx.text(
            answer["label"].to(str), size="2", color=_MUTED, min_width="180px", max_width="240px"
        ),
        rx.text(answer["value"].to(str), size="2", weight="medium", white_space="pre-wrap"),
        spacing="4",
        padding_y="6px",
        border_bottom=f"1px solid {rx.color('gray', 4)}",
        width="100%",
        align="start",
    )


def _submission(sub: rx.Var) -> rx.Component:
    return rx.accordion.item(
        header=rx.hstack(
            rx.icon("file-text", size=16, color=rx.color(ACCENT, 10)),
            rx.text(sub["form"].to(str), weight="medium", size="2"),
            rx.badge(sub["status"].to(str), variant="soft", color_scheme="gray"),
            rx.spacer(),
            rx.text(sub["time"].to(str), size="1", color=_SUBTLE),
            width="100%",
            align="center",
            spacing="2",
            padding_right="8px",
        ),
        content=rx.vstack(
            rx.foreach(sub["answers"].to(list[dict]), _answer), spacing="0", width="100%"
        ),
        value=sub["id"].to(str),
    )


def _form_tab() -> rx.Component:
    return rx.cond(
        S.submissions.length() > 0,
        card(
            rx.accordion.root(
                rx.foreach(S.submissions, _submission),
                type="multiple",
                collapsible=True,
                variant="ghost",
                color_scheme="gray",
                width="100%",
            ),
            padding="8px",
        ),
        empty_state(
            "file-text",
            "No form submissions yet",
            "When this contact fills in one of your forms, each submission and its answers appear here.",
        ),
    )


# ---------------------------------------------------------------- Chat Conversation


def _conversation(conv: rx.Var) -> rx.Component:
    return rx.box(
        rx.hstack(
            rx.center(
                rx.icon("message-circle", size=16, color=rx.color(ACCENT, 11)),
                width="34px",
                height="34px",
                border_radius="999px",
                background=rx.color(ACCENT, 3),
                flex_shrink="0",
            ),
            rx.vstack(
                rx.text(conv["title"].to(str), weight="medium", size="2", trim="both"),
                rx.text(
                    conv["messages"].to(str) + " messages · " + conv["time"].to(str),
                    size="1",
                    color=_SUBTLE,
                ),
                spacing="1",
                min_width="0",
            ),
            rx.spacer(),
            rx.icon("chevron-right", size=16, color=_SUBTLE),
            align="center",
            spacing="3",
            width="100%",
        ),
        padding="12px 14px",
        border_radius="10px",
        cursor="pointer",
        _hover={"background": rx.color("gray", 3)},
        on_click=S.open_transcript(conv["id"].to(str)),
        role="button",
        width="100%",
    )


def _bubble(msg: rx.Var) -> rx.Component:
    visitor = msg["role"].to(str) == "visitor"
    return rx.vstack(
        rx.text(msg["who"].to(str) + " · " + msg["time"].to(str), size="1", color=_SUBTLE),
        rx.box(
            rx.text(msg["content"].to(str), size="2", white_space="pre-wrap"),
            background=rx.cond(visitor, rx.color("gray", 3), rx.color(ACCENT, 3)),
            padding="8px 12px",
            border_radius="12px",
            max_width="80%",
        ),
        align=rx.cond(visitor, "start", "end"),
        spacing="1",
        width="100%",
    )


def _transcript_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(S.transcript_title),
            rx.scroll_area(
                rx.vstack(
                    rx.foreach(S.transcript, _bubble),
                    spacing="3",
                    width="100%",
                    padding_right="10px",
                ),
                max_height="60vh",
                type="auto",
                scrollbars="vertical",
            ),
            dialog_footer(cancel="Close"),
            max_width="620px",
        ),
        open=S.transcript_open,
        on_open_change=S.set_transcript_open,
    )


def _chat_tab() -> rx.Component:
    return rx.cond(
        S.conversations.length() > 0,
        card(
            rx.vstack(rx.foreach(S.conversations, _conversation), spacing="1", width="100%"),
            padding="8px",
        ),
        empty_state(
            "message-circle",
            "No conversations yet",
            "Chats this contact has with your agent appear here. Click one to read the transcript.",
        ),
    )


# ---------------------------------------------------------------- Notes


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
                    color=_SUBTLE,
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


def _notes_tab() -> rx.Component:
    return rx.vstack(
        card(
            rx.text("Add a note", size="3", weight="bold"),
            rx.text(
                "Internal notes are visible to your team only.",
                size="2",
                color=_MUTED,
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


# ---------------------------------------------------------------- Files


def _file_row(f: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(
            rx.hstack(
                rx.icon("file", size=16, color=rx.color(ACCENT, 10)),
                rx.text(f["name"].to(str), size="2", weight="medium"),
                align="center",
                spacing="2",
            )
        ),
        rx.table.cell(rx.text(f["size"].to(str), size="2", color=_MUTED)),
        rx.table.cell(rx.text(f["uploader"].to(str), size="2", color=_MUTED)),
        rx.table.cell(rx.text(f["time"].to(str), size="2", color=_MUTED)),
        rx.table.cell(
            rx.hstack(
                rx.el.a(
                    rx.button(rx.icon("download", size=14), "Download", size="1", variant="soft"),
                    href=f["url"].to(str),
                    download=f["name"].to(str),
                    reload_document=True,  # a real request to the download route, not client routing
                    aria_label="Download " + f["name"].to(str),
                ),
                rx.cond(
                    f["can_delete"].to(bool),
                    rx.icon_button(
                        rx.icon("trash-2", size=14),
                        size="1",
                        variant="ghost",
                        color_scheme="red",
                        aria_label="Delete " + f["name"].to(str),
                        on_click=S.ask_delete_file(f["id"].to(str)),
                    ),
                ),
                spacing="2",
                justify="end",
            ),
        ),
        align="center",
    )


def _upload_zone() -> rx.Component:
    return rx.upload.root(
        rx.vstack(
            rx.cond(
                S.uploading,
                rx.spinner(size="3"),
                rx.center(
                    rx.icon("cloud-upload", size=22, color=rx.color(ACCENT, 10)),
                    width="44px",
                    height="44px",
                    border_radius="999px",
                    background=rx.color(ACCENT, 3),
                ),
            ),
            rx.text(rx.text.strong("Click to upload"), " or drag files here", size="2"),
            rx.text(
                f"PDF, images, Office documents, text or CSV · up to {MAX_FILE_BYTES // (1024 * 1024)} MB each",
                size="1",
                color=_SUBTLE,
            ),
            align="center",
            spacing="2",
        ),
        id=UPLOAD_ID,
        multiple=True,
        on_drop=S.upload_files(rx.upload_files(upload_id=UPLOAD_ID)),
        border=f"1.5px dashed {rx.color('gray', 7)}",
        border_radius="12px",
        padding="26px",
        width="100%",
        cursor="pointer",
        background=rx.color("gray", 1),
        _hover={"border_color": rx.color(ACCENT, 8), "background": rx.color(ACCENT, 2)},
    )


def _files_tab() -> rx.Component:
    return rx.vstack(
        _upload_zone(),
        rx.cond(
            S.file_error != "",
            rx.callout(
                S.file_error,
                icon="circle-alert",
                color_scheme="red",
                size="1",
                width="100%",
                role="alert",
            ),
        ),
        rx.cond(
            S.files.length() > 0,
            card(
                rx.table.root(
                    rx.table.header(
                        rx.table.row(
                            rx.table.column_header_cell("Name"),
                            rx.table.column_header_cell("Size"),
                            rx.table.column_header_cell("Uploaded by"),
                            rx.table.column_header_cell("Uploaded"),
                            rx.table.column_header_cell(""),
                        )
                    ),
                    rx.table.body(rx.foreach(S.files, _file_row)),
                    width="100%",
                    variant="ghost",
                ),
                padding="8px 12px",
            ),
            empty_state(
                "paperclip",
                "No files yet",
                "Upload documents, images or spreadsheets for this contact. "
                "Files are private to your team.",
            ),
        ),
        confirm_dialog(
            "Delete file",
            "Delete " + S.delete_file_name + "? This can't be undone.",
            rx.button("Delete file", color_scheme="red", on_click=S.delete_file),
            open=S.delete_file_id != "",
            on_open_change=S.cancel_delete_file,
            closes=True,
        ),
        spacing="3",
        width="100%",
    )


# ---------------------------------------------------------------- Activity


def _activity_item(item: rx.Var) -> rx.Component:
    return rx.hstack(
        rx.center(
            rx.icon(item["icon"].to(str), size=15, color=rx.color(ACCENT, 11)),
            width="32px",
            height="32px",
            border_radius="999px",
            background=rx.color(ACCENT, 3),
            flex_shrink="0",
        ),
        rx.vstack(
            rx.text(item["message"].to(str), size="2"),
            rx.text(
                item["who"].to(str)
                + " · "
                + item["actor_type"].to(str)
                + " · "
                + item["time"].to(str),
                size="1",
                color=_SUBTLE,
            ),
            spacing="1",
            min_width="0",
        ),
        spacing="3",
        align="start",
        padding_y="10px",
        border_bottom=f"1px solid {rx.color('gray', 4)}",
        width="100%",
    )


def _activity_tab() -> rx.Component:
    return rx.cond(
        S.activity.length() > 0,
        card(
            rx.vstack(rx.foreach(S.activity, _activity_item), spacing="0", width="100%"),
            padding="8px 20px",
        ),
        empty_state(
            "activity",
            "No activity yet",
            "Everything that happens to this contact is recorded here.",
        ),
    )


# ---------------------------------------------------------------- dialogs


def _erase_dialog() -> rx.Component:
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
        on_open_change=S.set_erase_open,
        max_width="480px",
    )


# ---------------------------------------------------------------- page


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
        rx.tabs.content(_general_tab(), value="general", padding_top="16px"),
        rx.tabs.content(_form_tab(), value="form", padding_top="16px"),
        rx.tabs.content(_chat_tab(), value="chat", padding_top="16px"),
        rx.tabs.content(_notes_tab(), value="notes", padding_top="16px"),
        rx.tabs.content(_files_tab(), value="files", padding_top="16px"),
        rx.tabs.content(_activity_tab(), value="activity", padding_top="16px"),
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
        color=_MUTED,
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
                    rx.vstack(_header(), _tabs(), spacing="4", width="100%"),
                ),
            ),
            spacing="4",
            width="100%",
        ),
        _edit_dialog(),
        _transcript_dialog(),
        _erase_dialog(),
    )


def register(app: rx.App) -> None:
    app.add_page(
        page,
        route=routes.CONTACT,
        title="Contact · Agent CRM",
        on_load=[AppState.load_shell, S.load],
    )
