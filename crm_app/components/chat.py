"""The chat (public page, widget iframe and Playground): messages, streamed reply, composer.

    chat_panel(PublicChatState, header=...)   # S: a state built on state/chat/core.ChatCore

Agent replies are Markdown rendered without raw HTML (no rehype-raw: react-markdown then
shows any HTML in the text as text), with links opening in a new tab and images shown as
their alt text (a reply cannot make the browser fetch a URL). Visitor messages are plain
text. Enter sends, Shift+Enter starts a new line (a small script installed on mount).
"""

from __future__ import annotations

import reflex as rx
from reflex.vars.base import Var

from crm_app.state.chat.core import INPUT_ID, LIST_ID, MAX_CHARS

SEND_ID = "crm-chat-send"
ACCENT = "teal"

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


# ---------------------------------------------------------------- safe Markdown


def _p(value, **_):
    return rx.text(value, as_="p", size="2", margin_y="0.35em")


def _list(kind):
    def make(value, **_):
        return rx.el.ul(value) if kind == "ul" else rx.el.ol(value)

    return make


def _li(value, **_):
    return rx.el.li(value, style={"margin": "0.2em 0"})


def _heading(size):
    def make(value, **_):
        return rx.text(value, as_="p", size=size, weight="bold", margin_y="0.4em")

    return make


def _a(value, **_):
    return rx.link(value, is_external=True, rel="noopener noreferrer nofollow ugc")


def _code(value, **_):
    return rx.code(value, size="2", variant="soft", style={"word_break": "break-word"})


def _pre(value, **_):
    return rx.el.pre(
        rx.el.code(value),
        style={
            "background": rx.color("gray", 4),
            "padding": "8px 10px",
            "border_radius": "8px",
            "overflow_x": "auto",
            "font_size": "13px",
            "margin": "0.4em 0",
            "white_space": "pre-wrap",
        },
    )


def _img(*_, **__):
    # The image's alt text only: a reply never makes the browser load an address.
    return rx.el.span(Var(_js_expr="(props.alt || '')", _var_type=str))


_MARKDOWN_MAP = {
    "p": _p,
    "ul": _list("ul"),
    "ol": _list("ol"),
    "li": _li,
    "h1": _heading("3"),
    "h2": _heading("3"),
    "h3": _heading("2"),
    "h4": _heading("2"),
    "h5": _heading("2"),
    "h6": _heading("2"),
    "a": _a,
    "code": _code,
    "pre": _pre,
    "img": _img,
}


def safe_markdown(content) -> rx.Component:
    """Markdown without raw HTML, math or images (see the module docstring)."""
    return rx.markdown(
        content,
        use_raw=False,
        use_math=False,
        use_katex=False,
        use_unwrap_images=False,
        component_map=_MARKDOWN_MAP,
        class_name="crm-chat-markdown",
    )


# ---------------------------------------------------------------- messages


def avatar(S, size: str = "2") -> rx.Component:
    return rx.avatar(
        src=S.avatar_url,
        fallback=S.agent_initial,
        size=size,
        radius="full",
        color_scheme=ACCENT,
        variant="solid",
        flex_shrink="0",
    )


def _bubble(*children, mine: bool, **props) -> rx.Component:
    return rx.box(
        *children,
        padding="8px 12px",
        border_radius="16px",
        border_bottom_right_radius="4px" if mine else "16px",
        border_bottom_left_radius="16px" if mine else "4px",
        background=rx.color(ACCENT, 9) if mine else rx.color("gray", 3),
        color="white" if mine else rx.color("gray", 12),
        max_width="100%",
        min_width="0",
        overflow_wrap="anywhere",
        **props,
    )


def _action(icon: str, label: str, on_click, active=None) -> rx.Component:
    return rx.tooltip(
        rx.icon_button(
            rx.icon(icon, size=14),
            size="1",
            variant=rx.cond(active, "soft", "ghost") if active is not None else "ghost",
            color_scheme=ACCENT if active is not None else "gray",
            on_click=on_click,
            aria_label=label,
            aria_pressed=active if active is not None else None,
        ),
        content=label,
    )


def _visitor_line(line) -> rx.Component:
    return rx.vstack(
        _bubble(
            rx.text(line.content, size="2", white_space="pre-wrap", as_="p"),
            mine=True,
        ),
        rx.text(line.time, size="1", color=rx.color("gray", 9)),
        align="end",
        spacing="1",
        max_width="min(85%, 620px)",
        margin_left="auto",
        class_name="crm-chat-visitor",
    )


def _agent_line(S, line) -> rx.Component:
    return rx.hstack(
        avatar(S),
        rx.vstack(
            _bubble(
                safe_markdown(line.content),
                mine=False,
                border=rx.cond(line.status == "error", f"1px solid {rx.color('red', 7)}", "none"),
            ),
            rx.cond(
                line.id > 0,
                rx.hstack(
                    _action("copy", "Copy", S.copy(line.id)),
                    _action(
                        "thumbs-up", "Like", S.feedback(line.id, "like"), line.feedback == "like"
                    ),
                    _action(
                        "thumbs-down",
                        "Dislike",
                        S.feedback(line.id, "dislike"),
                        line.feedback == "dislike",
                    ),
                    rx.text(line.time, size="1", color=rx.color("gray", 9), padding_left="4px"),
                    spacing="2",
                    align="center",
                    padding_left="4px",
                ),
            ),
            spacing="1",
            align="start",
            min_width="0",
        ),
        spacing="2",
        align="start",
        max_width="min(92%, 680px)",
        class_name="crm-chat-agent",
    )


def _line(S, line) -> rx.Component:
    return rx.cond(line.role == "visitor", _visitor_line(line), _agent_line(S, line))


def _typing(S) -> rx.Component:
    return rx.hstack(
        avatar(S),
        _bubble(
            rx.hstack(
                rx.box(class_name="crm-dot"),
                rx.box(class_name="crm-dot"),
                rx.box(class_name="crm-dot"),
                spacing="1",
                align="center",
                height="20px",
            ),
            mine=False,
        ),
        spacing="2",
        align="start",
        aria_label=S.agent_name + " is typing",
        role="status",
        class_name="crm-chat-typing",
    )


def _streaming(S) -> rx.Component:
    return rx.hstack(
        avatar(S),
        _bubble(safe_markdown(S.streaming), mine=False),
        spacing="2",
        align="start",
        max_width="min(92%, 680px)",
        class_name="crm-chat-agent crm-chat-streaming",
    )


def message_list(S) -> rx.Component:
    return rx.box(
        rx.vstack(
            rx.foreach(S.lines, lambda line: _line(S, line)),
            rx.cond(S.typing, _typing(S)),
            rx.cond(S.streaming != "", _streaming(S)),
            spacing="4",
            width="100%",
            max_width="820px",
            margin_x="auto",
            padding=["14px 12px", "20px 20px"],
        ),
        id=LIST_ID,
        flex="1",
        min_height="0",
        overflow_y="auto",
        width="100%",
        aria_live="polite",
        role="log",
        aria_label="Conversation",
    )


# ---------------------------------------------------------------- composer


def composer(S) -> rx.Component:
    return rx.box(
        rx.vstack(
            rx.cond(
                S.error != "",
                rx.callout(
                    S.error,
                    icon="circle-alert",
                    color_scheme="red",
                    size="1",
                    role="alert",
                    width="100%",
                ),
            ),
            rx.el.form(
                rx.hstack(
                    rx.el.textarea(
                        id=INPUT_ID,
                        name="message",
                        rows=1,
                        placeholder="Type your message…",
                        aria_label="Message",
                        auto_complete="off",
                        on_change=S.set_draft.debounce(250),
                        class_name="crm-chat-input",
                    ),
                    rx.icon_button(
                        rx.cond(S.replying, rx.spinner(size="2"), rx.icon("arrow-up", size=18)),
                        id=SEND_ID,
                        type="submit",
                        size="3",
                        radius="full",
                        disabled=S.replying | S.over_limit | ~S.chat_ready,
                        aria_label="Send",
                        flex_shrink="0",
                    ),
                    align="end",
                    spacing="2",
                    width="100%",
                ),
                on_submit=S.send,
                reset_on_submit=False,
                width="100%",
            ),
            rx.hstack(
                rx.text(
                    "Enter to send · Shift+Enter for a new line",
                    size="1",
                    color=rx.color("gray", 9),
                    display=["none", "block"],
                ),
                rx.spacer(),
                rx.text(
                    S.counter,
                    size="1",
                    color=rx.cond(S.over_limit, rx.color("red", 11), rx.color("gray", 10)),
                    aria_live="polite",
                ),
                width="100%",
                min_height="16px",
            ),
            spacing="2",
            width="100%",
            max_width="820px",
            margin_x="auto",
        ),
        width="100%",
        padding=["8px 10px calc(8px + env(safe-area-inset-bottom))", "12px 20px 14px"],
        border_top=f"1px solid {rx.color('gray', 4)}",
        background=rx.color("gray", 1),
        flex_shrink="0",
    )


# ---------------------------------------------------------------- header controls

_ELLIPSIS = {
    "white_space": "nowrap",
    "overflow": "hidden",
    "text_overflow": "ellipsis",
    "max_width": "100%",
}


def chats_menu(S) -> rx.Component:
    """The visitor's earlier conversations (same browser), newest first."""
    return rx.cond(
        S.chats.length() > 0,
        rx.dropdown_menu.root(
            rx.dropdown_menu.trigger(
                rx.button(
                    rx.icon("history", size=15),
                    rx.text("Chats", display=["none", "inline"]),
                    variant="soft",
                    color_scheme="gray",
                    size="2",
                    aria_label="Earlier chats",
                ),
            ),
            rx.dropdown_menu.content(
                rx.text(
                    "Your conversations",
                    size="1",
                    weight="bold",
                    color=rx.color("gray", 10),
                    padding="4px 8px",
                ),
                rx.foreach(
                    S.chats,
                    lambda c: rx.dropdown_menu.item(
                        rx.box(
                            rx.el.div(c.title, style=_ELLIPSIS | {"font_weight": "500"}),
                            rx.el.div(
                                c.when + " · " + c.preview,
                                style=_ELLIPSIS
                                | {"font_size": "12px", "color": rx.color("gray", 10)},
                            ),
                            # A fixed width: Radix sizes menu items to their content.
                            width="min(280px, calc(100vw - 64px))",
                        ),
                        on_select=S.open_chat(c.id),
                        height="auto",
                        padding_y="6px",
                        background=rx.cond(
                            c.id == S.conversation_id, rx.color(ACCENT, 3), "transparent"
                        ),
                    ),
                ),
                width="min(320px, calc(100vw - 24px))",
                overflow_x="hidden",
                max_height="60vh",
                overflow_y="auto",
                align="end",
            ),
        ),
    )


def new_chat_button(S) -> rx.Component:
    return rx.button(
        rx.icon("square-pen", size=15),
        rx.text("New chat", display=["none", "inline"]),
        variant="soft",
        size="2",
        on_click=S.new_chat,
        disabled=S.replying,
        aria_label="New chat",
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
