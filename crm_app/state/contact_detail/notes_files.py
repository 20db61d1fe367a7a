"""Contact details → Notes and Files: a mixin of `ContactDetailState` (it reloads the page
through the state's `_fill`/`_refresh` after each change)."""

from __future__ import annotations

import reflex as rx

from crm_app.services import files as file_service
from crm_app.services import notes as note_service
from crm_app.services.errors import NotFound, ServiceError
from crm_app.state.base import shows_errors

UPLOAD_ID = "contact_files"


class NotesAndFiles(rx.State, mixin=True):
    notes: list[dict] = []
    editor_key: str = "0"
    note_saving: bool = False
    editing_note_id: str = ""
    editing_html: str = ""
    delete_note_id: str = ""

    files: list[dict] = []
    uploading: bool = False
    file_error: str = ""
    delete_file_id: str = ""
    delete_file_name: str = ""

    @rx.var
    def notes_count(self) -> int:
        return len(self.notes)

    @rx.var
    def files_count(self) -> int:
        return len(self.files)

    # ------------------------------------------------------------------ notes

    @rx.event
    @shows_errors
    def add_note(self, html: str):
        agent_id, contact_id = self._ids()
        with self.unit() as (session, actor):
            note_service.add_note(session, actor, agent_id, contact_id, html)
            session.flush()
            self._fill(session, actor)
        self.editor_key = str(int(self.editor_key) + 1)
        return rx.toast.success("Note added")

    @rx.event
    def start_edit_note(self, note_id: str):
        note = next((n for n in self.notes if n["id"] == str(note_id)), None)
        if note is None or not note.get("can_edit"):
            return rx.toast.error("Only the note's author or an Admin can edit it.")
        self.editing_note_id = note["id"]
        self.editing_html = note["html"]

    @rx.event
    def cancel_edit_note(self):
        self.editing_note_id = ""
        self.editing_html = ""

    @rx.event
    @shows_errors
    def save_note_edit(self, html: str):
        agent_id, contact_id = self._ids()
        with self.unit() as (session, actor):
            note_service.edit_note(session, actor, agent_id, contact_id, self.editing_note_id, html)
            session.flush()
            self._fill(session, actor)
        self.editing_note_id = ""
        self.editing_html = ""
        return rx.toast.success("Note updated")

    @rx.event
    def ask_delete_note(self, note_id: str):
        self.delete_note_id = str(note_id)

    @rx.event
    def cancel_delete_note(self, _open: bool = False):
        self.delete_note_id = ""

    @rx.event
    @shows_errors
    def delete_note(self):
        agent_id, contact_id = self._ids()
        note_id, self.delete_note_id = self.delete_note_id, ""
        with self.unit() as (session, actor):
            note_service.delete_note(session, actor, agent_id, contact_id, note_id)
            session.flush()
            return self._refresh(session, actor, "Note deleted")

    @rx.event
    @shows_errors
    def toggle_pin(self, note_id: str):
        note = next((n for n in self.notes if n["id"] == str(note_id)), None)
        pinned = not bool(note and note.get("pinned"))
        agent_id, contact_id = self._ids()
        with self.unit() as (session, actor):
            note_service.set_pinned(session, actor, agent_id, contact_id, note_id, pinned)
            session.flush()
            return self._refresh(session, actor, "Note pinned" if pinned else "Note unpinned")

    # ------------------------------------------------------------------ files

    @rx.event
    @shows_errors
    async def upload_files(self, files: list[rx.UploadFile]):
        """Files arrive spooled by the upload endpoint; each is read in chunks (25 MB cap)."""
        agent_id, contact_id = self._ids()
        self.file_error = ""
        stored, refused = 0, []
        for upload in files[:10]:
            name = upload.name or "file"
            try:
                with self.unit() as (session, actor):
                    file_service.add_file(session, actor, agent_id, contact_id, name, upload.file)
                stored += 1
            except ServiceError as error:
                if isinstance(error, NotFound) or error.field != "file":
                    raise
                refused.append(f"{file_service.safe_filename(name)}: {error.message}")
        with self.unit() as (session, actor):
            self._fill(session, actor)
        # on_drop hands the files straight to this handler: no selection to clear (Reflex's
        # clear_selected_files needs the selection provider, which such pages do not mount).
        events = []
        if refused:
            self.file_error = " ".join(refused)
            events.append(rx.toast.error(refused[0]))
        if stored:
            events.append(
                rx.toast.success("File uploaded" if stored == 1 else f"{stored} files uploaded")
            )
        return events

    @rx.event
    def ask_delete_file(self, file_id: str):
        row = next((f for f in self.files if f["id"] == str(file_id)), None)
        self.delete_file_id = str(file_id)
        self.delete_file_name = row["name"] if row else ""

    @rx.event
    def cancel_delete_file(self, _open: bool = False):
        self.delete_file_id = ""

    @rx.event
    @shows_errors
    def delete_file(self):
        agent_id, contact_id = self._ids()
        file_id, self.delete_file_id = self.delete_file_id, ""
        with self.unit() as (session, actor):
            file_service.delete_file(session, actor, agent_id, contact_id, file_id)
        with self.unit() as (session, actor):
            return self._refresh(session, actor, "File deleted")
