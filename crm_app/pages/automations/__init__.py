"""CRM → Automations: the trigger, Admin Assignment and Contact Stage."""

from crm_app.pages.automations.page import register

__all__ = ["register"]
