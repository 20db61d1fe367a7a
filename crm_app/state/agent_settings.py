"""Agent → Agent settings: general, visibility and reply engine of the agent in the route.

Each section saves on its own (one service call). The API key is write-only: its input is
not bound to any state var (its value arrives only with the Save or Test click and goes
straight to the service), and the page learns only whether a key is saved. Test connection
reads the provider settings in one transaction, closes it, and calls the provider from a
background event, in a thread, outside any transaction.
"""

from __future__ import annotations

import dataclasses

import reflex as rx

from crm_app import routes
from crm_app.services import agent_settings as service
from crm_app.services import provider_check
from crm_app.services.errors import NotFound, ServiceError
from crm_app.services.gate import rule_settings, rules
from crm_app.settings import get_settings
from crm_app.state.base import AppState, DialogFlags, error_toast, shows_errors

KEY_INPUT_ID = "agent-llm-api-key"
# What the Test connection click sends: the key typed so far (never kept in state).
TYPED_KEY = rx.Var(f"(document.getElementById('{KEY_INPUT_ID}')?.value ?? '')").to(str)

_TEXT = {"name": 80, "welcome_message": 500, "avatar_url": 500, "llm_base_url": 300}
_TEXT |= {"llm_model": 100}
_CHOICES = {
    "phone_region": None,  # checked by the service
    "llm_provider": tuple(service.ENGINES),
}
_SECTIONS = {
    "general": ("name", "welcome_message", "phone_region", "avatar_url"),
    "visibility": ("visibility", "access_mode"),
    "rule": (),
    "engine": ("llm_provider", "llm_base_url", "llm_model"),
}


@dataclasses.dataclass
class StageChoice:
    id: str = ""
    name: str = ""


class AgentSettingsState(DialogFlags, AppState):
    loaded: bool = False
    load_error: str = ""
    can_edit: bool = False

    agent_name: str = ""  # as saved (the header), while `name` is the form's
    slug: str = ""
    public_url: str = ""
    name: str = ""
    welcome_message: str = ""
    phone_region: str = "US"
    avatar_url: str = ""
    visibility: str = "Private"
    access_mode: str = "Use for Free"
    gated_mode: str = ""
    # Visibility: `visibility`/`access_mode` are as saved; the dialogs change them.
    public_open: bool = False  # `Make your chatbot public?`
    private_open: bool = False
    pending_mode: str = "Use for Free"
    # The Restrict rule being edited (as saved: gate_description).
    rule_statuses: list[str] = ["Active"]
    rule_stage_ids: list[str] = []
    stage_choices: list[StageChoice] = []
    gate_description: str = ""
    subscriptions_path: str = ""
    llm_provider: str = "offline"
    llm_base_url: str = ""
    llm_model: str = ""
    has_api_key: bool = False
    api_key_unreadable: bool = False
    key_action: str = "keep"  # keep | replace | remove
    env_base_url: str = ""
    env_model: str = ""
    env_key_set: bool = False

    errors: dict[str, str] = {}
    testing: bool = False
    test_ok: bool = False
    test_message: str = ""

    # ------------------------------------------------------------------ computed

    @rx.var
    def key_input_shown(self) -> bool:
        return self.key_action == "replace" or (
            not self.has_api_key and self.key_action != "remove"
        )

    @rx.var
    def rule_preview(self) -> str:
        """The rule being edited in plain words (what visitors will face once saved)."""
        chosen = set(self.rule_stage_ids)
        names = [c.name for c in self.stage_choices if c.id in chosen]
        return rules.describe_choice(self.rule_statuses, names)

    @rx.var
    def rule_changed(self) -> bool:
        return self.rule_preview != self.gate_description

    @rx.var
    def base_url_placeholder(self) -> str:
        return self.env_base_url or "https://api.openai.com/v1"

    @rx.var
    def model_placeholder(self) -> str:
        return self.env_model or "e.g. gpt-4o-mini or llama3.2"

    # ------------------------------------------------------------------ loading

    def _agent_id(self) -> int:
        agent_id = self.route_agent_id()
        if agent_id is None:
            raise NotFound("Agent not found.")
        return agent_id

    def _fill(self, view: dict, sections=tuple(_SECTIONS)) -> None:
        """Copy the service's view; the form fields only of `sections` (the others keep
        what the member is typing)."""
        for section in sections:
            for field in _SECTIONS[section]:
                setattr(self, field, view[field])
        self.agent_name, self.slug = view["name"], view["slug"]
        self.public_url = get_settings().base_url + view["public_path"]
        self.gated_mode = view["gated_mode"]
        self.gate_description = view["gate_description"]
        self.subscriptions_path = routes.agent_path(routes.SUBSCRIPTIONS, view["id"])
        self.stage_choices = [StageChoice(str(s["id"]), s["name"]) for s in view["stages"]]
        if "rule" in sections:
            self.rule_statuses = list(view["gate_statuses"])
            known = {c.id for c in self.stage_choices}  # a deleted stage cannot be unticked
            self.rule_stage_ids = [str(i) for i in view["gate_stage_ids"] if str(i) in known]
        self.has_api_key = view["has_api_key"]
        self.api_key_unreadable = view["api_key_unreadable"]
        self.env_base_url, self.env_model = view["env_base_url"], view["env_model"]
        self.env_key_set = view["env_key_set"]
        self.can_edit = view["can_edit"]
        if "engine" in sections:
            self.key_action = "keep"
        self.load_error = ""
        self.loaded = True

    @rx.event
    def load(self):
        self.errors, self.test_message, self.testing = {}, "", False
        try:
            with self.unit(read_only=True) as (session, actor):
                self._fill(service.get_agent_settings(session, actor, self._agent_id()))
        except NotFound as error:
            self.load_error, self.loaded, self.can_edit = error.message, True, False
        except ServiceError as error:
            self.load_error, self.loaded, self.can_edit = error.message, True, False
            return error_toast(error)

    # ------------------------------------------------------------------ typing

    @rx.event
    def set_value(self, field: str, value: str):
        """The browser typed or chose `value` for a form field of this screen."""
        field, value = str(field), str(value if value is not None else "")
        if field in _TEXT:
            setattr(self, field, value[: _TEXT[field] * 2])
        elif field in _CHOICES:
            allowed = _CHOICES[field]
            if allowed is not None and value not in allowed:
                return
            setattr(self, field, value[:2] if field == "phone_region" else value)
            if field == "llm_provider":
                self.test_message = ""
        else:
            return
        if field in self.errors:
            self.errors = {k: v for k, v in self.errors.items() if k != field}

    @rx.event
    def set_key_action(self, action: str):
        if action in service.KEY_ACTIONS and self.can_edit:
            self.key_action = action
            self.errors = {k: v for k, v in self.errors.items() if k != "llm_api_key"}

    # ------------------------------------------------------------------ saving

    def _take(self, form_data, field: str) -> None:
        """The submitted value (a submit can overtake the input's debounced change)."""
        if isinstance(form_data, dict) and isinstance(form_data.get(field), str):
            self.set_value(field, form_data[field])

    def _save(self, section: str, form_data, **extra):
        for field in _SECTIONS[section]:
            self._take(form_data, field)
        self.errors = {}
        changes = {field: getattr(self, field) for field in _SECTIONS[section]}
        with self.unit() as (session, actor):
            view = service.update_agent_settings(
                session, actor, self._agent_id(), **changes, **extra
            )
        self._fill(view, (section,))
        return AppState.load_shell if section == "general" else None

    @rx.event
    @shows_errors(fields="errors")
    def save_general(self, form_data: dict | None = None):
        reload_shell = self._save("general", form_data)
        return [rx.toast.success("General settings saved."), reload_shell]

    # ------------------------------------------------------------------ visibility

    @rx.event
    def choose_visibility(self, value: str):
        """A click on Private or Public: each asks first (the dialogs save)."""
        if not self.can_edit:
            return
        if value == "Public":
            self.pending_mode = self.access_mode
            self.public_open = True
        elif value == "Private" and self.visibility != "Private":
            self.private_open = True

    @rx.event
    def set_pending_mode(self, value: str):
        if value in service.ACCESS_MODES:
            self.pending_mode = value

    def _save_visibility(self, visibility: str, access_mode: str | None = None) -> None:
        self.errors = {}
        with self.unit() as (session, actor):
            view = service.update_agent_settings(
                session, actor, self._agent_id(), visibility=visibility, access_mode=access_mode
            )
        self._fill(view, ("visibility",))

    @rx.event
    @shows_errors
    def make_public(self, mode: str = ""):
        self._save_visibility("Public", str(mode or self.pending_mode))
        self.public_open = False
        if self.access_mode == "Restrict":
            return rx.toast.success("Public: only contacts in your CRM can chat, after signing in.")
        if self.access_mode == "Pay for Access":
            return rx.toast.success("Public: visitors pay before they chat.")
        return rx.toast.success("Public: anyone with the link can chat with this agent.")

    @rx.event
    @shows_errors
    def make_private(self):
        self._save_visibility("Private")
        self.private_open = False
        return rx.toast.success("Private: only members can chat, in the Playground.")

    # ------------------------------------------------------------------ Restrict rule

    @rx.event
    def toggle_status(self, status: str):
        if status not in rules.ALLOWED_STATUSES or not self.can_edit:
            return
        chosen = set(self.rule_statuses) ^ {status}
        self.rule_statuses = [s for s in rules.ALLOWED_STATUSES if s in chosen]
        self.errors = {k: v for k, v in self.errors.items() if k != "statuses"}

    @rx.event
    def toggle_stage(self, stage_id: str):
        known = [c.id for c in self.stage_choices]
        if str(stage_id) not in known or not self.can_edit:
            return
        chosen = set(self.rule_stage_ids) ^ {str(stage_id)}
        self.rule_stage_ids = [i for i in known if i in chosen]
        self.errors = {k: v for k, v in self.errors.items() if k != "stage_ids"}

    @rx.event
    @shows_errors(fields="errors")
    def save_rule(self):
        self.errors = {}
        with self.unit() as (session, actor):
            view = rule_settings.update_gate_rule(
                session,
                actor,
                self._agent_id(),
                statuses=list(self.rule_statuses),
                stage_ids=[int(i) for i in self.rule_stage_ids if str(i).isdigit()],
            )
        self._fill(view, ("rule",))
        return rx.toast.success("Saved: " + self.gate_description)

    @rx.event
    @shows_errors
    def reset_rule(self):
        with self.unit(read_only=True) as (session, actor):
            self._fill(service.get_agent_settings(session, actor, self._agent_id()), ("rule",))

    def _key_action(self, typed: str) -> str:
        """Typing a key (into the input shown when none is saved, or after Replace)
        replaces; Remove removes; anything else keeps the saved key."""
        if self.key_action == "remove":
            return "remove"
        if self.key_action == "replace" or typed.strip():
            return "replace"
        return "keep"

    @rx.event
    @shows_errors(fields="errors")
    def save_engine(self, form_data: dict | None = None):
        form_data = form_data if isinstance(form_data, dict) else {}
        typed = str(form_data.get("llm_api_key") or "")[:2000]
        action = self._key_action(typed)
        self._save("engine", form_data, api_key_action=action, api_key=typed)
        self.test_message = ""
        return [
            rx.set_value(KEY_INPUT_ID, ""),
            rx.toast.success("Reply engine saved."),
        ]

    # ------------------------------------------------------------------ Test connection

    def _test_config(self, typed_key: str):
        """The form's provider settings, checked and read in one transaction (closed on
        return)."""
        typed = str(typed_key or "")[:2000]
        action = self._key_action(typed)
        with self.unit(read_only=True) as (session, actor):
            return service.provider_test_config(
                session,
                actor,
                self._agent_id(),
                llm_base_url=self.llm_base_url,
                llm_model=self.llm_model,
                api_key_action=action,
                api_key=typed,
            )

    @rx.event(background=True)
    async def test_connection(self, typed_key: str = ""):
        async with self:
            if self.testing:
                return
            try:
                config = self._test_config(typed_key)
            except ServiceError as error:
                return self._show_service_error(error, "errors")
            self.testing, self.test_message = True, ""
        result = provider_check.ProviderCheck(False, "The test could not run.")
        try:
            result = await rx.run_in_thread(lambda: provider_check.test_provider(config))
        finally:
            async with self:
                self.testing = False
                self.test_ok, self.test_message = result.ok, result.message
