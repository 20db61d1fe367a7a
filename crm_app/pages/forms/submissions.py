"""CRM → Forms → one form → Submissions: the filtered table and the detail drawer."""

from __future__ import annotations

import reflex as rx

from crm_app.components.kit import back_link, card
from crm_app.components.layout import dashboard, empty_state, field_error, page_header
from crm_app.pages.forms.common import SUB_COLORS, not_found
from crm_app.state.forms import SubmissionsState


def _sub_row(item) -> rx.Component:
    S = SubmissionsState
    return rx.table.row(
        rx.table.cell(rx.text(item.time, size="2", white_space="nowrap")),
        rx.table.cell(
            rx.badge(
                item.status,
                variant="soft",
                color_scheme=rx.match(item.status, *SUB_COLORS.items(), "red"),
            )
        ),
        rx.foreach(
            item.cells,
            lambda c: rx.table.cell(
                rx.text(
                    c,
                    size="2",
                    style={
                        "max_width": "220px",
                        "overflow": "hidden",
                        "text_overflow": "ellipsis",
                        "white_space": "nowrap",
                    },
                )
            ),
        ),
        rx.table.cell(
            rx.button(
                "Open",
                size="1",
                variant="soft",
                on_click=S.open_detail(item.id),
                aria_label="Open submission " + item.id,
            )
        ),
        on_click=S.open_detail(item.id),
        style={"cursor": "pointer", "_hover": {"background": rx.color("gray", 3)}},
        align="center",
    )


def _drawer() -> rx.Component:
    S = SubmissionsState
    d = S.detail
    return rx.drawer.root(
        rx.drawer.overlay(z_index="40"),
        rx.drawer.portal(
            rx.drawer.content(
                rx.vstack(
                    rx.hstack(
                        rx.vstack(
                            rx.heading("Submission", size="5"),
                            rx.text(
                                d.time,
                                " · version ",
                                d.version,
                                size="2",
                                color=rx.color("gray", 11),
                            ),
                            spacing="1",
                        ),
                        rx.spacer(),
                        rx.drawer.close(
                            rx.icon_button(
                                rx.icon("x", size=16),
                                variant="ghost",
                                color_scheme="gray",
                                aria_label="Close",
                            )
                        ),
                        width="100%",
                    ),
                    rx.hstack(
                        rx.badge(
                            d.status,
                            size="2",
                            variant="soft",
                            color_scheme=rx.match(d.status, *SUB_COLORS.items(), "red"),
                        ),
                        rx.cond(
                            d.contact_id != "",
                            rx.link(
                                rx.hstack(
                                    rx.icon("user", size=14),
                                    "Open contact " + d.contact,
                                    spacing="1",
                                    align="center",
                                ),
                                href=S.contact_base + d.contact_id,
                            ),
                            rx.text(
                                "No contact (no email or phone answer)",
                                size="2",
                                color=rx.color("gray", 10),
                            ),
                        ),
                        spacing="3",
                        align="center",
                    ),
                    rx.cond(
                        d.status == "Spam",
                        rx.callout(
                            "Quarantined as spam: " + d.spam_reason,
                            icon="shield-alert",
                            color_scheme="red",
                            width="100%",
                        ),
                    ),
                    rx.divider(),
                    rx.foreach(
                        d.answers,
                        lambda a: rx.vstack(
                            rx.text(a.label, size="1", weight="bold", color=rx.color("gray", 10)),
                            rx.cond(
                                a.file_url != "",
                                rx.link(
                                    rx.hstack(
                                        rx.icon("paperclip", size=14),
                                        a.value,
                                        spacing="1",
                                        align="center",
                                    ),
                                    href=a.file_url,
                                    is_external=True,
                                ),
                                rx.text(a.value, size="2", white_space="pre-wrap"),
                            ),
                            spacing="1",
                            width="100%",
                        ),
                    ),
                    rx.divider(),
                    rx.text("Sent from IP ", d.ip, size="1", color=rx.color("gray", 10)),
                    rx.hstack(
                        rx.cond(
                            d.status == "New",
                            rx.button(
                                rx.icon("check", size=15), "Mark reviewed", on_click=S.mark_reviewed
                            ),
                        ),
                        rx.cond(
                            d.status == "Spam",
                            rx.button(
                                rx.icon("shield-check", size=15),
                                "Release from spam",
                                on_click=S.release,
                            ),
                        ),
                        spacing="3",
                    ),
                    spacing="4",
                    width="100%",
                ),
                top="0",
                right="0",
                left="auto",
                height="100%",
                width=["100%", "460px"],
                padding="24px",
                background=rx.color("gray", 1),
                overflow_y="auto",
                z_index="50",
            ),
        ),
        direction="right",
        open=S.drawer_open,
        on_open_change=S.set_open("drawer_open"),
    )


def submissions_page() -> rx.Component:
    S = SubmissionsState
    filters = rx.hstack(
        rx.select.root(
            rx.select.trigger(aria_label="Status", width="190px"),
            rx.select.content(
                rx.select.item("New and reviewed", value="New+Reviewed"),
                rx.select.item("New", value="New"),
                rx.select.item("Reviewed", value="Reviewed"),
                rx.select.item("Spam", value="Spam"),
                rx.select.item("All", value="All"),
            ),
            value=S.status_filter,
            on_change=S.set_status_filter,
        ),
        rx.input(
            rx.input.slot(rx.icon("search", size=15)),
            placeholder="Search answers",
            aria_label="Search answers",
            value=S.search,
            on_change=S.set_search.debounce(300),
            width="240px",
        ),
        rx.hstack(
            rx.el.label(
                "From",
                html_for="sub-from",
                style={"font_size": "13px", "color": rx.color("gray", 11)},
            ),
            rx.input(
                id="sub-from",
                type="date",
                value=S.date_from,
                on_change=S.set_date_from,
                width="150px",
            ),
            rx.el.label(
                "To", html_for="sub-to", style={"font_size": "13px", "color": rx.color("gray", 11)}
            ),
            rx.input(
                id="sub-to", type="date", value=S.date_to, on_change=S.set_date_to, width="150px"
            ),
            spacing="2",
            align="center",
        ),
        rx.spacer(),
        rx.cond(
            S.can_export,
            rx.link(
                rx.button(rx.icon("download", size=15), "Export CSV", variant="soft"),
                href=S.export_href,
                is_external=True,
            ),
        ),
        width="100%",
        align="center",
        spacing="3",
        wrap="wrap",
    )
    table = rx.cond(
        S.items.length() > 0,
        card(
            rx.box(
                rx.table.root(
                    rx.table.header(
                        rx.table.row(
                            rx.table.column_header_cell("Submitted"),
                            rx.table.column_header_cell("Status"),
                            rx.foreach(
                                S.columns,
                                lambda c: rx.table.column_header_cell(
                                    rx.text(c.label, style={"white_space": "nowrap"})
                                ),
                            ),
                            rx.table.column_header_cell(""),
                        )
                    ),
                    rx.table.body(rx.foreach(S.items, _sub_row)),
                    width="100%",
                    variant="ghost",
                ),
                overflow_x="auto",
                width="100%",
            ),
            rx.hstack(
                rx.text(
                    S.total.to(str)
                    + rx.cond(S.total == 1, " submission", " submissions")
                    + " · page "
                    + S.page.to(str)
                    + " of "
                    + S.pages.to(str),
                    size="2",
                    color=rx.color("gray", 11),
                ),
                rx.spacer(),
                rx.button(
                    "Previous",
                    variant="soft",
                    size="1",
                    on_click=S.go_page(-1),
                    disabled=S.page <= 1,
                ),
                rx.button(
                    "Next",
                    variant="soft",
                    size="1",
                    on_click=S.go_page(1),
                    disabled=S.page >= S.pages,
                ),
                width="100%",
                align="center",
                padding_top="8px",
            ),
            padding="8px 16px 12px",
            width="100%",
        ),
        rx.cond(
            S.loaded,
            empty_state(
                "inbox",
                rx.cond(S.status_filter == "Spam", "No spam", "No submissions yet"),
                rx.cond(
                    S.status_filter == "Spam",
                    "Suspicious submissions are quarantined here, away from your contacts.",
                    "Answers to this form appear here. Share the public link to start collecting them.",
                ),
            ),
            rx.center(rx.spinner(), padding="40px"),
        ),
    )
    return dashboard(
        rx.cond(
            S.load_error != "",
            not_found(S.load_error),
            rx.vstack(
                back_link("Back to the builder", S.builder_href),
                page_header(
                    "Submissions",
                    S.form_name
                    + " · "
                    + S.counts["New"].to(str)
                    + " new · "
                    + S.counts["Reviewed"].to(str)
                    + " reviewed · "
                    + S.counts["Spam"].to(str)
                    + " in spam",
                ),
                filters,
                field_error(S.filter_error),
                table,
                spacing="3",
                width="100%",
            ),
        ),
        _drawer(),
    )
