"""The contact details page: the contact's DTO, in-place header changes
(owner, stage, status, archive) and its timeline, form submissions and conversations.

Every function checks the member against the agent (`contact_for`) and answers a contact of
another agent or organization with the same "Contact not found." as a missing one.

The package: common (access, timeline writes, choices), detail (the DTO and header
changes), tabs (activity, submissions, conversations); formatting lives in
services/display.py. Callers use the names re-exported here.
"""

from crm_app.services.display import contact_name, fmt_time, initials
from crm_app.services.timeline.common import (
    ACTIVITY_LIMIT,
    ACTOR_TYPE_LABELS,
    KIND_ICONS,
    STATUSES,
    add_activity,
    contact_for,
    owner_choices,
    stage_choices,
)
from crm_app.services.timeline.detail import (
    change_owner,
    change_stage,
    change_status,
    contact_detail,
    set_archived,
)
from crm_app.services.timeline.tabs import (
    list_activity,
    list_conversations,
    list_submissions,
    read_transcript,
)

__all__ = [
    "ACTIVITY_LIMIT",
    "ACTOR_TYPE_LABELS",
    "KIND_ICONS",
    "STATUSES",
    "add_activity",
    "change_owner",
    "change_stage",
    "change_status",
    "contact_detail",
    "contact_for",
    "contact_name",
    "fmt_time",
    "initials",
    "list_activity",
    "list_conversations",
    "list_submissions",
    "owner_choices",
    "read_transcript",
    "set_archived",
    "stage_choices",
]
