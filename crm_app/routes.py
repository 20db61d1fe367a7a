"""Every dashboard and public route in one place (pages and links use these)."""

LOGIN = "/login"
SIGNUP = "/signup"
HOME = "/"
MAILBOX = "/dev/mailbox"
INVITE = "/invite/[token]"
TEAM = "/settings/team"
PROFILE = "/settings/profile"
AUDIT = "/settings/audit-logs"
AGENTS = "/agents"
CONTACTS = "/agents/[agent_id]/crm/contacts"
CONTACT = "/agents/[agent_id]/crm/contacts/[contact_id]"
IMPORT = "/agents/[agent_id]/crm/contacts/import"
PIPELINE = "/agents/[agent_id]/crm/pipeline"
FORMS = "/agents/[agent_id]/crm/forms"
FORM_BUILDER = "/agents/[agent_id]/crm/forms/[form_id]"
FORM_SUBMISSIONS = "/agents/[agent_id]/crm/forms/[form_id]/submissions"
PUBLIC_FORM = "/f/[slug]"
AUTOMATIONS = "/agents/[agent_id]/crm/automations"
CRM_SETTINGS = "/agents/[agent_id]/crm/settings"

# HTTP routes (FastAPI, mounted in front of Reflex)
API_SIGN_IN_COMPLETE = "/api/auth/complete"
API_SIGN_OUT = "/api/auth/signout"
API_OIDC_LOGIN = "/api/auth/oidc/login"
API_OIDC_CALLBACK = "/api/auth/oidc/callback"
API_CONTACT_FILE = "/api/contacts/{contact_id}/files/{file_id}"
API_EXPORT = "/api/agents/{agent_id}/contacts/export"
API_IMPORT_TEMPLATE = "/api/agents/{agent_id}/imports/template"
API_IMPORT_ERRORS = "/api/agents/{agent_id}/imports/{job_id}/errors"
API_FORM_SUBMIT = "/api/forms/{slug}/submit"
API_FORM_PUBLIC = "/api/forms/{slug}"
API_FORM_QR = "/api/forms/{form_id}/qr.png"
API_FORM_EXPORT = "/api/agents/{agent_id}/forms/{form_id}/submissions.csv"
API_FORM_FILE = "/api/forms/{form_id}/submissions/{submission_id}/files/{element_id}"


def agent_path(route: str, agent_id) -> str:
    """Fill `[agent_id]` of an agent route (works with ints and Reflex vars)."""
    prefix, suffix = route.split("[agent_id]")
    # `.to(str)` only retypes the var (JS concatenation); `.to_string()` would JSON-quote a string id.
    return (
        prefix + agent_id.to(str) + suffix
        if hasattr(agent_id, "to_string")
        else f"{prefix}{agent_id}{suffix}"
    )
