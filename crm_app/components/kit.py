"""The small UI kit every screen shares: a card, a labelled field, a form layout, and
dialogs with their footer (Cancel on the left of the actions, all on the right).

    card(rx.heading("Files", size="3"), files_table, padding="8px 20px")
    labelled("Name", rx.input(...), S.errors.get("name", ""), hint="Shown to visitors.")
    form_layout(labelled(...), labelled(...), on_submit=S.save, footer=dialog_footer(...))
    form_dialog(
        "Rename agent",
        labelled("Name", rx.input(name="name", ...), S.rename_error),
        submit=rx.button("Save", type="submit"),
        on_submit=S.submit_rename,
        open=S.rename_open,
        on_open_change=S.set_open("rename_open"),
    )
    confirm_dialog(
        "Delete contacts",
        "Delete 3 contacts? This cannot be undone.",
        rx.button("Delete contacts", color_scheme="red", on_click=S.bulk("delete", "")),
        open=S.confirm_open,
        on_open_change=S.set_open("confirm_open"),
    )

A dialog whose body is not a form (a scrolling transcript, a wizard step) uses `dialog(...)`
and puts `dialog_footer(...)` where its buttons go.
"""

from __future__ import annotations

import reflex as rx

from crm_app import routes
from crm_app.components.layout import empty_state, field_error

MUTED = rx.color("gray", 11)
SUBTLE = rx.color("gray", 10)


def card(*children: rx.Component, **props) -> rx.Component:
    """A white panel with a thin border; `props` override the look (padding, max_width…)."""
    style = {
        "background": rx.color("gray", 1),
        "border": f"1px solid {rx.color('gray', 5)}",
        "border_radius": "12px",
        "padding": "20px",
        "width": "100%",
    } | props
    return rx.box(*children, **style)


def search_input(value, on_change, label: str, placeholder: str, **props) -> rx.Component:
    """A search box with its icon; `on_change` fires 300 ms after the typing stops."""
    return rx.input(
        rx.input.slot(rx.icon("search", size=15)),
        placeholder=placeholder,
        default_value=value,
        on_change=on_change.debounce(300),
        width="320px",
        aria_label=label,
        **props,
    )


def labelled(
    label: str,
    control: rx.Component,
    error=None,
    *,
    hint=None,
    html_for: str | None = None,
) -> rx.Component:
    """A form field: its label, the control, an optional hint and the field's inline error.
    `html_for` ties the label to the control's id (a click on the label focuses it)."""
    text = rx.text(label, size="2", weight="medium")
    return rx.vstack(
        rx.el.label(text, html_for=html_for) if html_for else text,
        control,
        rx.text(hint, size="1", color=SUBTLE) if hint is not None else rx.fragment(),
        field_error(error) if error is not None else rx.fragment(),
        spacing="1",
        width="100%",
    )


def form_layout(
    *fields: rx.Component,
    on_submit=None,
    footer: rx.Component | None = None,
    spacing: str = "4",
    **props,
) -> rx.Component:
    """Fields stacked with even spacing, then the footer; with `on_submit` it is a form
    (Enter submits, the handler gets the named fields' values, nothing is reset)."""
    body = rx.vstack(*fields, spacing=spacing, width="100%")
    if on_submit is None:
        return rx.vstack(body, footer or rx.fragment(), spacing="0", width="100%", **props)
    return rx.form(
        body,
        footer or rx.fragment(),
        on_submit=on_submit,
        reset_on_submit=False,
        width="100%",
        **props,
    )


def dialog_footer(
    *actions: rx.Component,
    cancel: str | None = "Cancel",
    alert: bool = False,
    leading: rx.Component | None = None,
    **props,
) -> rx.Component:
    """The buttons under a dialog, right-aligned: a grey Cancel that closes it, then `actions`.
    `alert=True` inside an alert dialog; `cancel=None` leaves Cancel out (or "Close");
    `leading` (e.g. a Back button) stands alone on the left."""
    close = rx.alert_dialog.cancel if alert else rx.dialog.close
    style = {"justify": "end", "align": "center", "spacing": "3", "padding_top": "20px"}
    if leading is not None:
        style["width"] = "100%"
    return rx.hstack(
        leading if leading is not None else rx.fragment(),
        rx.spacer() if leading is not None else rx.fragment(),
        close(rx.button(cancel, type="button", variant="soft", color_scheme="gray"))
        if cancel
        else rx.fragment(),
        *actions,
        **(style | props),
    )


def dialog(
    title,
    *body: rx.Component,
    open,
    on_open_change,
    description=None,
    max_width: str = "520px",
    **content_props,
) -> rx.Component:
    """A dialog: its title, an optional description, then `body` (which ends with a footer)."""
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(title),
            rx.dialog.description(description, size="2", color=MUTED, margin_bottom="16px")
            if description is not None
            else rx.fragment(),
            *body,
            max_width=max_width,
            **content_props,
        ),
        open=open,
        on_open_change=on_open_change,
    )


def form_dialog(
    title,
    *fields: rx.Component,
    submit: rx.Component,
    on_submit,
    open,
    on_open_change,
    description=None,
    max_width: str = "520px",
) -> rx.Component:
    """A dialog holding a form: fields, then Cancel and the `submit` button (type="submit")."""
    return dialog(
        title,
        form_layout(
            *fields,
            on_submit=on_submit,
            footer=dialog_footer(submit),
            padding_top="0" if description is not None else "8px",
        ),
        open=open,
        on_open_change=on_open_change,
        description=description,
        max_width=max_width,
    )


def confirm_dialog(
    title,
    text,
    action: rx.Component,
    *body: rx.Component,
    open,
    on_open_change,
    on_submit=None,
    closes: bool = False,
    max_width: str = "440px",
) -> rx.Component:
    """An alert dialog asking to confirm: `text`, an optional `body` (e.g. a type-to-confirm
    input), then Cancel and the `action` button. `closes=True` closes it on the action's click
    (otherwise the handler closes it, so a failure can keep it open); with `on_submit` the
    body and buttons are a form (the action is then a `type="submit"` button)."""
    footer = dialog_footer(rx.alert_dialog.action(action) if closes else action, alert=True)
    return rx.alert_dialog.root(
        rx.alert_dialog.content(
            rx.alert_dialog.title(title),
            rx.alert_dialog.description(text, size="2"),
            form_layout(*body, on_submit=on_submit, footer=footer, spacing="2")
            if on_submit is not None
            else rx.fragment(*body, footer),
            max_width=max_width,
        ),
        open=open,
        on_open_change=on_open_change,
    )


def icon_action(
    icon: str, label, tip, on_click=None, *, color_scheme: str = "gray", size: str = "1", **props
) -> rx.Component:
    """A ghost icon button with a tooltip (`tip`); `label` names it for screen readers."""
    return rx.tooltip(
        rx.icon_button(
            rx.icon(icon, size=14 if size == "1" else 15),
            size=size,
            variant="ghost",
            color_scheme=color_scheme,
            on_click=on_click,
            aria_label=label,
            **props,
        ),
        content=tip,
    )


def move_buttons(up, down, name, *, first, last, disabled=False) -> rx.Component:
    """Up and down arrows for one row of an ordered list named `name` (keyboard and touch
    alternative to dragging); `first`/`last` disable the arrow that would leave the list."""
    return rx.hstack(
        icon_action("arrow-up", "Move " + name + " up", "Move up", up, disabled=first | disabled),
        icon_action(
            "arrow-down", "Move " + name + " down", "Move down", down, disabled=last | disabled
        ),
        spacing="1",
    )


def back_link(text, href) -> rx.Component:
    """The small grey "← Forms" link above a screen's title, back to where it came from."""
    return rx.link(
        rx.hstack(
            rx.icon("arrow-left", size=14), rx.text(text, size="2"), spacing="1", align="center"
        ),
        href=href,
        color=rx.color("gray", 11),
    )


def download_link(*children, href, **props) -> rx.Component:
    """A link to a file the server sends (export, template, error report): the browser loads
    it itself (the client router would swallow it) and saves it."""
    return rx.el.a(*children, href=href, reload_document=True, download=True, **props)


def download_button(label, href, *, size: str = "2", **props) -> rx.Component:
    """A soft button with the download icon that saves the file at `href`."""
    return download_link(
        rx.button(
            rx.icon("download", size=14 if size == "1" else 15),
            label,
            size=size,
            **({"variant": "soft"} | props),
        ),
        href=href,
    )


def read_only_notice(text: str) -> rx.Component:
    """The grey line over a screen the member may look at but not change."""
    return rx.callout(text, icon="lock", color_scheme="gray", size="1", width="100%")


def agent_screen(loaded, load_error, content: rx.Component) -> rx.Component:
    """An agent's settings screen: a spinner until loaded, then `content`, or (wrong or
    foreign agent) why not with a way back to the agents."""
    return rx.cond(
        ~loaded,
        rx.center(rx.spinner(size="3"), padding="60px"),
        rx.cond(
            load_error != "",
            empty_state(
                "search-x",
                load_error,
                "This agent does not exist or you do not have access to it.",
                rx.link(rx.button("Go to Agents", variant="soft"), href=routes.AGENTS),
            ),
            content,
        ),
    )
