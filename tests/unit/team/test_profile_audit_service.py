"""Settings → Profile and Settings → Audit Logs (search, filters, pages, visibility)."""

from __future__ import annotations

import pytest
from sqlmodel import select

from crm_app import db
from crm_app.models import AuditLog, User
from crm_app.services import audit, profile
from crm_app.services.errors import ValidationError


def test_update_profile_trims_saves_and_audits(team, as_member):
    with db.session_scope() as s:
        dto = profile.update_profile(s, as_member("user"), "  Uma  Maria ", " Ulm-Berg ")
    assert dto == {
        "first_name": "Uma Maria",
        "last_name": "Ulm-Berg",
        "email": "uma@clinic.example",
        "name": "Uma Maria Ulm-Berg",
    }
    with db.session_scope() as s:
        user = s.get(User, team.user_id)
        assert (user.first_name, user.last_name) == ("Uma Maria", "Ulm-Berg")
        entry = s.exec(select(AuditLog)).one()
        assert (entry.action, entry.resource, entry.user_id) == ("Update", "Profile", team.user_id)
        assert profile.get_profile(s, as_member("user"))["first_name"] == "Uma Maria"


@pytest.mark.parametrize(
    "first,last,field,message",
    [
        ("", "Ulm", "first_name", "First name is required."),
        ("Uma", "   ", "last_name", "Last name is required."),
        ("U" * 51, "Ulm", "first_name", "First name must be at most 50 characters."),
        ("Uma", "U" * 51, "last_name", "Last name must be at most 50 characters."),
    ],
)
def test_update_profile_refuses_missing_or_long_names(team, as_member, first, last, field, message):
    with db.session_scope() as s, pytest.raises(ValidationError) as err:
        profile.update_profile(s, as_member("user"), first, last)
    assert (err.value.field, err.value.message) == (field, message)
    with db.session_scope() as s:
        assert s.get(User, team.user_id).first_name == "Uma"
        assert s.exec(select(AuditLog)).all() == []


def test_fifty_characters_are_fine(team, as_member):
    with db.session_scope() as s:
        assert (
            profile.update_profile(s, as_member("user"), "A" * 50, "B" * 50)["first_name"]
            == "A" * 50
        )


def _log(team, as_member):
    with db.session_scope() as s:
        for who, action, resource, text in [
            ("owner", "Create", "Contact", "Created contact Jane 100% Doe"),
            ("admin", "Update", "Contact", "Changed stage of Jane"),
            ("user", "Create", "Note", "Added a note to Jane"),
            ("user", "Login", "Session", "Signed in"),
            ("other_owner", "Delete", "Contact", "Deleted contact Jane"),
        ]:
            audit.record(s, as_member(who), action, resource, text)


def test_owner_and_admin_see_the_org_and_users_only_their_own(team, as_member):
    _log(team, as_member)
    with db.session_scope() as s:
        rows, total = audit.search_entries(s, as_member("admin"))
        assert total == 4 and {r.user_label for r in rows} == {
            "Olivia Owens",
            "Adam Ames",
            "Uma Ulm",
        }
        rows, total = audit.search_entries(s, as_member("user"))
        assert total == 2 and {r.user_id for r in rows} == {team.user_id}
        rows, total = audit.search_entries(s, as_member("other_owner"))
        assert total == 1 and rows[0].description == "Deleted contact Jane"


def test_filters_search_and_pages(team, as_member):
    _log(team, as_member)
    owner = as_member("owner")
    with db.session_scope() as s:
        assert audit.search_entries(s, owner, action="Create")[1] == 2
        assert audit.search_entries(s, owner, resource="Contact")[1] == 2
        assert audit.search_entries(s, owner, text="STAGE")[1] == 1
        assert audit.search_entries(s, owner, text="adam")[1] == 1  # by user
        assert audit.search_entries(s, owner, text="100%")[1] == 1  # % is literal
        assert audit.search_entries(s, owner, text="_")[1] == 0
        first, total = audit.search_entries(s, owner, page=1, page_size=3)
        second, _ = audit.search_entries(s, owner, page=2, page_size=3)
        assert total == 4 and len(first) == 3 and len(second) == 1
        assert {r.id for r in first}.isdisjoint({r.id for r in second})
        assert first[0].id > first[-1].id  # newest first
        assert audit.resources_seen(s, as_member("user")) == ["Note", "Session"]
