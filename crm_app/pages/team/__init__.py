"""Settings → Team: members, invitations, roles."""

from crm_app.pages.team.page import register

__all__ = ["register"]
