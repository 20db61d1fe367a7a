"""CRM → Automations: the `Contact created` trigger, Admin Assignment and
Contact Stage. Desktop only: small screens get the `Desktop Only` notice instead."""

from __future__ import annotations

import reflex as rx

from crm_app import routes
from crm_app.components.dnd import sortable_item, sortable_list
from crm_app.components.layout import ACCENT, dashboard, empty_state, field_error, page_header
from crm_app.services.automations import METHODS, SLOTS, SOURCES, STRATEGIES, strategies_for
from crm_app.state.automations import AutomationsState as S
from crm_app.state.base import AppState

_METHOD_HINTS = {
    "manual": (
        "hand",
        "Added by your team by hand or imported from a file (via Manual, via Import).",
    ),
    "captured": (
        "bot",
        "Captured by the agent from a chat, a form, the API or a payment "
        "(via Chat, via Form, via API, via Payment).",
    ),
}
_STRATEGY_HINTS = {
    "creator": "The team member who adds or imports the contact.",
    "org_owner": "Always the owner of the organization.",
    "selected": "Always the member you choose below.",
    "round_robin": "Each new contact goes to the next member of the list, in order, wrapping around.",
    "none": "Leave this admin empty.",
}
_SOURCE_HINTS = {
    "Manual": "Added by a team member with Add Contact",
    "Import": "Imported from a CSV file",
    "Chat": "Captured by the agent in a conversation",
    "Form": "Submitted through a published form",
    "API": "Created through the open API",
    "Payment": "Bought access to a paid agent",
}
_SOURCE_ICONS = {
    "Manual": "user-plus",
    "Import": "upload",
    "Chat": "message-circle",
    "Form": "file-text",
    "API": "code",
    "Payment": "credit-card",
}
# Below 768 px the editors do not fit: show the notice instead (CSS media queries).
_SMALL = ["block", "block", "none", "none"]
_LARGE = ["none", "none", "block", "block"]


def _card(*children, **props) -> rx.Component:
    style = {
        "background": rx.color("gray", 1),
        "border": f"1px solid {rx.color('gray', 5)}",
        "border_radius": "12px",
        "padding": "20px",
        "width": "100%",
    } | props
    return rx.box(*children, **style)


def _icon_tile(icon: str, scheme: str = ACCENT) -> rx.Component:
    return rx.center(
        rx.icon(icon, size=18, color=rx.color(scheme, 11)),
        width="36px",
        height="36px",
        min_width="36px",
        border_radius="10px",
        background=rx.color(scheme, 3),
    )


def _trigger() -> rx.Component:
    return _card(
        rx.hstack(
            _icon_tile("zap", "amber"),
            rx.vstack(
                rx.hstack(
                    rx.text(
                        "Trigger",
                        size="1",
                        weight="bold",
                        color=rx.color("gray", 10),
                        text_transform="uppercase",
                        letter_spacing="0.04em",
                    ),
                    rx.badge("Active", color_scheme="green", variant="soft", size="1"),
                    spacing="2",
                    align="center",
                ),
                rx.text("Contact created", weight="bold", size="3"),
                rx.text(
                    "Runs once for every new contact of this agent, whatever its source. "
                    "Changes apply to contacts created afterwards; existing contacts keep their admins and stage.",
                    size="2",
                    color=rx.color("gray", 11),
                ),
                spacing="1",
            ),
            spacing="3",
            align="start",
        ),
        padding="16px 20px",
    )


# ---------------------------------------------------------------- Admin Assignment


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
                        m["name"].to(str)
                        + rx.cond(m["taken"].to(bool), f" — {_other_label(slot)}", ""),
                        value=m["id"].to(str),
                        disabled=m["taken"].to(bool),
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
    uid = row["id"].to(str)
    name = row["name"].to(str)
    last = S.rotation_rows[key].length() - 1
    return sortable_item(
        rx.hstack(
            rx.center(
                rx.text(row["position"].to(str), size="1", weight="bold"),
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
                color=rx.cond(row["left"].to(bool), rx.color("red", 11), rx.color("gray", 12)),
                flex="1",
                min_width="0",
                trim="both",
            ),
            rx.tooltip(
                rx.icon_button(
                    rx.icon("arrow-up", size=14),
                    size="1",
                    variant="ghost",
                    color_scheme="gray",
                    on_click=S.move_in_rotation(key, uid, "up"),
                    disabled=(index == 0) | ~S.can_edit,
                    aria_label="Move " + name + " up",
                ),
                content="Move up",
            ),
            rx.tooltip(
                rx.icon_button(
                    rx.icon("arrow-down", size=14),
                    size="1",
                    variant="ghost",
                    color_scheme="gray",
                    on_click=S.move_in_rotation(key, uid, "down"),
                    disabled=(index == last) | ~S.can_edit,
                    aria_label="Move " + name + " down",
                ),
                content="Move down",
            ),
            rx.tooltip(
                rx.icon_button(
                    rx.icon("x", size=14),
                    size="1",
                    variant="ghost",
                    color_scheme="red",
                    on_click=S.remove_from_rotation(key, uid),
                    disabled=~S.can_edit,
                    aria_label="Remove " + name + " from " + what,
                ),
                content="Remove",
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
                            m["name"].to(str)
                            + rx.cond(m["taken"].to(bool), f" — {_other_label(slot)}", ""),
                            value=m["id"].to(str),
                            disabled=m["taken"].to(bool),
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
                for s, h in _STRATEGY_HINTS.items()
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
    icon, hint = _METHOD_HINTS[method]
    dirty = S.dirty[method].to(bool)
    return _card(
        rx.hstack(
            _icon_tile(icon),
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


def _assignment_tab() -> rx.Component:
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


# ---------------------------------------------------------------- Contact Stage


def _stage_row(source: str) -> rx.Component:
    return rx.table.row(
        rx.table.cell(
            rx.hstack(
                rx.icon(_SOURCE_ICONS[source], size=16, color=rx.color("gray", 10)),
                rx.text(f"via {source}", weight="medium", size="2"),
                spacing="2",
                align="center",
            ),
        ),
        rx.table.cell(rx.text(_SOURCE_HINTS[source], size="2", color=rx.color("gray", 11))),
        rx.table.cell(
            rx.select.root(
                rx.select.trigger(width="200px", aria_label=f"Starting stage via {source}"),
                rx.select.content(
                    rx.foreach(
                        S.stages,
                        lambda st: rx.select.item(st["name"].to(str), value=st["id"].to(str)),
                    )
                ),
                value=S.stage_rules[source].to(str),
                on_change=lambda v: S.set_stage(source, v),
                disabled=~S.can_edit,
            ),
        ),
        align="center",
    )


def _stage_tab() -> rx.Component:
    return _card(
        rx.hstack(
            _icon_tile("git-branch"),
            rx.vstack(
                rx.heading("Starting stage", size="4", weight="bold"),
                rx.text(
                    "The pipeline stage a new contact starts in, for each way it is created. "
                    "Without a choice it is the first stage (Lead).",
                    size="2",
                    color=rx.color("gray", 11),
                ),
                spacing="1",
                flex="1",
            ),
            rx.cond(
                S.stages_dirty, rx.badge("Unsaved changes", color_scheme="amber", variant="soft")
            ),
            spacing="3",
            align="start",
            width="100%",
            padding_bottom="10px",
        ),
        rx.table.root(
            rx.table.header(
                rx.table.row(
                    rx.table.column_header_cell("Source"),
                    rx.table.column_header_cell("When"),
                    rx.table.column_header_cell("Starting stage"),
                )
            ),
            rx.table.body(*[_stage_row(src) for src in SOURCES]),
            width="100%",
            variant="ghost",
        ),
        rx.cond(
            S.can_edit,
            rx.hstack(
                rx.button(
                    rx.icon("check", size=16),
                    "Save",
                    on_click=S.save_stages,
                    aria_label="Save starting stages",
                ),
                justify="end",
                width="100%",
                padding_top="16px",
            ),
        ),
    )


# ---------------------------------------------------------------- page


def _content() -> rx.Component:
    return rx.vstack(
        rx.cond(
            ~S.can_edit,
            rx.callout(
                "You can view these automations. Only Owners and Admins can change them.",
                icon="lock",
                color_scheme="gray",
                size="1",
                width="100%",
            ),
        ),
        _trigger(),
        rx.tabs.root(
            rx.tabs.list(
                rx.tabs.trigger("Admin Assignment", value="assignment"),
                rx.tabs.trigger("Contact Stage", value="stage"),
            ),
            rx.tabs.content(_assignment_tab(), value="assignment", padding_top="16px"),
            rx.tabs.content(_stage_tab(), value="stage", padding_top="16px"),
            value=S.tab,
            on_change=S.set_tab,
            width="100%",
        ),
        spacing="4",
        width="100%",
    )


def _desktop_only_notice() -> rx.Component:
    return empty_state(
        "monitor",
        "Desktop Only",
        "CRM Automations need a larger screen. Open this page on a computer to view or change them.",
    )


def page() -> rx.Component:
    return dashboard(
        page_header(
            "CRM Automations", "Configure what happens automatically when a contact is created."
        ),
        rx.box(_desktop_only_notice(), display=_SMALL, width="100%"),
        rx.box(
            rx.cond(
                ~S.loaded,
                rx.center(rx.spinner(size="3"), padding="60px"),
                rx.cond(
                    S.load_error != "",
                    empty_state(
                        "search-x",
                        S.load_error,
                        "This agent does not exist or you do not have access to it.",
                        rx.link(rx.button("Go to Agents", variant="soft"), href=routes.AGENTS),
                    ),
                    _content(),
                ),
            ),
            display=_LARGE,
            width="100%",
        ),
    )


def register(app: rx.App) -> None:
    app.add_page(
        page,
        route=routes.AUTOMATIONS,
        title="Automations · Agent CRM",
        on_load=[AppState.load_shell, S.load],
    )
