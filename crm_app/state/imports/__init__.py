"""The CSV import wizard's state."""

from crm_app.state.imports.run import ERROR_CHOICES, ImportRun
from crm_app.state.imports.wizard import IGNORE, NEW_FIELD, STEPS, ImportState

__all__ = ["ERROR_CHOICES", "IGNORE", "NEW_FIELD", "STEPS", "ImportRun", "ImportState"]
