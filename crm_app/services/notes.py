"""Internal rich-text notes on a contact.

Note HTML comes from the browser's editor, so it is untrusted: it is sanitized with bleach
before it is stored and again before it is shown (an allowlist of formatting tags, links
limited to http/https/mailto and always rel="noopener noreferrer nofollow").
"""

from __future__ import annotations

import re

import bleach
from bleach.html5lib_shim import Filter
from sqlmodel import Session, select

from crm_app.models import Note, User, utcnow
from crm_app.services import audit
from crm_app.services.access import Actor
from crm_app.services.display import fmt_time, initials
from crm_app.services.errors import NotFound, PermissionDenied, ValidationError
from crm_app.services.timeline import add_activity, contact_for

MAX_NOTE_BYTES = 100 * 1024
ALLOWED_TAGS = frozenset(
    {
        "p",
        "br",
        "strong",
        "b",
        "em",
        "i",
        "u",
        "h1",
        "h2",
        "h3",
        "ul",
        "ol",
        "li",
        "a",
        "blockquote",
        "code",
        "pre",
    }
)
ALLOWED_ATTRIBUTES = {"a": ["href", "title", "rel", "target"]}
ALLOWED_PROTOCOLS = frozenset({"http", "https", "mailto"})
LINK_REL = "noopener noreferrer nofollow"
# Tags whose text is code, not content: dropped with everything inside them.
_DROP_WITH_CONTENT = re.compile(
    r"<(script|style|template|iframe|object|noscript)\b[^>]*>.*?</\1\s*>", re.IGNORECASE | re.DOTALL
)


class _LinkRel(Filter):
    """Every kept link gets rel="noopener noreferrer nofollow"; target only as _blank."""

    def __iter__(self):
        for token in super().__iter__():
            if token["type"] in ("StartTag", "EmptyTag") and token["name"] == "a":
                attrs = dict(token.get("data") or {})
                attrs[(None, "rel")] = LINK_REL
                if (None, "target") in attrs and attrs[(None, "target")] != "_blank":
                    del attrs[(None, "target")]
                token["data"] = attrs
            yield token


_CLEANER = bleach.Cleaner(
    tags=ALLOWED_TAGS,
    attributes=ALLOWED_ATTRIBUTES,
    protocols=ALLOWED_PROTOCOLS,
    strip=True,
    strip_comments=True,
    filters=[_LinkRel],
)


def sanitize_html(html: str) -> str:
    """Allowlisted HTML: no scripts, event handlers, styles or javascript: links survive."""
    return _CLEANER.clean(_DROP_WITH_CONTENT.sub("", html or "")).strip()


def _visible_text(html: str) -> str:
    return bleach.clean(html, tags=set(), strip=True).replace("&nbsp;", " ").strip()


def _clean_note(html) -> str:
    if not isinstance(html, str):
        raise ValidationError("Write something before saving the note.", field="note")
    if len(html.encode("utf-8")) > MAX_NOTE_BYTES:
        raise ValidationError("A note can be at most 100 KB.", field="note")
    clean = sanitize_html(html)
    if not _visible_text(clean):
        raise ValidationError("Write something before saving the note.", field="note")
    return clean


def _can_change(actor: Actor, note: Note) -> bool:
    return actor.is_admin or note.author_id == actor.user_id


def _note_of(session: Session, contact_id: str, note_id) -> Note:
    note = session.get(Note, int(note_id)) if str(note_id).isdigit() else None
    if note is None or note.contact_id != contact_id:
        raise NotFound("Note not found.")
    return note


def note_dto(note: Note, author: User | None, actor: Actor, tz_name: str = "") -> dict:
    name = author.display_name if author else "Former member"
    return {
        "id": str(note.id),
        "html": sanitize_html(note.html),  # sanitized again on display
        "author": name,
        "time": fmt_time(note.created_at, tz_name),
        "initials": initials(name),
        "edited": note.updated_at != note.created_at,
        "pinned": note.pinned,
        "can_edit": _can_change(actor, note),
    }


def list_notes(
    session: Session, actor: Actor, agent_id, contact_id, tz_name: str = ""
) -> list[dict]:
    """Pinned notes first, then newest first."""
    _, contact = contact_for(session, actor, agent_id, contact_id)
    rows = session.exec(
        select(Note, User)
        .join(User, User.id == Note.author_id, isouter=True)
        .where(Note.contact_id == contact.id)
        .order_by(Note.pinned.desc(), Note.created_at.desc(), Note.id.desc())
    ).all()
    return [note_dto(note, author, actor, tz_name) for note, author in rows]


def add_note(session: Session, actor: Actor, agent_id, contact_id, html) -> Note:
    _, contact = contact_for(session, actor, agent_id, contact_id)
    now = utcnow()
    note = Note(
        contact_id=contact.id,
        author_id=actor.user_id,
        html=_clean_note(html),
        created_at=now,
        updated_at=now,
    )
    session.add(note)
    session.flush()
    add_activity(
        session, contact, "note", actor, f"Note added by {actor.display_name}", {"note_id": note.id}
    )
    audit.record(session, actor, "Create", "Note", f"Added a note to contact {contact.id}")
    return note


def edit_note(session: Session, actor: Actor, agent_id, contact_id, note_id, html) -> Note:
    _, contact = contact_for(session, actor, agent_id, contact_id)
    note = _note_of(session, contact.id, note_id)
    if not _can_change(actor, note):
        raise PermissionDenied("Only the note's author or an Admin can edit it.")
    note.html = _clean_note(html)
    note.updated_at = utcnow()
    session.add(note)
    add_activity(
        session,
        contact,
        "note",
        actor,
        f"Note edited by {actor.display_name}",
        {"note_id": note.id},
    )
    audit.record(session, actor, "Update", "Note", f"Edited a note of contact {contact.id}")
    return note


def delete_note(session: Session, actor: Actor, agent_id, contact_id, note_id) -> None:
    _, contact = contact_for(session, actor, agent_id, contact_id)
    note = _note_of(session, contact.id, note_id)
    if not _can_change(actor, note):
        raise PermissionDenied("Only the note's author or an Admin can delete it.")
    session.delete(note)
    add_activity(session, contact, "note", actor, f"Note deleted by {actor.display_name}")
    audit.record(session, actor, "Delete", "Note", f"Deleted a note of contact {contact.id}")


def set_pinned(session: Session, actor: Actor, agent_id, contact_id, note_id, pinned: bool) -> Note:
    """Anyone who works with the contact may pin or unpin a note (it only changes the order)."""
    _, contact = contact_for(session, actor, agent_id, contact_id)
    note = _note_of(session, contact.id, note_id)
    if note.pinned != bool(pinned):
        note.pinned = bool(pinned)
        session.add(note)
        audit.record(
            session,
            actor,
            "Update",
            "Note",
            f"{'Pinned' if note.pinned else 'Unpinned'} a note of contact {contact.id}",
        )
    return note
