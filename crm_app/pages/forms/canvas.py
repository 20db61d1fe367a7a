"""The builder's Build tab: the element palette and the canvas the elements are dropped on."""

from __future__ import annotations

import reflex as rx

from crm_app.components.dnd.form_builder import builder_canvas, canvas_item, palette_item
from crm_app.components.kit import card
from crm_app.components.layout import ACCENT
from crm_app.pages.forms.common import BUILDER_SIDE, STICKY_IN_ROW
from crm_app.state.forms import PALETTE, PALETTE_ICONS, FormBuilderState


def palette() -> rx.Component:
    S = FormBuilderState
    return rx.vstack(
        rx.text(
            "Elements",
            size="1",
            weight="bold",
            color=rx.color("gray", 10),
            text_transform="uppercase",
            letter_spacing="0.04em",
        ),
        rx.text("Drag onto the form, or click to add.", size="1", color=rx.color("gray", 10)),
        rx.grid(
            *[
                palette_item(
                    rx.button(
                        rx.icon(PALETTE_ICONS[p["type"]], size=15, color=rx.color(ACCENT, 10)),
                        rx.text(p["label"], size="2", color=rx.color("gray", 12)),
                        variant="outline",
                        color_scheme="gray",
                        width="100%",
                        on_click=S.add_element(p["type"]),
                        disabled=~S.can_edit,
                        aria_label=f"Add {p['label']}",
                        style={
                            "cursor": "inherit",
                            "background": rx.color("gray", 1),
                            "justify_content": "flex-start",
                        },
                    ),
                    element_type=p["type"],
                    label=p["label"],
                )
                for p in PALETTE
            ],
            # Below 992 px the builder is one column: the palette spreads over the width.
            grid_template_columns=["repeat(2, 1fr)", "repeat(3, 1fr)", "repeat(3, 1fr)", "1fr"],
            gap="8px",
            width="100%",
        ),
        spacing="2",
        # Narrower below 1280 px, so the canvas between the panels stays usable at 1024.
        width=BUILDER_SIDE["palette"],
        min_width=BUILDER_SIDE["palette"],
        position=STICKY_IN_ROW,
        top="16px",
    )


def _canvas_row(el) -> rx.Component:
    S = FormBuilderState
    eid = el.id
    is_display = (el.type == "heading") | (el.type == "paragraph")
    small = {"variant": "ghost", "color_scheme": "gray", "size": "1"}
    return canvas_item(
        rx.hstack(
            rx.vstack(
                rx.hstack(
                    rx.text(
                        rx.cond(el.label != "", el.label, "Untitled"),
                        weight=rx.cond(is_display, "bold", "medium"),
                        size="2",
                        style={
                            "overflow": "hidden",
                            "text_overflow": "ellipsis",
                            "white_space": "nowrap",
                        },
                    ),
                    rx.cond(el.required, rx.text("*", color=rx.color("red", 10), size="2")),
                    spacing="1",
                    align="center",
                    min_width="0",
                ),
                rx.hstack(
                    rx.badge(
                        rx.match(
                            el.type,
                            *[(p["type"], p["label"]) for p in PALETTE],
                            "Element",
                        ),
                        variant="surface",
                        color_scheme="gray",
                        size="1",
                    ),
                    rx.cond(
                        el.maps_to != "",
                        rx.badge(
                            rx.icon("link", size=11),
                            "Contact: " + el.maps_to,
                            color_scheme=ACCENT,
                            variant="soft",
                            size="1",
                        ),
                    ),
                    spacing="2",
                    wrap="wrap",
                ),
                spacing="1",
                min_width="0",
                flex="1",
                on_click=S.select(eid),
                cursor="pointer",
            ),
            rx.cond(
                S.can_edit,
                rx.hstack(
                    rx.icon_button(
                        rx.icon("arrow-up", size=14),
                        aria_label="Move up " + el.label,
                        on_click=S.move(eid, "up"),
                        **small,
                    ),
                    rx.icon_button(
                        rx.icon("arrow-down", size=14),
                        aria_label="Move down " + el.label,
                        on_click=S.move(eid, "down"),
                        **small,
                    ),
                    rx.icon_button(
                        rx.icon("copy", size=14),
                        aria_label="Duplicate " + el.label,
                        on_click=S.duplicate_element(eid),
                        **small,
                    ),
                    rx.icon_button(
                        rx.icon("trash-2", size=14),
                        aria_label="Delete " + el.label,
                        on_click=S.remove_element(eid),
                        variant="ghost",
                        color_scheme="red",
                        size="1",
                    ),
                    spacing="3",
                    align="center",
                    padding_top="2px",
                    flex_shrink="0",
                ),
            ),
            width="100%",
            align="start",
            spacing="3",
        ),
        item_id=eid,
        label=el.label,
        selected=S.selected_id == eid,
    )


def canvas() -> rx.Component:
    S = FormBuilderState
    return card(
        rx.vstack(
            rx.hstack(
                rx.vstack(
                    rx.text(S.settings["title"].to(str), weight="bold", size="4"),
                    rx.text(
                        rx.cond(
                            S.elements.length() == 1,
                            "1 element",
                            S.elements.length().to(str) + " elements",
                        ),
                        size="1",
                        color=rx.color("gray", 10),
                    ),
                    spacing="0",
                ),
                width="100%",
                padding="14px 16px 0",
            ),
            builder_canvas(
                rx.foreach(S.elements, _canvas_row),
                rx.cond(
                    S.elements.length() == 0,
                    rx.center(
                        rx.vstack(
                            rx.icon("mouse-pointer-click", size=22, color=rx.color(ACCENT, 10)),
                            rx.text("Drag elements here", weight="medium", size="2"),
                            rx.text(
                                "or click one in the palette to add it.",
                                size="1",
                                color=rx.color("gray", 10),
                            ),
                            align="center",
                            spacing="1",
                        ),
                        padding="48px 16px",
                        border=f"2px dashed {rx.color('gray', 6)}",
                        border_radius="10px",
                        width="100%",
                        style={"order": "9999"},
                    ),
                ),
            ),
            spacing="0",
            width="100%",
        ),
        padding="0",
        flex="1",
        min_width="0",
        width="100%",
        background=rx.color("gray", 2),
    )
