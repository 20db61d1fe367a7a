"""The contacts list screen's state: `ContactsState` and the list's constants."""

from crm_app.state.contacts.filters import ALL, SOURCES, STATUSES
from crm_app.state.contacts.screen import ContactsState, _display_row

__all__ = ["ALL", "SOURCES", "STATUSES", "ContactsState", "_display_row"]
