"""Database tables, one module per domain, all importable from `crm_app.models`. No Reflex.

Conventions: integer surrogate keys, except contacts whose ids are 24-character opaque
strings; every timestamp is timezone-aware UTC; flexible per-record settings are
JSON columns; everything an agent owns carries `agent_id` (and so its organization).
"""

from crm_app.models.agents import Agent, ContactField, Stage
from crm_app.models.api import ApiKey, Webhook, WebhookDelivery
from crm_app.models.automations import AssignmentRule, StageRule
from crm_app.models.base import (
    UTCDateTime,
    created_field,
    json_field,
    new_contact_id,
    ts_field,
    utcnow,
)
from crm_app.models.chat import Conversation, Message, RevisedAnswer
from crm_app.models.contacts import (
    CONTACT_COUNT_TRIGGERS,
    NAME_WORD_CHARS,
    Activity,
    Contact,
    ContactCount,
    ContactFile,
    ContactValue,
    Note,
    SavedView,
    contact_count_ddl,
    name_after_first_word,
    phone_last_digits,
)
from crm_app.models.events import OutboxEvent
from crm_app.models.forms import Form, FormSubmission, FormTokenUse, FormVersion
from crm_app.models.gating import (
    AccessPass,
    ErasureRequest,
    GuestSession,
    OrgPaymentSettings,
    PaymentEvent,
)
from crm_app.models.imports import ImportChange, ImportJob
from crm_app.models.org import (
    AuditLog,
    AuthSession,
    Invitation,
    LoginCode,
    Membership,
    Organization,
    SentEmail,
    SignInTicket,
    User,
    person_name,
)

__all__ = [
    "utcnow",
    "UTCDateTime",
    "new_contact_id",
    "ts_field",
    "created_field",
    "json_field",
    "Organization",
    "User",
    "Membership",
    "Invitation",
    "LoginCode",
    "AuthSession",
    "SignInTicket",
    "SentEmail",
    "OutboxEvent",
    "AuditLog",
    "Agent",
    "ContactField",
    "Stage",
    "Contact",
    "NAME_WORD_CHARS",
    "name_after_first_word",
    "phone_last_digits",
    "ContactCount",
    "contact_count_ddl",
    "CONTACT_COUNT_TRIGGERS",
    "ContactValue",
    "SavedView",
    "Note",
    "ContactFile",
    "Activity",
    "FormTokenUse",
    "Form",
    "FormVersion",
    "FormSubmission",
    "AssignmentRule",
    "StageRule",
    "Conversation",
    "Message",
    "RevisedAnswer",
    "AccessPass",
    "ErasureRequest",
    "GuestSession",
    "PaymentEvent",
    "OrgPaymentSettings",
    "ApiKey",
    "Webhook",
    "WebhookDelivery",
    "ImportJob",
    "ImportChange",
    "person_name",
]
