"""CRM → Automations → Admin Assignment: per creation method, who becomes the contact's
primary and secondary admin (creator, owner, one member, a round-robin rotation)."""

from __future__ import annotations

import reflex as rx

from crm_app.components.dnd import sortable_item, sortable_list
from crm_app.components.kit import card, icon_action, move_buttons
from crm_app.components.layout import ACCENT, field_error
from crm_app.pages.automations.common import (
    METHOD_HINTS,
    STRATEGY_HINTS,
    icon_tile,
)
from crm_app.services.automations import METHODS, SLOTS, STRATEGIES, strategies_for
from crm_app.state.automations import AutomationsState as S


def _member_line(name, role) -> rx.Component:
    return rx.hstack(
        rx.text(name, size="2"),
        rx.text(role, size="1", color=rx.color("gray", 10)),
        spacing="2",
        align="baseline",
    )


def _strategy_select(method: str, key: str, aria: str) -> rx.Component:
    return rx.select.root(
        rx.select.trigger(width="100%", aria_label=aria),
        rx.select.content(
            *[rx.select.item(STRATEGIES[s], value=s) for s in strategies_for(method)]
        ),
        value=S.strategy[key].to(str),
        on_change=lambda v: S.set_strategy(key, v),
        disabled=~S.can_edit,
    )


def _other_label(slot: str) -> str:
    return SLOTS["secondary" if slot == "primary" else "primary"]


def _selected_editor(key: str, slot: str, aria: str) -> rx.Component:
    return rx.vstack(
        rx.text("Member", size="1", weight="medium", color=rx.color("gray", 11)),
        rx.select.root(
            rx.select.trigger(placeholder="Choose a member", width="100%", aria_label=aria),
            rx.select.content(
                rx.foreach(
                    S.choices[key],
                    lambda m: rx.select.item(
                        m.name + rx.cond(m.taken, f" — {_other_label(slot)}", ""),
                        value=m.id,
                        disabled=m.taken,
                    ),
                )
            ),
            value=S.selected[key].to(str),
            on_change=lambda v: S.set_selected(key, v),
            disabled=~S.can_edit,
        ),
        spacing="1",
        width="100%",
    )


def _rotation_row(key: str, row: rx.Var, index: rx.Var, what: str) -> rx.Component:
    uid = row.id
    name = row.name
    last = S.rotation_rows[key].length() - 1
    return sortable_item(
        rx.hstack(
            rx.center(
                rx.text(row.position, size="1", weight="bold"),
                width="22px",
                height="22px",
                min_width="22px",
                border_radius="999px",
                background=rx.color(ACCENT, 3),
                color=rx.color(ACCENT, 11),
            ),
            rx.text(
                name,
                size="2",
                weight="medium",
                color=rx.cond(row.left, rx.color("red", 11), rx.color("gray", 12)),
                flex="1",
                min_width="0",
                trim="both",
            ),
            move_buttons(
                S.move_in_rotation(key, uid, "up"),
                S.move_in_rotation(key, uid, "down"),
                name,
                first=index == 0,
                last=index == last,
                disabled=~S.can_edit,
            ),
            icon_action(
                "x",
                "Remove " + name + " from " + what,
                "Remove",
                S.remove_from_rotation(key, uid),
                color_scheme="red",
                disabled=~S.can_edit,
            ),
            spacing="2",
            align="center",
            width="100%",
        ),
        item_id=uid,
        label=name,
        key=uid,
        style={
            "background": rx.color("gray", 1),
            "border": f"1px solid {rx.color('gray', 5)}",
            "border_radius": "8px",
            "padding": "4px 8px 4px 4px",
        },
    )


def _rotation_editor(key: str, slot: str, what: str) -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.text("Rotation order", size="1", weight="medium", color=rx.color("gray", 11)),
            rx.spacer(),
            rx.text(
                S.rotation_rows[key].length().to_string() + " members",
                size="1",
                color=rx.color("gray", 10),
            ),
            width="100%",
        ),
        rx.cond(
            S.rotation_rows[key].length() > 0,
            sortable_list(
                rx.foreach(S.rotation_rows[key], lambda row, i: _rotation_row(key, row, i, what)),
                ids=S.rotation[key].to(list[str]),
                labels=S.rotation_labels[key].to(dict[str, str]),
                disabled=~S.can_edit,
                gap="6px",
                on_reorder=lambda ids: S.reorder_rotation(key, ids),
            ),
            rx.text(
                "No members yet. Add at least two.",
                size="2",
                color=rx.color("gray", 10),
                padding_y="6px",
            ),
        ),
        rx.cond(
            S.can_edit,
            rx.select.root(
                rx.select.trigger(
                    placeholder="Add member…",
                    width="100%",
                    aria_label="Add member to " + what,
                    variant="soft",
                ),
                rx.select.content(
                    rx.foreach(
                        S.addable[key],
                        lambda m: rx.select.item(
                            m.name + rx.cond(m.taken, f" — {_other_label(slot)}", ""),
                            value=m.id,
                            disabled=m.taken,
                        ),
                    )
                ),
                value="",
                on_change=lambda v: S.add_to_rotation(key, v),
            ),
        ),
        rx.text(
            f"Drag the handle or use the arrows to change the order. Members chosen as {_other_label(slot)} "
            "are greyed out.",
            size="1",
            color=rx.color("gray", 10),
        ),
        spacing="2",
        width="100%",
    )


def _slot(method: str, slot: str) -> rx.Component:
    key = f"{method}_{slot}"
    what = f"{METHODS[method]} {SLOTS[slot]}"
    strategy = S.strategy[key].to(str)
    return rx.vstack(
        rx.hstack(
            rx.text(SLOTS[slot], weight="bold", size="2"),
            rx.badge(
                "Required" if slot == "primary" else "Optional",
                variant="soft",
                color_scheme=ACCENT if slot == "primary" else "gray",
                size="1",
            ),
            spacing="2",
            align="center",
        ),
        _strategy_select(method, key, f"{what} strategy"),
        rx.match(
            strategy,
            *[
                (s, rx.text(h, size="1", color=rx.color("gray", 10)))
                for s, h in STRATEGY_HINTS.items()
            ],
            rx.fragment(),
        ),
        rx.cond(
            strategy == "org_owner",
            rx.text(
                "Currently ",
                rx.text.strong(S.owner_name),
                ".",
                size="1",
                color=rx.color("gray", 11),
            ),
        ),
        rx.cond(strategy == "selected", _selected_editor(key, slot, f"{what} member")),
        rx.cond(strategy == "round_robin", _rotation_editor(key, slot, what)),
        field_error(S.slot_errors[key].to(str)),
        spacing="2",
        align="start",
        width="100%",
        padding="14px",
        border_radius="10px",
        background=rx.color("gray", 2),
        border=rx.cond(
            S.slot_errors[key].to(str) != "",
            f"1px solid {rx.color('red', 7)}",
            f"1px solid {rx.color('gray', 4)}",
        ),
        role="group",
        aria_label=what,
    )


def _method_card(method: str) -> rx.Component:
    icon, hint = METHOD_HINTS[method]
    dirty = S.dirty[method].to(bool)
    return card(
        rx.hstack(
            icon_tile(icon),
            rx.vstack(
                rx.heading(METHODS[method], size="4", weight="bold"),
                rx.text(hint, size="2", color=rx.color("gray", 11)),
                spacing="1",
                flex="1",
            ),
            rx.cond(dirty, rx.badge("Unsaved changes", color_scheme="amber", variant="soft")),
            spacing="3",
            align="start",
            width="100%",
            padding_bottom="14px",
        ),
        rx.grid(
            _slot(method, "primary"),
            _slot(method, "secondary"),
            columns="2",
            spacing="4",
            width="100%",
        ),
        rx.cond(
            S.can_edit,
            rx.hstack(
                rx.button(
                    "Discard",
                    variant="soft",
                    color_scheme="gray",
                    disabled=~dirty,
                    on_click=S.discard_assignment(method),
                ),
                rx.button(
                    rx.icon("check", size=16),
                    "Save",
                    on_click=S.save_assignment(method),
                    aria_label=f"Save {METHODS[method]}",
                ),
                justify="end",
                spacing="3",
                width="100%",
                padding_top="16px",
            ),
        ),
    )


def assignment_tab() -> rx.Component:
    return rx.vstack(
        rx.callout(
            "With no rule, new contacts go to the organization owner. A member can never be both the "
            "Primary and the Secondary Admin of one contact, and members who leave the organization are "
            "skipped.",
            icon="info",
            size="1",
            color_scheme="gray",
            width="100%",
        ),
        _method_card("manual"),
        _method_card("captured"),
        spacing="4",
        width="100%",
    )
