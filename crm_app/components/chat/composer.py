"""The composer: error callout, message box, send button and character counter."""

from __future__ import annotations

import reflex as rx

from crm_app.state.chat.core import INPUT_ID

SEND_ID = "crm-chat-send"


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
