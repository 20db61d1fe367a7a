"""Every dashboard and public route in one place (pages and links use these)."""

LOGIN = "/login"
SIGNUP = "/signup"
HOME = "/"
MAILBOX = "/dev/mailbox"
INVITE = "/invite/[token]"
TEAM = "/settings/team"
PROFILE = "/settings/profile"
AUDIT = "/settings/audit-logs"
PAYMENTS = "/settings/payments"
AGENTS = "/agents"
CONTACTS = "/agents/[agent_id]/crm/contacts"
CONTACT = "/agents/[agent_id]/crm/contacts/[contact_id]"
IMPORT = "/agents/[agent_id]/crm/contacts/import"
PIPELINE = "/agents/[agent_id]/crm/pipeline"
FORMS = "/agents/[agent_id]/crm/forms"
FORM_BUILDER = "/agents/[agent_id]/crm/forms/[form_id]"
FORM_SUBMISSIONS = "/agents/[agent_id]/crm/forms/[form_id]/submissions"
PUBLIC_FORM = "/f/[slug]"
PUBLIC_CHAT = "/a/[slug]"  # ?embed=1 inside the widget's iframe
PUBLIC_CHAT_PREFIX = "/a/"
PLAYGROUND = "/agents/[agent_id]/playground"
AUTOMATIONS = "/agents/[agent_id]/crm/automations"
CRM_SETTINGS = "/agents/[agent_id]/crm/settings"
HISTORY = "/agents/[agent_id]/history"
AGENT_SETTINGS = "/agents/[agent_id]/settings"
SUBSCRIPTIONS = "/agents/[agent_id]/subscriptions"
DATA_REQUESTS = "/agents/[agent_id]/crm/data-requests"  # visitors' erasure requests

# HTTP routes (FastAPI, mounted in front of Reflex): each router's prefix, its paths under
# it, and the full URLs that pages and links use.
API_AUTH = "/api/auth"
SIGN_IN_COMPLETE = "/complete"
SIGN_OUT = "/signout"
OIDC_LOGIN = "/oidc/login"
OIDC_CALLBACK = "/oidc/callback"
API_SIGN_IN_COMPLETE = API_AUTH + SIGN_IN_COMPLETE
API_SIGN_OUT = API_AUTH + SIGN_OUT
API_OIDC_LOGIN = API_AUTH + OIDC_LOGIN
API_OIDC_CALLBACK = API_AUTH + OIDC_CALLBACK
API_OIDC = API_AUTH + "/oidc"  # the OIDC flow cookie's path

API_CONTACTS = "/api/contacts"
CONTACT_FILE = "/{contact_id}/files/{file_id}"
API_CONTACT_FILE = API_CONTACTS + CONTACT_FILE

API_AGENT = "/api/agents/{agent_id}"
EXPORT = "/contacts/export"
IMPORT_TEMPLATE = "/imports/template"
IMPORT_ERRORS = "/imports/{job_id}/errors"
FORM_EXPORT = "/forms/{form_id}/submissions.csv"
API_EXPORT = API_AGENT + EXPORT
API_IMPORT_TEMPLATE = API_AGENT + IMPORT_TEMPLATE
API_IMPORT_ERRORS = API_AGENT + IMPORT_ERRORS
API_FORM_EXPORT = API_AGENT + FORM_EXPORT
SUBSCRIPTIONS_EXPORT = "/subscriptions/export"
API_SUBSCRIPTIONS_EXPORT = API_AGENT + SUBSCRIPTIONS_EXPORT

API_FORMS = "/api/forms"
FORM_SUBMIT = "/{slug}/submit"
FORM_PUBLIC = "/{slug}"
FORM_QR = "/{form_id}/qr.png"
FORM_FILE = "/{form_id}/submissions/{submission_id}/files/{element_id}"
API_FORM_SUBMIT = API_FORMS + FORM_SUBMIT
API_FORM_PUBLIC = API_FORMS + FORM_PUBLIC
API_FORM_QR = API_FORMS + FORM_QR
API_FORM_FILE = API_FORMS + FORM_FILE

API_CHAT = "/api/chat"
CHAT_VISITOR = "/visitor"
API_CHAT_VISITOR = API_CHAT + CHAT_VISITOR
CHAT_MY_DATA = "/{slug}/my-data"  # the signed-in visitor's data, by the chat page's cookie
# "Continue with Google" on a gated agent's page (api/gate_oidc.py); one callback for every
# agent (the provider needs each redirect URI registered), the slug travels in the flow cookie.
CHAT_OIDC_LOGIN = "/{slug}/oidc/login"
CHAT_OIDC_CALLBACK = "/oidc/callback"
API_CHAT_OIDC_CALLBACK = API_CHAT + CHAT_OIDC_CALLBACK
API_CHAT_OIDC = API_CHAT + "/oidc"  # the visitor flow cookie's path


def chat_oidc_login(slug: str) -> str:
    return API_CHAT + CHAT_OIDC_LOGIN.format(slug=slug)


WIDGET_JS = "/widget.js"  # served at the root: the snippet sites paste is short


def agent_path(route: str, agent_id) -> str:
    """Fill `[agent_id]` of an agent route (works with ints and Reflex vars)."""
    prefix, suffix = route.split("[agent_id]")
    # `.to(str)` only retypes the var (JS concatenation); `.to_string()` would JSON-quote a string id.
    return (
        prefix + agent_id.to(str) + suffix
        if hasattr(agent_id, "to_string")
        else f"{prefix}{agent_id}{suffix}"
    )


# The visitor chat API (api/public_chat.py): any site may call it, without cookies.
API_PUBLIC_CHAT = "/api/public-chat/{slug}"
PUBLIC_CHAT_AGENT = ""
PUBLIC_CHAT_VISITORS = "/visitors"
PUBLIC_CHAT_CONVERSATIONS = "/conversations"
PUBLIC_CHAT_MESSAGES = "/conversations/{conversation_id}/messages"
PUBLIC_CHAT_FEEDBACK = "/messages/{message_id}/feedback"
PUBLIC_CHAT_ACCESS = "/access"  # a gated agent: may this visitor chat (services/gate)
PUBLIC_CHAT_SIGN_IN_CODE = "/sign-in/code"
PUBLIC_CHAT_SIGN_IN_VERIFY = "/sign-in/verify"
PUBLIC_CHAT_SIGN_OUT = "/sign-out"

# Stripe's webhook (api/payments.py): Stripe's servers call it, signed.
API_PAYMENTS = "/api/payments"
STRIPE_WEBHOOK = "/stripe/{org_id}/webhook"
API_STRIPE_WEBHOOK = API_PAYMENTS + STRIPE_WEBHOOK
PUBLIC_CHAT_MY_DATA = "/me/data"  # the signed-in visitor's data (services/gate/self_service)
PUBLIC_CHAT_MY_ERASURE = "/me/erasure"
