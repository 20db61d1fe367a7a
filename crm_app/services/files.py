"""Files attached to a contact.

Uploads are read in chunks into private storage (settings.files_dir, never a public URL),
stopped as soon as they pass 25 MB, and accepted only when their CONTENT is one of the
allowed kinds (magic bytes; office zips by their [Content_Types].xml; text by decoding) and
matches the file's extension. The stored name on disk is a random key; downloads go through
the authorized route in crm_app/api/files.py.
"""

from __future__ import annotations

import os
import re
import secrets
import unicodedata
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from sqlmodel import Session, select

from crm_app.models import Contact, ContactFile, User
from crm_app.services import audit
from crm_app.services.access import Actor
from crm_app.services.display import fmt_time
from crm_app.services.errors import NotFound, PermissionDenied, ValidationError
from crm_app.services.file_cleanup import remove_after_commit, remove_after_rollback
from crm_app.services.timeline import add_activity, contact_for
from crm_app.settings import get_settings, private_dir, private_open

MAX_FILE_BYTES = 25 * 1024 * 1024
CHUNK = 1024 * 1024
TOO_LARGE = "This file is larger than 25 MB. Please upload a smaller file."
NOT_ALLOWED = (
    "This type of file can't be uploaded. Allowed: PDF, images (PNG, JPEG, GIF, WebP), "
    "Office documents (Word, Excel, PowerPoint), text and CSV."
)

# kind -> (content type, allowed extensions)
KINDS: dict[str, tuple[str, tuple[str, ...]]] = {
    "pdf": ("application/pdf", (".pdf",)),
    "png": ("image/png", (".png",)),
    "jpeg": ("image/jpeg", (".jpg", ".jpeg", ".jfif")),
    "gif": ("image/gif", (".gif",)),
    "webp": ("image/webp", (".webp",)),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", (".docx",)),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (".xlsx",)),
    "pptx": (
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        (".pptx",),
    ),
    "doc": ("application/msword", (".doc",)),
    "xls": ("application/vnd.ms-excel", (".xls",)),
    "ppt": ("application/vnd.ms-powerpoint", (".ppt",)),
    "csv": ("text/csv", (".csv",)),
    "text": ("text/plain", (".txt", ".text", ".log", ".md", ".tsv")),
}
_OFFICE_MAIN = {
    "docx": "wordprocessingml.document.main+xml",
    "xlsx": "spreadsheetml.sheet.main+xml",
    "pptx": "presentationml.presentation.main+xml",
}
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# Programs and scripts, refused whatever their name says.
_EXECUTABLE_MAGIC = (
    b"MZ",
    b"\x7fELF",
    b"\xca\xfe\xba\xbe",
    b"\xfe\xed\xfa\xce",
    b"\xfe\xed\xfa\xcf",
    b"\xcf\xfa\xed\xfe",
    b"\xce\xfa\xed\xfe",
    b"#!",
)
_TEXT_CONTROL_OK = {9, 10, 12, 13}


@dataclass(frozen=True)
class Sniffed:
    kind: str
    content_type: str


def _office_kind(path: Path) -> str | None:
    try:
        with zipfile.ZipFile(path) as archive:
            types = archive.read("[Content_Types].xml").decode("utf-8", "replace")
    except (zipfile.BadZipFile, KeyError, OSError, RuntimeError, ValueError):
        return None
    for kind, marker in _OFFICE_MAIN.items():
        if marker in types:
            return kind
    return None


def _is_text(path: Path) -> bool:
    data = path.read_bytes()
    if b"\x00" in data:
        return False
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = data.decode("latin-1")
        # Latin-1 decodes any byte: insist on printable text (no C0/C1 control codes).
        if any(0x80 <= ord(c) <= 0x9F for c in text):
            return False
    return all(ord(c) >= 32 or ord(c) in _TEXT_CONTROL_OK for c in text)


def sniff(path: Path, filename: str) -> Sniffed:
    """What the file's bytes say it is, checked against its extension; ValidationError if not allowed."""
    with open(path, "rb") as handle:
        head = handle.read(16)
    ext = os.path.splitext(filename.lower())[1]
    kind: str | None = None
    if head.startswith(_EXECUTABLE_MAGIC):
        raise ValidationError(
            "This file looks like a program or script and can't be uploaded.", field="file"
        )
    if head.startswith(b"%PDF-"):
        kind = "pdf"
    elif head.startswith(b"\x89PNG\r\n\x1a\n"):
        kind = "png"
    elif head.startswith(b"\xff\xd8\xff"):
        kind = "jpeg"
    elif head.startswith((b"GIF87a", b"GIF89a")):
        kind = "gif"
    elif head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        kind = "webp"
    elif head.startswith(b"PK\x03\x04"):
        kind = _office_kind(path)
    elif head.startswith(_OLE):
        kind = {".doc": "doc", ".xls": "xls", ".ppt": "ppt"}.get(ext)
    elif _is_text(path):
        kind = "csv" if ext == ".csv" else "text"
    if kind is None:
        raise ValidationError(NOT_ALLOWED, field="file")
    content_type, extensions = KINDS[kind]
    if ext not in extensions:
        raise ValidationError(
            f"This file's content doesn't match its name: it is not a {ext or 'typeless'} file.",
            field="file",
        )
    return Sniffed(kind, content_type)


def safe_filename(name: str | None) -> str:
    """The original name without folders, control or quote characters (shown and used for downloads)."""
    base = re.split(r"[\\/]", name or "")[-1]
    base = unicodedata.normalize("NFC", base)
    base = "".join(c for c in base if unicodedata.category(c)[0] != "C" and c not in '"<>:|?*;')
    base = base.strip(" .")
    if len(base) > 200:
        stem, ext = os.path.splitext(base)
        base = stem[: 200 - len(ext)] + ext
    return base or "file"


def _storage_root() -> Path:
    return private_dir(get_settings().files_dir)


_KEY = re.compile(r"[0-9a-f]{32}")


def storage_path(storage_key: str) -> Path:
    if not _KEY.fullmatch(storage_key or ""):
        raise NotFound("File not found.")
    return _storage_root() / storage_key[:2] / storage_key


def _receive(stream: BinaryIO, target: Path) -> int:
    """Copy the stream to `target`, stopping (and refusing) past the size limit."""
    size = 0
    with private_open(target) as out:
        while True:
            chunk = stream.read(CHUNK)
            if not chunk:
                break
            size += len(chunk)
            if size > MAX_FILE_BYTES:
                raise ValidationError(TOO_LARGE, field="file")
            out.write(chunk)
    return size


def add_file(
    session: Session, actor: Actor, agent_id, contact_id, filename: str | None, stream: BinaryIO
) -> ContactFile:
    """Store one uploaded file for the contact; nothing is stored when it is refused."""
    _, contact = contact_for(session, actor, agent_id, contact_id)
    name = safe_filename(filename)
    root = _storage_root()
    incoming = root / ".incoming"
    private_dir(incoming)
    key = secrets.token_hex(16)
    temp = incoming / key
    try:
        size = _receive(stream, temp)
        if size == 0:
            raise ValidationError("This file is empty.", field="file")
        sniffed = sniff(temp, name)
        final = storage_path(key)
        private_dir(final.parent)
        os.replace(temp, final)
    finally:
        if temp.exists():
            temp.unlink()
    remove_after_rollback(session, [final])
    row = ContactFile(
        contact_id=contact.id,
        uploader_id=actor.user_id,
        filename=name,
        content_type=sniffed.content_type,
        size=size,
        storage_key=key,
    )
    session.add(row)
    session.flush()
    add_activity(
        session,
        contact,
        "file",
        actor,
        f"File {name} uploaded by {actor.display_name}",
        {"file_id": row.id},
    )
    audit.record(
        session, actor, "Create", "File", f"Uploaded file {row.id} to contact {contact.id}"
    )
    return row


def human_size(size: int) -> str:
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size / (1024 * 1024):.1f} MB"


def list_files(
    session: Session, actor: Actor, agent_id, contact_id, tz_name: str = ""
) -> list[dict]:
    _, contact = contact_for(session, actor, agent_id, contact_id)
    rows = session.exec(
        select(ContactFile, User)
        .join(User, User.id == ContactFile.uploader_id, isouter=True)
        .where(ContactFile.contact_id == contact.id)
        .order_by(ContactFile.created_at.desc(), ContactFile.id.desc())
    ).all()
    out = []
    for row, user in rows:
        out.append(
            {
                "id": str(row.id),
                "name": row.filename,
                "size": human_size(row.size),
                "type": row.content_type,
                "uploader": user.display_name if user else "Former member",
                "time": fmt_time(row.created_at, tz_name),
                "url": f"/api/contacts/{contact.id}/files/{row.id}",
                "can_delete": actor.is_admin or row.uploader_id == actor.user_id,
            }
        )
    return out


def _file_of(session: Session, contact_id: str, file_id) -> ContactFile:
    row = session.get(ContactFile, int(file_id)) if str(file_id).isdigit() else None
    if row is None or row.contact_id != contact_id:
        raise NotFound("File not found.")
    return row


def delete_file(session: Session, actor: Actor, agent_id, contact_id, file_id) -> None:
    _, contact = contact_for(session, actor, agent_id, contact_id)
    row = _file_of(session, contact.id, file_id)
    if not (actor.is_admin or row.uploader_id == actor.user_id):
        raise PermissionDenied("Only the person who uploaded this file or an Admin can delete it.")
    path = storage_path(row.storage_key)
    session.delete(row)
    add_activity(
        session, contact, "file", actor, f"File {row.filename} deleted by {actor.display_name}"
    )
    audit.record(session, actor, "Delete", "File", f"Deleted file {row.id} of contact {contact.id}")
    remove_after_commit(session, [path])


def file_for_download(session: Session, actor: Actor, contact_id, file_id) -> tuple[Path, str, str]:
    """(path, filename, content type) of a file the actor may read; NotFound otherwise."""
    contact = session.get(Contact, contact_id) if isinstance(contact_id, str) else None
    if contact is None:
        raise NotFound("Contact not found.")
    _, contact = contact_for(session, actor, contact.agent_id, contact.id)
    row = _file_of(session, contact.id, file_id)
    path = storage_path(row.storage_key)
    if not path.is_file():
        raise NotFound("File not found.")
    audit.record(
        session, actor, "Read", "File", f"Downloaded file {row.id} of contact {contact.id}"
    )
    return path, row.filename, row.content_type


def remove_stored(session: Session, storage_keys: Iterable[str]) -> None:
    """Schedule the stored files for deletion once the caller's transaction commits."""
    remove_after_commit(session, [storage_path(k) for k in storage_keys if _KEY.fullmatch(k or "")])
