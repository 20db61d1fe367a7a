"""CRM → Settings: contact fields, pipeline stages, defaults."""

from crm_app.pages.crm_settings.page import register

__all__ = ["register"]
