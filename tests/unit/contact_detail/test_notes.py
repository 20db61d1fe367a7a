"""Notes: bleach sanitizing on save and on display, size/empty limits, author/Admin rights, pin."""

from __future__ import annotations

import pytest
from sqlmodel import select

from crm_app import db
from crm_app.models import Activity, AuditLog, Note
from crm_app.services import notes
from crm_app.services.errors import NotFound, PermissionDenied, ValidationError

XSS = [
    '<script>alert("x")</script><p>hi</p>',
    '<img src=x onerror="alert(1)"><p>hi</p>',
    '<p onclick="alert(1)">hi</p>',
    '<a href="javascript:alert(1)">hi</a>',
    '<a href="JaVaScRiPt:alert(1)">hi</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD4=">hi</a>',
    '<p style="background:url(javascript:alert(1))">hi</p>',
    '<svg onload="alert(1)"><p>hi</p></svg>',
    '<iframe src="https://evil.example"></iframe><p>hi</p>',
]


@pytest.mark.parametrize("payload", XSS)
def test_sanitize_strips_every_script_vector(payload):
    clean = notes.sanitize_html(payload).lower()
    for bad in (
        "<script",
        "onerror",
        "onclick",
        "onload",
        "javascript:",
        "data:",
        "style=",
        "<img",
        "<svg",
        "<iframe",
        'alert("x")',
    ):
        assert bad not in clean
    assert "hi" in clean


def test_sanitize_keeps_formatting_and_hardens_links():
    html = (
        "<h2>Visit</h2><p><strong>Bold</strong> <em>it</em> <u>u</u></p><ul><li>one</li></ul><ol><li>two</li></ol>"
        '<blockquote>q</blockquote><a href="https://clinic.example" target="_self" rel="opener">site</a>'
        '<a href="mailto:a@b.example">mail</a>'
    )
    clean = notes.sanitize_html(html)
    for kept in (
        "<h2>",
        "<strong>",
        "<em>",
        "<u>",
        "<ul><li>one</li></ul>",
        "<ol>",
        "<blockquote>",
        'href="https://clinic.example"',
        'href="mailto:a@b.example"',
    ):
        assert kept in clean
    assert clean.count('rel="noopener noreferrer nofollow"') == 2
    assert "_self" not in clean and 'opener"' not in clean


def test_add_note_stores_sanitized_html_and_records_activity_and_audit(world):
    with db.session_scope() as s:
        notes.add_note(
            s,
            world.user,
            world.agent_id,
            world.contact_id,
            "<p><strong>Allergic</strong> to penicillin</p><img src=x onerror=alert(1)>",
        )
    with db.session_scope() as s:
        stored = s.exec(select(Note)).one()
        assert stored.html == "<p><strong>Allergic</strong> to penicillin</p>"
        assert (
            s.exec(select(Activity).where(Activity.kind == "note")).one().message
            == "Note added by Sam Staff"
        )
        assert s.exec(select(AuditLog).where(AuditLog.resource == "Note")).one().action == "Create"
        listed = notes.list_notes(s, world.owner, world.agent_id, world.contact_id)
    assert (
        listed[0]["author"] == "Sam Staff" and listed[0]["initials"] == "SS" and listed[0]["time"]
    )
    assert listed[0]["edited"] is False
    assert listed[0]["can_edit"] is True  # the Owner may edit anyone's note


def test_display_sanitizes_again_html_stored_before(world):
    with db.session_scope() as s:
        s.add(
            Note(
                contact_id=world.contact_id,
                author_id=world.owner.user_id,
                html='<p>ok</p><script>alert(1)</script><a href="javascript:alert(2)">x</a>',
            )
        )
    with db.session_scope() as s:
        shown = notes.list_notes(s, world.owner, world.agent_id, world.contact_id)[0]["html"]
    assert "<script" not in shown and "javascript:" not in shown and "<p>ok</p>" in shown


@pytest.mark.parametrize(
    "html", ["", "<p></p>", "<p>   </p><br>", "<script>alert(1)</script>", None, 42]
)
def test_empty_notes_are_refused(world, html):
    with db.session_scope() as s, pytest.raises(ValidationError, match="Write something"):
        notes.add_note(s, world.owner, world.agent_id, world.contact_id, html)


def test_notes_over_100_kb_are_refused(world):
    with db.session_scope() as s, pytest.raises(ValidationError, match="100 KB"):
        notes.add_note(
            s, world.owner, world.agent_id, world.contact_id, "<p>" + "a" * (100 * 1024) + "</p>"
        )


def test_only_author_or_admin_edit_and_delete(world):
    with db.session_scope() as s:
        note_id = notes.add_note(
            s, world.owner, world.agent_id, world.contact_id, "<p>owner note</p>"
        ).id
    with db.session_scope() as s:
        assert (
            notes.list_notes(s, world.user, world.agent_id, world.contact_id)[0]["can_edit"]
            is False
        )
        with pytest.raises(PermissionDenied):
            notes.edit_note(
                s, world.user, world.agent_id, world.contact_id, note_id, "<p>changed</p>"
            )
        with pytest.raises(PermissionDenied):
            notes.delete_note(s, world.user, world.agent_id, world.contact_id, note_id)
    with db.session_scope() as s:
        notes.edit_note(
            s, world.admin, world.agent_id, world.contact_id, note_id, "<p>fixed <b>typo</b></p>"
        )
    with db.session_scope() as s:
        shown = notes.list_notes(s, world.owner, world.agent_id, world.contact_id)[0]
        assert shown["html"] == "<p>fixed <b>typo</b></p>" and shown["edited"] is True
        notes.delete_note(s, world.admin, world.agent_id, world.contact_id, note_id)
    with db.session_scope() as s:
        assert s.exec(select(Note)).all() == []
        messages = [a.message for a in s.exec(select(Activity).where(Activity.kind == "note"))]
    assert {
        "Note added by Dana Whitfield",
        "Note edited by Alex Admin",
        "Note deleted by Alex Admin",
    } <= set(messages)


def test_pinned_notes_come_first(world):
    with db.session_scope() as s:
        first = notes.add_note(s, world.owner, world.agent_id, world.contact_id, "<p>first</p>").id
        notes.add_note(s, world.owner, world.agent_id, world.contact_id, "<p>second</p>")
    with db.session_scope() as s:
        assert [
            n["html"] for n in notes.list_notes(s, world.owner, world.agent_id, world.contact_id)
        ][0] == "<p>second</p>"
        notes.set_pinned(s, world.user, world.agent_id, world.contact_id, first, True)
    with db.session_scope() as s:
        listed = notes.list_notes(s, world.owner, world.agent_id, world.contact_id)
    assert listed[0]["html"] == "<p>first</p>" and listed[0]["pinned"] is True


@pytest.mark.parametrize("who", ["outsider", "stranger"])
def test_members_without_the_agent_get_contact_not_found(world, who):
    actor = getattr(world, who)
    with db.session_scope() as s:
        note_id = notes.add_note(
            s, world.owner, world.agent_id, world.contact_id, "<p>secret</p>"
        ).id
    with db.session_scope() as s:
        for call in (
            lambda: notes.list_notes(s, actor, world.agent_id, world.contact_id),
            lambda: notes.add_note(s, actor, world.agent_id, world.contact_id, "<p>x</p>"),
            lambda: notes.edit_note(
                s, actor, world.agent_id, world.contact_id, note_id, "<p>x</p>"
            ),
            lambda: notes.delete_note(s, actor, world.agent_id, world.contact_id, note_id),
            lambda: notes.set_pinned(s, actor, world.agent_id, world.contact_id, note_id, True),
        ):
            with pytest.raises(NotFound, match="Contact not found"):
                call()


def test_outsider_with_own_agent_id_cannot_reach_the_contact(world):
    with db.session_scope() as s, pytest.raises(NotFound, match="Contact not found"):
        notes.list_notes(s, world.outsider, world.outsider_agent_id, world.contact_id)
