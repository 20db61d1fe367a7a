"""CRM → Forms → one form: the drag-and-drop builder with its Build, Preview, Settings and
Share tabs."""

from __future__ import annotations

import reflex as rx

from crm_app.components.dnd.form_builder import form_builder_dnd
from crm_app.components.kit import back_link, card
from crm_app.components.layout import dashboard
from crm_app.pages.forms.canvas import canvas, palette
from crm_app.pages.forms.common import not_found, share_panel, status_badge
from crm_app.pages.forms.panels import preview_tab, properties, settings_tab
from crm_app.state.forms import FormBuilderState


def _builder_header() -> rx.Component:
    S = FormBuilderState
    return rx.vstack(
        back_link("Forms", S.forms_href),
        rx.hstack(
            rx.vstack(
                rx.hstack(
                    rx.heading(S.name, size="6"),
                    status_badge(S.status),
                    rx.cond(
                        S.version > 0,
                        rx.badge(
                            "Version " + S.version.to(str), variant="outline", color_scheme="gray"
                        ),
                    ),
                    spacing="3",
                    align="center",
                ),
                rx.text(
                    rx.cond(
                        S.can_edit,
                        rx.cond(
                            S.unpublished,
                            "You have unpublished changes. Visitors see the last "
                            "published version until you publish.",
                            rx.cond(
                                S.status == "Draft",
                                "Draft: only your team can see it. Publish to share it.",
                                "All changes are published.",
                            ),
                        ),
                        "You can view this form. Owners and Admins can edit it.",
                    ),
                    size="2",
                    color=rx.color(rx.cond(S.unpublished, "amber", "gray"), 11),
                ),
                spacing="1",
                # Takes the row; on a phone the buttons wrap below it.
                flex="1 1 280px",
                min_width="0",
            ),
            rx.link(
                rx.button(
                    rx.icon("inbox", size=15), "Submissions", variant="soft", color_scheme="gray"
                ),
                href=S.submissions_href,
            ),
            rx.cond(
                S.can_edit,
                rx.fragment(
                    rx.cond(
                        S.status == "Published",
                        rx.button(
                            rx.icon("lock", size=15),
                            "Close form",
                            variant="soft",
                            color_scheme="amber",
                            on_click=S.close_form,
                        ),
                    ),
                    rx.cond(
                        S.status == "Closed",
                        rx.button(
                            rx.icon("lock-open", size=15),
                            "Reopen",
                            variant="soft",
                            on_click=S.reopen_form,
                        ),
                    ),
                    rx.button(
                        rx.icon("send", size=15),
                        S.publish_label,
                        on_click=S.publish,
                        disabled=(S.status != "Draft") & ~S.unpublished,
                    ),
                ),
            ),
            width="100%",
            align="center",
            spacing="3",
            wrap="wrap",
        ),
        rx.cond(
            S.errors.contains("elements") | S.errors.contains("form"),
            rx.callout(
                S.errors.get("elements", S.errors.get("form", "")).to(str),
                icon="circle-alert",
                color_scheme="red",
                width="100%",
                role="alert",
            ),
        ),
        spacing="2",
        width="100%",
        padding_bottom="16px",
    )


def builder_page() -> rx.Component:
    S = FormBuilderState
    return dashboard(
        rx.cond(
            S.load_error != "",
            not_found(S.load_error),
            rx.cond(
                S.loaded,
                rx.vstack(
                    _builder_header(),
                    rx.tabs.root(
                        rx.tabs.list(
                            rx.tabs.trigger("Build", value="build"),
                            rx.tabs.trigger("Preview", value="preview"),
                            rx.tabs.trigger("Settings", value="settings"),
                            rx.tabs.trigger("Share", value="share"),
                        ),
                        rx.tabs.content(
                            form_builder_dnd(
                                rx.flex(
                                    palette(),
                                    canvas(),
                                    properties(),
                                    flex_direction=["column", "column", "column", "row"],
                                    align_items=["stretch", "stretch", "stretch", "flex-start"],
                                    gap="16px",
                                    width="100%",
                                ),
                                ids=S.element_ids,
                                labels=S.element_labels,
                                disabled=~S.can_edit,
                                on_add=S.drop_new,
                                on_reorder=S.reorder,
                            ),
                            value="build",
                            padding_top="16px",
                        ),
                        rx.tabs.content(preview_tab(), value="preview", padding_top="16px"),
                        rx.tabs.content(settings_tab(), value="settings", padding_top="16px"),
                        rx.tabs.content(
                            card(
                                share_panel(S.share_url, S.share_embed, S.share_qr, S.status),
                                padding="24px",
                                max_width="640px",
                            ),
                            value="share",
                            padding_top="16px",
                        ),
                        value=S.tab,
                        on_change=S.set_tab,
                        width="100%",
                    ),
                    width="100%",
                    spacing="0",
                ),
                rx.center(rx.spinner(size="3"), padding="80px"),
            ),
        ),
    )
