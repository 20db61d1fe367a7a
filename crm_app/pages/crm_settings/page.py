"""CRM → Settings: contact fields, pipeline stages, defaults."""

from __future__ import annotations

import reflex as rx

from crm_app import routes
from crm_app.components.kit import agent_screen, card, labelled, read_only_notice
from crm_app.components.layout import dashboard, page_header
from crm_app.pages.crm_settings.common import section_title
from crm_app.pages.crm_settings.field_dialog import field_dialog
from crm_app.pages.crm_settings.fields import fields_tab
from crm_app.pages.crm_settings.stages import stages_tab
from crm_app.services.stages import DUPLICATE_POLICIES, DUPLICATE_POLICY_LABELS, region_choices
from crm_app.state.base import AppState
from crm_app.state.crm_settings import CrmSettingsState as S

_REGIONS = region_choices()
_POLICY_HINTS = {
    "skip": "Keep the existing contact as it is.",
    "fill": "Fill only the fields that are empty on the existing contact.",
    "overwrite": "Replace existing values with the incoming ones.",
}


# ---------------------------------------------------------------- defaults


def _defaults_tab() -> rx.Component:
    return card(
        section_title(
            "Defaults",
            "How new and imported contacts of this agent are read and matched.",
        ),
        rx.vstack(
            labelled(
                "Default phone region",
                rx.select.root(
                    rx.select.trigger(width="360px", aria_label="Default phone region"),
                    rx.select.content(
                        *[rx.select.item(r["label"], value=r["code"]) for r in _REGIONS]
                    ),
                    value=S.phone_region,
                    on_change=S.set_phone_region,
                    disabled=~S.can_edit,
                ),
                S.defaults_errors.get("phone_region", ""),
                hint="Phone numbers typed without a country code are read as numbers of this region.",
            ),
            labelled(
                "Default duplicate policy",
                rx.radio_group.root(
                    rx.vstack(
                        *[
                            rx.el.label(
                                rx.hstack(
                                    rx.radio_group.item(value=p),
                                    rx.vstack(
                                        rx.text(DUPLICATE_POLICY_LABELS[p], size="2"),
                                        rx.text(
                                            _POLICY_HINTS[p], size="1", color=rx.color("gray", 10)
                                        ),
                                        spacing="0",
                                    ),
                                    align="start",
                                    spacing="2",
                                )
                            )
                            for p in DUPLICATE_POLICIES
                        ],
                        spacing="2",
                    ),
                    value=S.duplicate_policy,
                    on_change=S.set_duplicate_policy,
                    disabled=~S.can_edit,
                ),
                S.defaults_errors.get("duplicate_policy", ""),
                hint="What an import does when a row matches an existing contact (you can still "
                "choose per import).",
            ),
            rx.cond(S.can_edit, rx.button("Save defaults", on_click=S.save_defaults)),
            spacing="5",
            align="start",
        ),
    )


# ---------------------------------------------------------------- page


def _content() -> rx.Component:
    return rx.vstack(
        rx.cond(
            ~S.can_edit,
            read_only_notice(
                "You can view these settings. Only Owners and Admins can change them."
            ),
        ),
        rx.tabs.root(
            rx.tabs.list(
                rx.tabs.trigger("Contact Fields", value="fields"),
                rx.tabs.trigger("Pipeline Stages", value="stages"),
                rx.tabs.trigger("Defaults", value="defaults"),
            ),
            rx.tabs.content(fields_tab(), value="fields", padding_top="16px"),
            rx.tabs.content(stages_tab(), value="stages", padding_top="16px"),
            rx.tabs.content(_defaults_tab(), value="defaults", padding_top="16px"),
            value=S.tab,
            on_change=S.set_tab,
            width="100%",
        ),
        field_dialog(),
        spacing="4",
        width="100%",
    )


def page() -> rx.Component:
    return dashboard(
        page_header(
            "CRM Settings",
            "Choose the contact fields, pipeline stages and defaults this agent's CRM uses.",
        ),
        agent_screen(S.loaded, S.load_error, _content()),
    )


def register(app: rx.App) -> None:
    app.add_page(
        page,
        route=routes.CRM_SETTINGS,
        title="CRM Settings · Agent CRM",
        on_load=[AppState.load_shell, S.load],
    )
