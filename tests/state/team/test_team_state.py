"""Settings → Team page state: what each member sees and what the handlers refuse."""

from __future__ import annotations

from sqlmodel import select

from crm_app import db
from crm_app.models import Invitation, Membership, SentEmail
from crm_app.state.team import TeamState


def _role(world, user_id):
    with db.session_scope() as s:
        m = s.exec(
            select(Membership).where(
                Membership.org_id == world.org_id, Membership.user_id == user_id
            )
        ).first()
        return m.role if m else None


def test_owner_sees_the_team_and_both_roles_to_invite(world, make_state):
    state = make_state(TeamState, "owner")
    assert state.loaded and state.can_invite
    assert state.role_choices == ["Admin", "User"]
    assert [r.email for r in state.members] == [
        "olivia@clinic.example",
        "adam@clinic.example",
        "uma@clinic.example",
    ]
    assert [a.name for a in state.agent_options] == ["Billing", "Reception"]
    assert state.member_count == 3 and state.invited_count == 0 and state.summary == "3 members"
    # nothing secret or foreign reaches the browser
    assert "bob@bakery.example" not in str(state.members)
    assert "token" not in str(state.dict())


def test_invite_flow_shows_inline_errors_then_sends(world, make_state):
    state = make_state(TeamState, "owner")
    state.open_invite()
    assert state.invite_open
    state.set_invite_email("not-an-email")
    assert state.submit_invite() is None
    assert state.invite_errors == {"email": "Enter a valid email address."} and state.invite_open
    state.set_invite_email("adam@clinic.example")
    state.submit_invite()
    assert state.invite_errors["email"] == "adam@clinic.example is already a member."
    state.set_invite_email("Nina@Clinic.example")
    state.set_invite_role("User")
    state.toggle_invite_agent(str(world.agent_ids[1]), True)
    state.toggle_invite_agent(str(world.other_agent_id), True)  # not offered: ignored
    event = state.submit_invite()
    assert "Invitation sent to nina@clinic.example" in str(event)
    assert not state.invite_open
    assert state.summary == "3 members · 1 pending invitation"
    invited = [r for r in state.members if r.progress == "Invited"]
    assert [r.email for r in invited] == ["nina@clinic.example"] and invited[
        0
    ].agent_names == "Billing"
    with db.session_scope() as s:
        assert s.exec(select(Invitation)).one().agent_ids == [world.agent_ids[1]]
        assert s.exec(select(SentEmail)).one().to == "nina@clinic.example"
    # the same address again: offer resend instead
    state.open_invite()
    state.set_invite_email("nina@clinic.example")
    state.submit_invite()
    assert "Resend" in state.invite_errors["email"]


def test_owner_cannot_be_made_twice_through_the_dialog(world, make_state):
    state = make_state(TeamState, "owner")
    state.open_invite()
    state.set_invite_role("Owner")  # not a choice: falls back to User
    assert state.invite_role == "User"
    state.open_role(world.user_id)
    state.set_role_value("Owner")
    state.save_role()
    assert state.role_error == "An organization has exactly one Owner."
    assert _role(world, world.user_id) == "User"


def test_admin_may_only_invite_users(world, make_state):
    state = make_state(TeamState, "admin")
    assert state.role_choices == ["User"]
    state.open_invite()
    state.set_invite_email("boss@clinic.example")
    state.invite_role = "Admin"  # a crafted payload, bypassing the select
    state.submit_invite()
    assert state.invite_errors.get("role") == "Only the Owner can invite or promote Admins."
    with db.session_scope() as s:
        assert s.exec(select(Invitation)).all() == []


def test_user_sees_the_list_read_only(world, make_state):
    state = make_state(TeamState, "user")
    assert not state.can_invite and len(state.members) == 3
    assert not any(r.can_remove or r.can_change_role for r in state.members)
    assert "Only Owners and Admins" in str(state.open_invite())
    assert not state.invite_open
    # crafted calls go through the service rules and fail
    state.invite_email, state.invite_role = "friend@clinic.example", "User"
    assert "Admin role or higher" in str(state.submit_invite())
    state.role_target_id, state.role_value = world.admin_id, "User"
    assert "Admin role or higher" in str(state.save_role())
    state.remove_target_id = world.admin_id
    assert "Admin role or higher" in str(state.confirm_remove())
    assert _role(world, world.admin_id) == "Admin"
    with db.session_scope() as s:
        assert s.exec(select(Invitation)).all() == []


def test_change_role_agents_and_remove(world, make_state):
    state = make_state(TeamState, "owner")
    state.open_agents(world.user_id)
    assert state.agents_open and state.agents_selected == [str(world.agent_ids[0])]
    state.toggle_member_agent(str(world.agent_ids[1]), True)
    assert "Agent access updated for Uma Ulm" in str(state.save_agents())
    row = next(r for r in state.members if r.id == world.user_id and r.kind == "member")
    assert row.agent_names == "Reception, Billing"

    state.open_role(world.admin_id)
    state.set_role_value("User")
    assert "Adam Ames is now User" in str(state.save_role())
    assert _role(world, world.admin_id) == "User"

    state.open_remove(world.user_id)
    assert state.remove_open and state.remove_target_name == "Uma Ulm"
    assert "Uma Ulm was removed from the team" in str(state.confirm_remove())
    assert not state.remove_open
    assert world.user_id not in [r.id for r in state.members if r.kind == "member"]
    assert _role(world, world.user_id) is None


def test_removed_member_is_signed_out_at_once(world, make_state):
    owner = make_state(TeamState, "owner")
    owner.open_remove(world.user_id)
    owner.confirm_remove()
    removed = make_state(TeamState, "user")
    assert removed.signed_in is False and removed.members == []


def test_owner_row_offers_no_actions_and_crafted_calls_fail(world, make_state):
    state = make_state(TeamState, "admin")
    owner_row = next(r for r in state.members if r.role == "Owner")
    assert not (owner_row.can_remove or owner_row.can_change_role)
    assert "cannot remove" in str(state.open_remove(world.owner_id))
    state.remove_target_id = world.owner_id  # forged
    assert "exactly one Owner" in str(state.confirm_remove())
    assert _role(world, world.owner_id) == "Owner"


def test_other_organizations_owner_cannot_touch_this_team(world, make_state):
    state = make_state(TeamState, "outsider")
    assert [r.email for r in state.members] == ["bob@bakery.example"]
    assert "cannot" in str(state.open_remove(world.user_id))
    state.remove_target_id = world.user_id
    assert "Member not found" in str(state.confirm_remove())
    state.role_target_id, state.role_value = world.admin_id, "User"
    assert "Member not found" in str(state.save_role())
    state.agents_target_id, state.agents_selected = world.user_id, []
    assert "Member not found" in str(state.save_agents())
    assert _role(world, world.user_id) == "User" and _role(world, world.admin_id) == "Admin"


def test_resend_and_revoke_from_the_menu(world, make_state):
    state = make_state(TeamState, "owner")
    state.open_invite()
    state.set_invite_email("late@clinic.example")
    state.submit_invite()
    inv_id = next(r.id for r in state.members if r.kind == "invitation")
    assert "Invitation resent to late@clinic.example" in str(state.resend_invite(inv_id))
    assert "revoked" in str(state.revoke_invite(inv_id))
    assert state.invited_count == 0
    assert "Invitation not found" in str(state.revoke_invite(inv_id))
    assert "Invitation not found" in str(state.resend_invite("x"))


def test_signed_out_visitor_is_sent_to_login(world, make_state):
    state = make_state(TeamState, None)
    assert state.members == [] and not state.loaded
    assert "/login" in str(state.submit_invite())
