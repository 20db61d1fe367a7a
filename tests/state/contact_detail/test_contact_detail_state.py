"""Contact details handlers as the browser calls them (any arguments, any member)."""

from __future__ import annotations

import io
from pathlib import Path

import reflex as rx
from sqlmodel import select

from crm_app.db import session_scope
from crm_app.models import AuditLog, Contact, ContactFile, Note, Stage
from crm_app.settings import get_settings


def _stage(world, name):
    with session_scope() as s:
        return str(
            s.exec(select(Stage).where(Stage.agent_id == world.agent_id, Stage.name == name))
            .one()
            .id
        )


def _upload(name: str, data: bytes) -> rx.UploadFile:
    return rx.UploadFile(file=io.BytesIO(data), path=Path(name))


async def _run_upload(state, files):
    return await state.upload_files(files)


def test_load_fills_header_tabs_and_choices(world, make_state):
    state = make_state(world.user, world.agent_id, world.contact_id)
    assert state.loaded and not state.not_found
    assert state.contact["title"] == "Maria Lopez" and state.contact["source"] == "Manual"
    assert {f["label"] for f in state.fields} >= {
        "Name",
        "Primary Email",
        "Mobile Number",
        "Gender",
    }
    assert [s.name for s in state.stages][:2] == ["Lead", "Prospect"]
    assert {o.name for o in state.owners} == {"Dana Whitfield", "Alex Admin", "Sam Staff"}
    assert any(a.message.startswith("Created via Manual") for a in state.activity)
    assert state.can_admin is False


def test_dialogs_open_and_close_through_one_event_for_their_flags_only(world, make_state):
    state = make_state(world.owner, world.agent_id, world.contact_id)
    state.set_open("edit_open", True)
    assert state.edit_open is True
    state.set_open("edit_open", False)
    assert state.edit_open is False
    # Anything but a dialog's *_open flag is left alone, whatever the browser sends.
    state.set_open("loaded", False)
    state.set_open("not_found_open", True)
    state.set_open("tab", True)
    assert state.loaded is True and state.tab == "general"


def test_header_edits_in_place(world, make_state):
    state = make_state(world.owner, world.agent_id, world.contact_id)
    customer = _stage(world, "Customer")
    assert "Stage updated" in str(state.change_stage(customer))
    assert state.contact["stage"] == "Customer"
    assert any("to Customer by Dana Whitfield" in a.message for a in state.activity)
    state.change_status("Inactive")
    assert state.contact["status"] == "Inactive"
    state.change_owner(state.owners[-1].id)
    assert state.contact["owner_id"] == state.owners[-1].id
    assert "Contact archived" in str(state.toggle_archived())
    assert state.contact["archived"] is True
    assert "Choose one of this agent's stages" in str(state.change_stage("99999"))
    assert "Status is Active" in str(state.change_status("<script>"))


def test_edit_details_with_inline_conflict_error(world, make_state):
    state = make_state(world.owner, world.agent_id, world.contact_id)
    state.open_edit()
    assert state.edit_open and state.edit_values["email"] == "maria@example.com"
    state.set_edit_value("email", "john@example.com")
    state.save_edit()
    assert state.edit_errors == {"email": "A user with similar details already exists."}
    assert state.edit_open
    state.set_edit_value("email", "maria.lopez@example.com")
    assert state.edit_errors == {}
    state.set_edit_value("phone", "not a phone")
    state.save_edit()
    assert "phone" in state.edit_errors
    state.set_edit_value("phone", "(415) 555-0199")
    assert "Contact details saved" in str(state.save_edit())
    assert not state.edit_open and state.contact["email"] == "maria.lopez@example.com"
    assert state.contact["phone"] == "+14155550199"


def test_notes_add_sanitized_edit_pin_delete(world, make_state):
    state = make_state(world.user, world.agent_id, world.contact_id)
    key = state.editor_key
    assert "Note added" in str(
        state.add_note(
            "<p><strong>Bold</strong></p><ul><li>a</li></ul><img src=x onerror=alert(1)>"
        )
    )
    assert state.editor_key != key  # the editor is cleared
    assert state.notes[0]["html"] == "<p><strong>Bold</strong></p><ul><li>a</li></ul>"
    assert "Write something" in str(state.add_note("<p> </p>"))
    note_id = state.notes[0]["id"]
    state.start_edit_note(note_id)
    assert state.editing_note_id == note_id
    assert "Note updated" in str(
        state.save_note_edit('<p>changed <a href="javascript:alert(1)">x</a></p>')
    )
    assert state.notes[0]["html"] == '<p>changed <a rel="noopener noreferrer nofollow">x</a></p>'
    assert "Note pinned" in str(state.toggle_pin(note_id))
    state.ask_delete_note(note_id)
    assert "Note deleted" in str(state.delete_note())
    assert state.notes == []


def test_user_cannot_change_or_delete_someone_elses_note(world, make_state):
    owner = make_state(world.owner, world.agent_id, world.contact_id)
    owner.add_note("<p>from the owner</p>")
    note_id = owner.notes[0]["id"]
    user = make_state(world.user, world.agent_id, world.contact_id)
    assert user.notes[0]["can_edit"] is False
    assert "author or an Admin" in str(user.start_edit_note(note_id))
    user.editing_note_id = note_id  # a crafted call skipping the UI
    assert "author or an Admin" in str(user.save_note_edit("<p>hijack</p>"))
    user.ask_delete_note(note_id)
    assert "author or an Admin" in str(user.delete_note())
    with session_scope() as s:
        assert s.exec(select(Note)).one().html == "<p>from the owner</p>"


async def test_upload_stores_allowed_and_refuses_disguised_exe(world, make_state):
    state = make_state(world.user, world.agent_id, world.contact_id)
    events = await _run_upload(
        state,
        [
            _upload("scan.pdf", b"%PDF-1.4 hello"),
            _upload("invoice.pdf", b"MZ\x90\x00" + b"\x00" * 64),
        ],
    )
    assert [f["name"] for f in state.files] == ["scan.pdf"]
    assert "invoice.pdf" in state.file_error and "program" in state.file_error
    assert "File uploaded" in str(events)
    with session_scope() as s:
        assert len(s.exec(select(ContactFile)).all()) == 1
    assert len([p for p in get_settings().files_dir.rglob("*") if p.is_file()]) == 1


async def test_user_deletes_own_file_but_not_the_owners(world, make_state):
    owner = make_state(world.owner, world.agent_id, world.contact_id)
    await _run_upload(owner, [_upload("owner.pdf", b"%PDF-1.4 a")])
    user = make_state(world.user, world.agent_id, world.contact_id)
    await _run_upload(user, [_upload("mine.txt", b"hello")])
    by_name = {f["name"]: f for f in user.files}
    assert by_name["owner.pdf"]["can_delete"] is False and by_name["mine.txt"]["can_delete"] is True
    user.ask_delete_file(by_name["owner.pdf"]["id"])
    assert "uploaded this file or an Admin" in str(user.delete_file())
    user.ask_delete_file(by_name["mine.txt"]["id"])
    assert "File deleted" in str(user.delete_file())
    assert [f["name"] for f in user.files] == ["owner.pdf"]


def test_erase_needs_admin_and_the_typed_name(world, make_state):
    user = make_state(world.user, world.agent_id, world.contact_id)
    assert "Admin role" in str(user.open_erase())
    user.set_erase_confirm("Maria Lopez")
    user.erase()  # a crafted call despite the hidden button
    assert "Admin role" in user.erase_error
    admin = make_state(world.admin, world.agent_id, world.contact_id)
    assert admin.can_admin
    admin.open_erase()
    admin.set_erase_confirm("Maria")
    assert not admin.erase_ready
    admin.erase()
    assert "exactly" in admin.erase_error
    admin.set_erase_confirm("maria@example.com")
    assert admin.erase_ready
    events = admin.erase()
    assert "Contact erased" in str(events) and f"/agents/{world.agent_id}/crm/contacts" in str(
        events
    )
    with session_scope() as s:
        assert s.get(Contact, world.contact_id) is None
        entry = s.exec(select(AuditLog).where(AuditLog.description.like("Erased%"))).one()
    assert "maria" not in entry.description.lower()


async def test_other_org_and_other_agent_get_contact_not_found_on_every_event(world, make_state):
    for token in (world.outsider, world.stranger):
        state = make_state(token, world.agent_id, world.contact_id)
        assert state.not_found and state.contact == {} and state.notes == []
        calls = [
            lambda: state.change_stage("1"),
            lambda: state.change_owner("1"),
            lambda: state.change_status("Blocked"),
            lambda: state.toggle_archived(),
            lambda: state.add_note("<p>x</p>"),
            lambda: state.toggle_pin("1"),
            lambda: state.open_transcript("1"),
        ]
        for call in calls:
            assert "Contact not found." in str(call())
        state.edit_values = {"email": "x@example.com"}
        state.fields = [{"key": "email", "edit": ""}]
        assert "Contact not found." in str(state.save_edit())
        state.editing_note_id = "1"
        assert "Contact not found." in str(state.save_note_edit("<p>x</p>"))
        state.delete_note_id = "1"
        assert "Contact not found." in str(state.delete_note())
        state.delete_file_id = "1"
        assert "Contact not found." in str(state.delete_file())
        assert "Contact not found." in str(
            await _run_upload(state, [_upload("a.pdf", b"%PDF-1.4")])
        )
        state.erase_confirm = "Maria Lopez"
        state.erase()
    with session_scope() as s:
        contact = s.get(Contact, world.contact_id)
        assert contact is not None and contact.status == "Active" and not contact.archived
        assert s.exec(select(Note)).all() == [] and s.exec(select(ContactFile)).all() == []
