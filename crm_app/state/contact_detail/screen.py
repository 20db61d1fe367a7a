"""Contact details page: header edits, tabs, edit dialog, transcript, erase; notes and
files are the `NotesAndFiles` mixin (notes_files.py).

Every handler opens `self.unit()` (the signed-in member is looked up again) and passes the
routed agent and contact ids to a service, which checks organization, agent and role and
answers "Contact not found." for anything the member may not see. Only small DTO dicts
reach the browser.
"""

from __future__ import annotations

import reflex as rx

from crm_app import routes
from crm_app.services import contacts as contact_service
from crm_app.services import erase as erase_service
from crm_app.services import files as file_service
from crm_app.services import notes as note_service
from crm_app.services import suggestions as suggestion_service
from crm_app.services import timeline
from crm_app.services.errors import NotFound, PermissionDenied, ServiceError
from crm_app.state.base import AppState, BrowserTimeZone, DialogFlags, route_param, shows_errors
from crm_app.state.contact_detail.notes_files import NotesAndFiles
from crm_app.state.dto import ActivityItem, Choice, TranscriptMessage, pick_all

TABS = ("general", "form", "chat", "notes", "files", "activity")


def _confirms(typed: str, phrases: list) -> bool:
    """The erase confirmation: the contact's name, email or phone, ignoring case and edges."""
    typed = (typed or "").strip().lower()
    return typed != "" and typed in {str(p).strip().lower() for p in phrases if p}


class ContactDetailState(NotesAndFiles, DialogFlags, BrowserTimeZone, AppState):
    loaded: bool = False
    not_found: bool = False
    tab: str = "general"
    contact: dict = {}
    fields: list[dict] = []
    stages: list[Choice] = []
    owners: list[Choice] = []
    can_admin: bool = False

    activity: list[ActivityItem] = []
    submissions: list[dict] = []
    conversations: list[dict] = []
    transcript: list[TranscriptMessage] = []
    transcript_title: str = ""
    transcript_open: bool = False

    # Edit details dialog
    edit_open: bool = False
    edit_values: dict[str, str] = {}
    edit_errors: dict[str, str] = {}
    edit_saving: bool = False

    # Erase dialog
    erase_open: bool = False
    erase_confirm: str = ""
    erase_error: str = ""

    # ------------------------------------------------------------------ derived

    @rx.var
    def erase_phrase(self) -> str:
        """What the erase dialog asks to type: the name (or the email/phone when there is none)."""
        return str(
            self.contact.get("name") or self.contact.get("email") or self.contact.get("phone") or ""
        )

    @rx.var
    def erase_ready(self) -> bool:
        return _confirms(
            self.erase_confirm, [str(self.contact.get(k) or "") for k in ("name", "email", "phone")]
        )

    @rx.var
    def contacts_href(self) -> str:
        agent = route_param(self.router, "agent_id")
        return routes.agent_path(routes.CONTACTS, agent) if str(agent).isdigit() else routes.AGENTS

    # ------------------------------------------------------------------ helpers

    def route_contact_id(self) -> str:
        raw = route_param(self.router, "contact_id")
        return raw if len(raw) <= 24 else ""

    def _ids(self) -> tuple[int | None, str]:
        return self.route_agent_id(), self.route_contact_id()

    def _fill(self, session, actor) -> None:
        """Reload everything the page shows (cheap: one contact)."""
        agent_id, contact_id = self._ids()
        tz = self._tz_name
        detail = timeline.contact_detail(session, actor, agent_id, contact_id, tz)
        self.fields = detail.pop("fields")
        self.contact = detail
        self.stages = pick_all(Choice, timeline.stage_choices(session, agent_id))
        self.owners = pick_all(Choice, timeline.owner_choices(session, actor.org_id, agent_id))
        self.can_admin = actor.is_admin
        self.notes = note_service.list_notes(session, actor, agent_id, contact_id, tz)
        self.files = file_service.list_files(session, actor, agent_id, contact_id, tz)
        self.activity = pick_all(
            ActivityItem, timeline.list_activity(session, actor, agent_id, contact_id, tz)
        )
        self.submissions = timeline.list_submissions(session, actor, agent_id, contact_id, tz)
        self.conversations = timeline.list_conversations(session, actor, agent_id, contact_id, tz)
        self.not_found = False
        self.loaded = True

    def _show_service_error(self, error: ServiceError, fields: str | None):
        """As every screen, and a contact that is gone (or never was) empties the page."""
        if isinstance(error, NotFound) and error.message == "Contact not found.":
            self.not_found = True
            self.loaded = True
            self.contact = {}
            self.notes, self.files, self.activity = [], [], []
            self.submissions, self.conversations = [], []
        return super()._show_service_error(error, fields)

    def _refresh(self, session, actor, toast: str | None = None):
        self._fill(session, actor)
        return rx.toast.success(toast) if toast else None

    # ------------------------------------------------------------------ loading

    @rx.event
    @shows_errors
    def load(self):
        self.loaded = False
        self.tab = "general"
        self.transcript_open = False
        self.edit_open = self.erase_open = False
        self.editing_note_id = ""
        self.file_error = ""
        self._refill()
        return self._ask_time_zone()

    def _refill(self) -> None:
        with self.unit() as (session, actor):
            self._fill(session, actor)

    @rx.event
    def set_tab(self, tab: str):
        self.tab = tab if tab in TABS else "general"

    # ------------------------------------------------------------------ header

    def _header_change(self, change, value, toast: str):
        agent_id, contact_id = self._ids()
        with self.unit() as (session, actor):
            change(session, actor, agent_id, contact_id, value)
            session.flush()
            return self._refresh(session, actor, toast)

    @rx.event
    @shows_errors
    def change_owner(self, owner_id: str):
        return self._header_change(timeline.change_owner, str(owner_id), "Owner updated")

    @rx.event
    @shows_errors
    def change_stage(self, stage_id: str):
        return self._header_change(timeline.change_stage, str(stage_id), "Stage updated")

    @rx.event
    @shows_errors
    def change_status(self, status: str):
        return self._header_change(timeline.change_status, str(status), "Status updated")

    @rx.event
    @shows_errors
    def toggle_archived(self):
        archived = not bool(self.contact.get("archived"))
        return self._header_change(
            timeline.set_archived, archived, "Contact archived" if archived else "Contact restored"
        )

    # ------------------------------------------------------------------ edit details

    @rx.event
    def open_edit(self):
        self.edit_values = {f["key"]: str(f.get("edit") or "") for f in self.fields}
        self.edit_errors = {}
        self.edit_open = True

    @rx.event
    def set_edit_value(self, key: str, value):
        if key not in self.edit_values:
            return
        self.edit_values[key] = str(value if value is not None else "")[:2000]
        if key in self.edit_errors:
            self.edit_errors = {k: v for k, v in self.edit_errors.items() if k != key}

    @rx.event
    @shows_errors(fields="edit_errors")
    def save_edit(self):
        original = {f["key"]: str(f.get("edit") or "") for f in self.fields}
        changed = {k: v for k, v in self.edit_values.items() if k in original and v != original[k]}
        if not changed:
            self.edit_open = False
            return rx.toast.info("Nothing to save")
        agent_id, contact_id = self._ids()
        self.edit_errors = {}
        with self.unit() as (session, actor):
            timeline.contact_for(session, actor, agent_id, contact_id)  # same answer for outsiders
            contact_service.edit_contact(session, actor, agent_id, contact_id, changed)
            session.flush()
            self._fill(session, actor)
        self.edit_open = False
        return rx.toast.success("Contact details saved")

    # ------------------------------------------------------------------ chat transcript

    @rx.event
    @shows_errors
    def open_transcript(self, conversation_id: str):
        agent_id, contact_id = self._ids()
        with self.unit() as (session, actor):
            self.transcript = pick_all(
                TranscriptMessage,
                timeline.read_transcript(
                    session, actor, agent_id, contact_id, conversation_id, self._tz_name
                ),
            )
        conv = next((c for c in self.conversations if c["id"] == str(conversation_id)), None)
        self.transcript_title = conv["title"] if conv else "Conversation"
        self.transcript_open = True

    @rx.event
    def open_conversation(self, conversation_id: str):
        """An AI-captured value or a chat's Activity line: that conversation, on its tab."""
        self.tab = "chat"
        return ContactDetailState.open_transcript(str(conversation_id))

    # ------------------------------------------------------------------ agent suggestions

    @rx.event
    @shows_errors
    def accept_suggestion(self, activity_id: str):
        agent_id, contact_id = self._ids()
        with self.unit() as (session, actor):
            label = suggestion_service.accept_suggestion(
                session, actor, agent_id, contact_id, str(activity_id)
            )
            session.flush()
            return self._refresh(session, actor, f"{label} updated from the agent's suggestion")

    # ------------------------------------------------------------------ erase

    @rx.event
    def open_erase(self):
        if not self.can_admin:
            return rx.toast.error("This needs the Admin role or higher.")
        self.erase_confirm = ""
        self.erase_error = ""
        self.erase_open = True

    @rx.event
    def set_erase_confirm(self, value: str):
        self.erase_confirm = str(value)[:300]
        self.erase_error = ""

    @rx.event
    @shows_errors
    def erase(self):
        agent_id, contact_id = self._ids()
        try:
            with self.unit() as (session, actor):
                _, contact = timeline.contact_for(
                    session, actor, agent_id, contact_id, minimum="Admin"
                )
                if not _confirms(self.erase_confirm, [contact.name, contact.email, contact.phone]):
                    self.erase_error = "Type the contact's name or email exactly to confirm."
                    return None
                erase_service.erase_contact(session, actor, agent_id, contact_id)
        except PermissionDenied as error:
            self.erase_error = error.message
            return None
        self.erase_open = False
        self.contact = {}
        return [
            rx.redirect(routes.agent_path(routes.CONTACTS, agent_id)),
            rx.toast.success("Contact erased"),
        ]
