"""Settings → Profile and Settings → Audit Logs page states."""

from __future__ import annotations

from dataclasses import fields
from datetime import UTC, datetime

from crm_app import db
from crm_app.models import AuditLog, User
from crm_app.state.audit import PAGE_SIZE, AuditState, format_timestamp
from crm_app.state.profile import ProfileState


def test_profile_save_is_enabled_only_after_a_change_and_updates_the_sidebar(world, make_state):
    state = make_state(ProfileState, "user")
    assert (state.first_name, state.last_name, state.email) == ("Uma", "Ulm", "uma@clinic.example")
    assert state.dirty is False
    state.set_first_name("Uma-Lena ")
    assert state.dirty is True
    event = state.save()
    assert "Profile updated successfully" in str(event)
    assert state.first_name == "Uma-Lena" and state.dirty is False
    assert state.user_name == "Uma-Lena Ulm"  # sidebar name
    with db.session_scope() as s:
        assert s.get(User, world.user_id).first_name == "Uma-Lena"


def test_profile_errors_show_next_to_the_fields_and_nothing_is_saved(world, make_state):
    state = make_state(ProfileState, "admin")
    state.set_first_name("   ")
    state.set_last_name("x" * 51)
    assert state.save() is None
    assert state.errors == {
        "first_name": "First name is required.",
        "last_name": "Last name must be at most 50 characters.",
    }
    state.set_first_name("Adam")
    assert "first_name" not in state.errors
    state.reset_form()
    assert state.last_name == "Ames" and state.errors == {}
    with db.session_scope() as s:
        assert s.get(User, world.admin_id).last_name == "Ames"


def _entries(world, count, who_id, org_id, action="Update"):
    with db.session_scope() as s:
        for i in range(count):
            s.add(
                AuditLog(
                    org_id=org_id,
                    user_id=who_id,
                    user_label=f"member {who_id}",
                    description=f"Changed contact {i}",
                    action=action,
                    resource="Contact",
                )
            )


def test_audit_owner_sees_the_org_paginated_and_filtered(world, make_state):
    _entries(world, PAGE_SIZE + 5, world.admin_id, world.org_id)
    _entries(world, 2, world.user_id, world.org_id, action="Create")
    _entries(world, 3, world.outsider_id, world.other_org_id, action="Delete")
    state = make_state(AuditState, "owner")
    assert state.total == PAGE_SIZE + 7 and len(state.entries) == PAGE_SIZE
    assert state.has_next and not state.has_prev and state.page_count == 2
    assert {f.name for f in fields(state.entries[0])} == {
        "id",
        "user",
        "description",
        "action",
        "resource",
        "status",
        "timestamp",
    }
    state.next_page()
    assert (
        state.page == 2
        and len(state.entries) == 7
        and state.range_label == f"26–{PAGE_SIZE + 7} of 32"
    )
    state.next_page()
    assert state.page == 2  # no page 3
    state.set_action_filter("Create")
    assert state.page == 1 and state.total == 2
    state.set_action_filter("Delete")
    assert state.total == 0 and state.filtered  # another org's entries never show
    state.set_action_filter("DROP TABLE")
    assert state.action_filter == "All actions" and state.total == PAGE_SIZE + 7
    state.set_search("contact 3")
    assert state.total == 1
    state.clear_filters()
    assert state.total == PAGE_SIZE + 7 and not state.filtered


def test_audit_user_sees_only_their_own(world, make_state):
    _entries(world, 4, world.admin_id, world.org_id)
    _entries(world, 2, world.user_id, world.org_id, action="Create")
    state = make_state(AuditState, "user")
    assert state.total == 2 and {e.user for e in state.entries} == {f"member {world.user_id}"}


def test_audit_timestamps_follow_the_browser_time_zone(world, make_state):
    _entries(world, 1, world.admin_id, world.org_id)
    state = make_state(AuditState, "owner")
    assert state.entries[0].timestamp.endswith("UTC")
    state.set_time_zone("Europe/Berlin")
    assert not state.entries[0].timestamp.endswith("UTC")
    state.set_time_zone("../../etc/passwd")  # ignored
    assert not state.entries[0].timestamp.endswith("UTC")
    moment = datetime(2026, 3, 3, 13, 5, tzinfo=UTC)
    assert format_timestamp(moment, "Europe/Berlin") == "Mar 3, 2026, 2:05 PM"
    assert format_timestamp(moment) == "Mar 3, 2026, 1:05 PM UTC"
