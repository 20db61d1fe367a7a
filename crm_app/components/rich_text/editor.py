"""A rich-text editor (TipTap) as a local JSX component: editor.jsx beside this module,
published with `rx.asset(shared=True)` like components/dnd.

Usage::

    rich_text_editor(
        content=State.draft_html,       # initial HTML (reloaded when reset_key changes)
        reset_key=State.editor_key,     # bump it to clear or reload the editor
        on_save=State.save_note,        # receives the editor's HTML (str)
        save_label="Save note",
    )

The HTML comes from the browser: sanitize it on the server (services/notes.sanitize_html)
before storing it and again before showing it.
"""

from __future__ import annotations

import reflex as rx
from reflex_base.event import passthrough_event_spec

_JSX = rx.asset("editor.jsx", shared=True)

TIPTAP_VERSION = "3.34.0"
TIPTAP_DEPENDENCIES = [
    f"@tiptap/react@{TIPTAP_VERSION}",
    f"@tiptap/pm@{TIPTAP_VERSION}",
    f"@tiptap/core@{TIPTAP_VERSION}",
    f"@tiptap/starter-kit@{TIPTAP_VERSION}",
    f"@tiptap/extension-underline@{TIPTAP_VERSION}",
    f"@tiptap/extension-link@{TIPTAP_VERSION}",
    f"@tiptap/extensions@{TIPTAP_VERSION}",
]


class RichTextEditor(rx.NoSSRComponent):
    """Toolbar (bold, italic, underline, H2/H3, lists, quote, link) + editor + Save button."""

    library = _JSX.importable_path
    lib_dependencies: list[str] = TIPTAP_DEPENDENCIES
    tag = "RichTextEditor"

    content: rx.Var[str]
    reset_key: rx.Var[str]
    placeholder: rx.Var[str]
    save_label: rx.Var[str]
    saving: rx.Var[bool]
    show_cancel: rx.Var[bool]
    aria_label: rx.Var[str]

    on_save: rx.EventHandler[passthrough_event_spec(str)]
    on_cancel: rx.EventHandler[passthrough_event_spec()]


rich_text_editor = RichTextEditor.create
