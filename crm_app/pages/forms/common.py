"""Pieces the forms screens share: the status badge, the panel, the share panel."""

from __future__ import annotations

import reflex as rx

from crm_app.components.layout import empty_state

STATUS_COLORS = {"Draft": "gray", "Published": "green", "Closed": "amber"}
SUB_COLORS = {"New": "blue", "Reviewed": "green", "Spam": "red"}
# The builder's palette and properties panel beside the canvas from 992 px (narrower below
# 1280 px); below 992 px the three stack and take the full width.
BUILDER_SIDE = {
    "palette": ["100%", "100%", "100%", "172px", "190px"],
    "properties": ["100%", "100%", "100%", "264px", "300px"],
}
STICKY_IN_ROW = ["static", "static", "static", "sticky"]


def status_badge(status) -> rx.Component:
    return rx.badge(
        status,
        color_scheme=rx.match(status, *STATUS_COLORS.items(), "gray"),
        variant="soft",
        radius="full",
        size="2",
    )


def not_found(message) -> rx.Component:
    return empty_state(
        "search-x", message, "Check the address, or pick an agent you work in from the sidebar."
    )


def _copy_field(label: str, value, aria: str) -> rx.Component:
    return rx.vstack(
        rx.text(label, size="2", weight="medium"),
        rx.hstack(
            rx.text_area(
                value=value,
                read_only=True,
                rows="2",
                width="100%",
                aria_label=aria,
                style={"font_family": "var(--code-font-family)", "font_size": "12px"},
            ),
            rx.button(
                rx.icon("copy", size=14),
                "Copy",
                variant="soft",
                on_click=[rx.set_clipboard(value), rx.toast.success(f"{label} copied.")],
            ),
            width="100%",
            align="start",
        ),
        spacing="1",
        width="100%",
    )


def share_panel(url, embed, qr, status) -> rx.Component:
    return rx.vstack(
        rx.cond(
            status == "Draft",
            rx.callout(
                "This form is a draft: publish it before sharing, or visitors will see “Form not found”.",
                icon="info",
                color_scheme="amber",
                width="100%",
            ),
        ),
        _copy_field("Public link", url, "Public link"),
        rx.hstack(
            rx.link(
                rx.button(rx.icon("external-link", size=14), "Open public page", variant="outline"),
                href=url,
                is_external=True,
            )
        ),
        _copy_field("Embed code", embed, "Embed code"),
        rx.vstack(
            rx.text("QR code", size="2", weight="medium"),
            rx.hstack(
                rx.image(
                    src=qr,
                    alt="QR code for the public link",
                    width="132px",
                    height="132px",
                    border=f"1px solid {rx.color('gray', 5)}",
                    border_radius="8px",
                    background="white",
                ),
                rx.vstack(
                    rx.text(
                        "Print it on flyers or show it at the front desk; it opens the public link.",
                        size="2",
                        color=rx.color("gray", 11),
                    ),
                    rx.link(
                        rx.button(rx.icon("download", size=14), "Download QR code", variant="soft"),
                        href=qr + "?download=1",
                        is_external=True,
                    ),
                    spacing="2",
                ),
                spacing="4",
                align="center",
            ),
            spacing="1",
            width="100%",
        ),
        spacing="4",
        width="100%",
    )


# ------------------------------------------------------------------ list
