"""Rich-text editing (TipTap) for notes."""

from crm_app.components.rich_text.editor import RichTextEditor, rich_text_editor

__all__ = ["RichTextEditor", "rich_text_editor"]
