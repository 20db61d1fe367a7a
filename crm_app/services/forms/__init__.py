"""CRM → Forms: building, publishing, public submissions and their review.

- A form keeps the draft being edited in `Form.draft` ({"elements": [...], "settings": {...}}).
  Publishing snapshots the draft into the next FormVersion; every submission points at the
  version it answered and stores each answer with its label, so editing a form never breaks
  old submissions.
- `submit_form` is the one public submission path: the public page posts to the HTTP
  endpoint (crm_app/api/forms.py), and so does the load benchmark. It validates every
  answer against the published elements, applies the spam rules (services/spam.py) and,
  for a valid submission with an email or phone answer, matches or creates the contact
  through contacts.save_contact (`via Form`) in the same transaction. Spam is kept in a
  quarantine (status Spam) and becomes a contact only when a member releases it.
- Uploaded files are checked by content (services/files.sniff) and kept in private
  storage (settings.files_dir, random key); their metadata lives in the answer, and
  members download them through an authorized route.

The package: schema (the elements and the draft), builder (a form's lifecycle), public
(what a visitor sees), answers (one answer checked), submit (a submission stored),
submissions (their review). Callers use the names re-exported here.
"""

from crm_app.services.forms.answers import UNPRINTABLE
from crm_app.services.forms.builder import (
    builder_data,
    create_form,
    delete_form,
    duplicate_form,
    form_of,
    has_unpublished_changes,
    latest_version,
    list_forms,
    publish,
    qr_png,
    rename_form,
    save_draft,
    set_status,
    share_links,
)
from crm_app.services.forms.public import (
    UNAVAILABLE,
    FormUnavailable,
    PublicForm,
    SubmissionInvalid,
    SubmitResult,
    UploadedFile,
    public_elements,
    public_form,
)
from crm_app.services.forms.schema import (
    CHOICE_TYPES,
    DEFAULT_SETTINGS,
    DISPLAY_TYPES,
    ELEMENT_TYPES,
    FILE_TOO_LARGE,
    HONEYPOT_NAME,
    MAPPABLE,
    MAX_ELEMENTS,
    MAX_FORM_FILE_BYTES,
    MAX_HELP,
    MAX_LABEL,
    MAX_OPTION,
    MAX_OPTIONS,
    MAX_PARAGRAPH,
    MAX_PAYLOAD_CHARS,
    MAX_PLACEHOLDER,
    OPTION_FIELD_TYPES,
    RESERVED_IDS,
    RESOURCE,
    STATUSES,
    SUBMISSION_STATUSES,
    TEXT_LIMITS,
    TEXT_TYPES,
    TOKEN_NAME,
    check_publishable,
    clean_draft,
    clean_element,
    clean_settings,
    mapping_choices,
    new_element,
    new_element_id,
    options_field,
    with_field_options,
)
from crm_app.services.forms.submissions import (
    SubmissionQuery,
    columns_for,
    export_csv,
    file_for_download,
    list_submissions,
    mark_reviewed,
    release_from_spam,
    submission_detail,
)
from crm_app.services.forms.submit import file_keys, submit_form

__all__ = [
    "CHOICE_TYPES",
    "DEFAULT_SETTINGS",
    "DISPLAY_TYPES",
    "ELEMENT_TYPES",
    "FILE_TOO_LARGE",
    "FormUnavailable",
    "HONEYPOT_NAME",
    "MAPPABLE",
    "MAX_ELEMENTS",
    "MAX_FORM_FILE_BYTES",
    "MAX_HELP",
    "MAX_LABEL",
    "MAX_OPTION",
    "MAX_OPTIONS",
    "MAX_PARAGRAPH",
    "MAX_PAYLOAD_CHARS",
    "MAX_PLACEHOLDER",
    "OPTION_FIELD_TYPES",
    "PublicForm",
    "RESERVED_IDS",
    "RESOURCE",
    "STATUSES",
    "SUBMISSION_STATUSES",
    "SubmissionInvalid",
    "SubmissionQuery",
    "SubmitResult",
    "TEXT_LIMITS",
    "TEXT_TYPES",
    "TOKEN_NAME",
    "UNAVAILABLE",
    "UNPRINTABLE",
    "UploadedFile",
    "builder_data",
    "check_publishable",
    "clean_draft",
    "clean_element",
    "clean_settings",
    "columns_for",
    "create_form",
    "delete_form",
    "duplicate_form",
    "export_csv",
    "file_keys",
    "file_for_download",
    "form_of",
    "has_unpublished_changes",
    "latest_version",
    "list_forms",
    "list_submissions",
    "mapping_choices",
    "mark_reviewed",
    "new_element",
    "new_element_id",
    "options_field",
    "public_elements",
    "public_form",
    "publish",
    "qr_png",
    "release_from_spam",
    "rename_form",
    "save_draft",
    "set_status",
    "share_links",
    "submission_detail",
    "submit_form",
    "with_field_options",
]
