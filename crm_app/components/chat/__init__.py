"""The chat (public page, widget iframe and Playground): messages, streamed reply, composer.

    chat_panel(PublicChatState, header=...)   # S: a state built on state/chat/core.ChatCore

Agent replies are Markdown rendered without raw HTML (markdown.py); visitor messages are
plain text (messages.py). Enter sends, Shift+Enter starts a new line (a small script
installed on mount, below).
"""

from __future__ import annotations

import reflex as rx

from crm_app.components.chat.composer import SEND_ID, composer
from crm_app.components.chat.header import chats_menu, new_chat_button
from crm_app.components.chat.markdown import safe_markdown
from crm_app.components.chat.messages import avatar, message_list
from crm_app.state.chat.core import INPUT_ID, LIST_ID, MAX_CHARS

# Enter sends (unless Shift, or an IME is composing); the list follows new text while the
# reader is at its bottom. Installed once per page, keyed on the element ids.
_INSTALL = (
    "(() => { if (window.__crmChat) return; window.__crmChat = true;"
    " document.addEventListener('keydown', (e) => {"
    f"  const t = e.target; if (!t || t.id !== '{INPUT_ID}') return;"
    "  if (e.key !== 'Enter' || e.shiftKey || e.isComposing || e.keyCode === 229) return;"
    f"  e.preventDefault(); const b = document.getElementById('{SEND_ID}');"
    "  if (b && !b.disabled && t.form) t.form.requestSubmit(); }, true);"
    " let stick = true;"
    " const follow = () => {"
    f"  const list = document.getElementById('{LIST_ID}'); if (!list) return;"
    "  if (list.__crmObserved) return; list.__crmObserved = true;"
    "  list.addEventListener('scroll', () => { stick = list.scrollHeight - list.scrollTop - list.clientHeight < 80; });"
    "  new MutationObserver(() => { if (stick) list.scrollTop = list.scrollHeight; })"
    "   .observe(list, {childList: true, subtree: true, characterData: true});"
    "  list.scrollTop = list.scrollHeight; };"
    " follow(); new MutationObserver(follow).observe(document.body, {childList: true, subtree: true});"
    " })()"
)


def chat_panel(S, *, header: rx.Component, banner: rx.Component | None = None, **props):
    """Header, optional banner, messages and composer in a column that fills `props`' height."""
    style = {"direction": "column", "width": "100%", "min_height": "0"} | props
    return rx.flex(
        header,
        banner if banner is not None else rx.fragment(),
        message_list(S),
        composer(S),
        on_mount=rx.call_script(_INSTALL),
        **style,
    )


__all__ = [
    "MAX_CHARS",
    "avatar",
    "chat_panel",
    "chats_menu",
    "new_chat_button",
    "safe_markdown",
]
