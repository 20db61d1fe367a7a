"""What happens automatically when a contact is created.

`decide_on_create` runs inside the single contact-creation transaction
(services/contact_create.py `create_contact`) for every source, before the contact is
inserted. It decides the starting stage and the Primary/Secondary Admin of the new contact
and one Activity line per decision saying which rule (and which round-robin turn) chose it.

Rules are kept per agent and creation method: `manual` (sources Manual, Import — the
creating member is the "creator") and `captured` (Chat, Form, API, Payment). With no rule
the contact goes to the organization owner. Decisions, written down:

- Eligible owners are current members of the organization who can work in the agent
  (Owners, Admins, and Users given the agent). A member who left is skipped at run time;
  saving a rule that names a non-member is refused.
- Round robin keeps a `pointer` per agent+method+slot: the number of turns taken. The
  turn for sequence number `s` is `member_ids[s % n]`. The pointer advances in the same
  transaction as the contact insert, under a row lock on PostgreSQL (SELECT … FOR UPDATE)
  and under SQLite's single writer (our engine begins every transaction IMMEDIATE), so two
  concurrent contacts never share a turn.
- Primary and secondary never name the same member for one contact. The primary is chosen
  first; when the secondary's turn would be that member (or a member who left), the
  secondary moves on to the next eligible member of its list, and the rotation continues
  after the member it chose. A fixed secondary (selected, creator, org owner) that equals
  the primary leaves the secondary empty. Saving refuses a member in both slots.
- A primary rule that cannot choose anyone (selected member left, no eligible member in
  the rotation, no creator) falls back to the organization owner; a secondary stays empty.
- Starting stage: one rule per source (Manual, Import, Chat, Form, API, Payment); without
  a rule the agent's first pipeline stage (`Lead` by default).
- Saving rules affects only contacts created afterwards; saves are audited.

`apply_on_create_many` is the import's entry point: the same decisions for a whole chunk of
new contacts with the rules read (and the rotation rows locked) once; both entry points run
the same `_decide`, so a batch equals the contacts created one by one.

The package: rules (the vocabulary), decide (running the rules), admin (the settings page's
reads and saves); who may be chosen comes from services/members.py. Callers use the names
re-exported here.
"""

from crm_app.services.automations.admin import get_automations, save_assignment, save_stage_rules
from crm_app.services.automations.decide import (
    Decision,
    apply_on_create_many,
    assign_owners,
    decide_on_create,
    undo_decision,
)
from crm_app.services.automations.rules import (
    MANUAL_SOURCES,
    MAX_ROTATION,
    METHODS,
    RESOURCE,
    SLOTS,
    SOURCES,
    STRATEGIES,
    label_of,
    method_of,
    strategies_for,
)
from crm_app.services.members import eligible_members, org_owner_id

__all__ = [
    "Decision",
    "MANUAL_SOURCES",
    "MAX_ROTATION",
    "METHODS",
    "RESOURCE",
    "SLOTS",
    "SOURCES",
    "STRATEGIES",
    "apply_on_create_many",
    "assign_owners",
    "decide_on_create",
    "eligible_members",
    "get_automations",
    "label_of",
    "method_of",
    "org_owner_id",
    "save_assignment",
    "save_stage_rules",
    "strategies_for",
    "undo_decision",
]
