"""Files: content sniffing (magic bytes, office zips, text), 25 MB cap while reading, private
storage with random keys, delete rights, download authorization."""

from __future__ import annotations

import io
import zipfile

import pytest
from sqlmodel import select

from crm_app import db
from crm_app.models import Activity, AuditLog, ContactFile
from crm_app.services import files
from crm_app.services.errors import NotFound, PermissionDenied, ValidationError
from crm_app.settings import get_settings

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 40
PDF = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\ntrailer\n%%EOF\n"


def office(main: str) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as archive:
        archive.writestr(
            "[Content_Types].xml",
            f'<Types><Override PartName="/x" ContentType="application/vnd.openxmlformats-officedocument.{main}"/></Types>',
        )
        archive.writestr("word/document.xml", "<w:document/>")
    return buf.getvalue()


ALLOWED = [
    ("scan.pdf", PDF, "application/pdf"),
    ("xray.png", PNG, "image/png"),
    ("photo.JPG", b"\xff\xd8\xff\xe0" + b"\x00" * 30, "image/jpeg"),
    ("anim.gif", b"GIF89a" + b"\x00" * 20, "image/gif"),
    ("pic.webp", b"RIFF\x10\x00\x00\x00WEBPVP8 " + b"\x00" * 20, "image/webp"),
    ("letter.docx", office("wordprocessingml.document.main+xml"), files.KINDS["docx"][0]),
    ("sheet.xlsx", office("spreadsheetml.sheet.main+xml"), files.KINDS["xlsx"][0]),
    ("deck.pptx", office("presentationml.presentation.main+xml"), files.KINDS["pptx"][0]),
    ("old.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "application/msword"),
    ("old.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "application/vnd.ms-excel"),
    ("notes.txt", "Café visit on Monday\n".encode(), "text/plain"),
    ("list.csv", "name,city\nJosé,Zürich\n".encode("latin-1"), "text/csv"),
]

REFUSED = [
    ("invoice.pdf", b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 100, "program"),
    ("report.pdf", b"\x7fELF\x02\x01\x01" + b"\x00" * 100, "program"),
    ("notes.txt", b"#!/bin/sh\nrm -rf /\n", "program"),
    ("xray.pdf", PNG, "doesn't match"),
    ("scan.png", PDF, "doesn't match"),
    ("archive.docx", b"PK\x03\x04" + b"\x00" * 50, "can't be uploaded"),
    ("plain.zip", office("wordprocessingml.document.main+xml"), "doesn't match"),
    ("blob.txt", b"abc\x00def", "can't be uploaded"),
    ("tool.doc", b"\xca\xfe\xba\xbe" + b"\x00" * 20, "program"),
    ("weird.ole", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 10, "can't be uploaded"),
]


def _stored_files():
    root = get_settings().files_dir
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


@pytest.mark.parametrize("name,data,content_type", ALLOWED)
def test_allowed_types_are_stored_privately_with_their_sniffed_type(
    world, name, data, content_type
):
    with db.session_scope() as s:
        row = files.add_file(
            s, world.user, world.agent_id, world.contact_id, name, io.BytesIO(data)
        )
    assert row.content_type == content_type and row.size == len(data)
    stored = _stored_files()
    assert len(stored) == 1 and stored[0].read_bytes() == data
    assert stored[0].name == row.storage_key and name not in str(stored[0])
    assert ".web" not in str(stored[0]) and "upload" not in str(stored[0]).lower()


@pytest.mark.parametrize("name,data,message", REFUSED)
def test_disguised_or_unknown_content_is_refused_and_nothing_stored(world, name, data, message):
    with db.session_scope() as s, pytest.raises(ValidationError, match=message):
        files.add_file(s, world.owner, world.agent_id, world.contact_id, name, io.BytesIO(data))
    with db.session_scope() as s:
        assert s.exec(select(ContactFile)).all() == []
    assert _stored_files() == []


class _Endless(io.RawIOBase):
    """A stream that keeps producing bytes: the cap must stop reading, not the stream."""

    def __init__(self):
        self.read_bytes = 0

    def readable(self):
        return True

    def read(self, n=-1):
        n = 1024 * 1024 if n is None or n < 0 else n
        self.read_bytes += n
        return b"a" * n


def test_oversize_is_refused_while_reading(world):
    stream = _Endless()
    with db.session_scope() as s, pytest.raises(ValidationError, match="larger than 25 MB"):
        files.add_file(s, world.owner, world.agent_id, world.contact_id, "big.txt", stream)
    assert stream.read_bytes <= files.MAX_FILE_BYTES + files.CHUNK
    assert _stored_files() == []


def test_exactly_25_mb_is_accepted(world):
    with db.session_scope() as s:
        row = files.add_file(
            s,
            world.owner,
            world.agent_id,
            world.contact_id,
            "big.txt",
            io.BytesIO(b"a" * files.MAX_FILE_BYTES),
        )
    assert row.size == files.MAX_FILE_BYTES


def test_listing_activity_audit_and_safe_names(world):
    with db.session_scope() as s:
        files.add_file(
            s,
            world.user,
            world.agent_id,
            world.contact_id,
            '../../etc/"evil";\r\nname.pdf',
            io.BytesIO(PDF),
        )
    with db.session_scope() as s:
        listed = files.list_files(s, world.owner, world.agent_id, world.contact_id)
        assert (
            s.exec(select(Activity).where(Activity.kind == "file"))
            .one()
            .message.startswith("File evilname.pdf uploaded by Sam Staff")
        )
        assert s.exec(select(AuditLog).where(AuditLog.resource == "File")).one().action == "Create"
    assert listed[0]["name"] == "evilname.pdf"
    assert listed[0]["uploader"] == "Sam Staff" and listed[0]["size"] == "43 B"
    assert listed[0]["url"] == f"/api/contacts/{world.contact_id}/files/{listed[0]['id']}"


def test_delete_by_uploader_or_admin_removes_the_bytes_after_commit(world):
    with db.session_scope() as s:
        mine = files.add_file(
            s, world.user, world.agent_id, world.contact_id, "a.pdf", io.BytesIO(PDF)
        ).id
        owners = files.add_file(
            s, world.owner, world.agent_id, world.contact_id, "b.pdf", io.BytesIO(PDF)
        ).id
    assert len(_stored_files()) == 2
    with db.session_scope() as s, pytest.raises(PermissionDenied):
        files.delete_file(s, world.user, world.agent_id, world.contact_id, owners)
    with db.session_scope() as s:
        files.delete_file(s, world.user, world.agent_id, world.contact_id, mine)
    with db.session_scope() as s:
        files.delete_file(s, world.admin, world.agent_id, world.contact_id, owners)
    assert _stored_files() == []


def test_rolled_back_upload_leaves_no_file(world):
    with pytest.raises(RuntimeError):
        with db.session_scope() as s:
            files.add_file(
                s, world.owner, world.agent_id, world.contact_id, "a.pdf", io.BytesIO(PDF)
            )
            raise RuntimeError("later step failed")
    assert _stored_files() == []


@pytest.mark.parametrize("who", ["outsider", "stranger"])
def test_other_members_cannot_list_upload_delete_or_download(world, who):
    actor = getattr(world, who)
    with db.session_scope() as s:
        file_id = files.add_file(
            s, world.owner, world.agent_id, world.contact_id, "a.pdf", io.BytesIO(PDF)
        ).id
    with db.session_scope() as s:
        for call in (
            lambda: files.list_files(s, actor, world.agent_id, world.contact_id),
            lambda: files.add_file(
                s, actor, world.agent_id, world.contact_id, "x.pdf", io.BytesIO(PDF)
            ),
            lambda: files.delete_file(s, actor, world.agent_id, world.contact_id, file_id),
            lambda: files.file_for_download(s, actor, world.contact_id, file_id),
        ):
            with pytest.raises(NotFound, match="Contact not found"):
                call()
    assert len(_stored_files()) == 1


def test_download_of_a_file_of_another_contact_is_not_found(world):
    with db.session_scope() as s:
        file_id = files.add_file(
            s, world.owner, world.agent_id, world.contact_id, "a.pdf", io.BytesIO(PDF)
        ).id
        path, name, ctype = files.file_for_download(s, world.user, world.contact_id, file_id)
        assert path.read_bytes() == PDF and name == "a.pdf" and ctype == "application/pdf"
        with pytest.raises(NotFound):
            files.file_for_download(s, world.user, world.contact_id, file_id + 1)
