"""CRM → Forms: the forms list, the builder and the submissions view.

Thin states: every handler opens `self.unit()` (the member is checked again), reads the
agent and form from the page route, calls services/forms and copies small DTOs back.
Admins and Owners edit; Users read; another organization's member gets "Agent not found".
"""

from crm_app.state.forms.builder import FormBuilderState
from crm_app.state.forms.common import PALETTE, PALETTE_ICONS
from crm_app.state.forms.list import FormsListState
from crm_app.state.forms.submissions import SubmissionsState

__all__ = ["PALETTE", "PALETTE_ICONS", "FormBuilderState", "FormsListState", "SubmissionsState"]
