"""The contact details screen's state."""

from crm_app.state.contact_detail.notes_files import UPLOAD_ID
from crm_app.state.contact_detail.screen import ContactDetailState

__all__ = ["UPLOAD_ID", "ContactDetailState"]
