"""CRM → Settings: contact fields, pipeline stages and the agent's CRM defaults."""

from crm_app.state.crm_settings.state import CrmSettingsState

__all__ = ["CrmSettingsState"]
