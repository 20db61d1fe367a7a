"""Settings → Team: who may invite, change roles, give agent access and remove whom."""

from __future__ import annotations

import pytest
from sqlmodel import select

from crm_app import db
from crm_app.models import AuditLog, AuthSession, Invitation, Membership, SentEmail, User
from crm_app.services import sessions
from crm_app.services import team as team_service
from crm_app.services.errors import Conflict, NotFound, PermissionDenied, ValidationError
from crm_app.services.security import hash_secret
from tests.mailbox import inbox


def _count(model) -> int:
    with db.session_scope() as s:
        return len(s.exec(select(model)).all())


def _role(org_id: int, user_id: int) -> str | None:
    with db.session_scope() as s:
        m = s.exec(
            select(Membership).where(Membership.org_id == org_id, Membership.user_id == user_id)
        ).first()
        return m.role if m else None


def _snapshot():
    return tuple(_count(m) for m in (Invitation, Membership, SentEmail, AuditLog))


# ------------------------------------------------------------------ listing


def test_list_shows_members_and_pending_invitations_with_permitted_actions(team, as_member):
    owner = as_member("owner")
    with db.session_scope() as s:
        team_service.invite(s, owner, "new.admin@clinic.example", "Admin")
    with db.session_scope() as s:
        rows = team_service.list_members(s, owner)
    by_email = {r["email"]: r for r in rows}
    assert [r["role"] for r in rows][:3] == ["Owner", "Admin", "User"]
    assert by_email["olivia@clinic.example"]["name"] == "Olivia Owens"
    assert by_email["olivia@clinic.example"]["progress"] == "Active"
    assert by_email["olivia@clinic.example"]["can_remove"] is False  # nobody manages the Owner
    assert by_email["adam@clinic.example"]["can_change_role"] is True
    assert by_email["uma@clinic.example"]["agent_names"] == "Reception"
    assert by_email["uma@clinic.example"]["can_set_agents"] is True
    invited = by_email["new.admin@clinic.example"]
    assert invited["progress"] == "Invited" and invited["can_resend"] and invited["can_revoke"]
    assert "bob@bakery.example" not in by_email  # other organizations never show

    with db.session_scope() as s:
        admin_rows = {r["email"]: r for r in team_service.list_members(s, as_member("admin"))}
        user_rows = {r["email"]: r for r in team_service.list_members(s, as_member("user"))}
    assert admin_rows["uma@clinic.example"]["can_remove"] is True
    assert admin_rows["uma@clinic.example"]["can_set_agents"] is True
    assert admin_rows["uma@clinic.example"]["can_change_role"] is False  # Admins cannot promote
    assert admin_rows["adam@clinic.example"]["can_remove"] is False  # not themselves
    assert admin_rows["new.admin@clinic.example"]["can_revoke"] is False  # Admin invite: Owner only
    assert not any(
        r["can_remove"] or r["can_change_role"] or r["can_revoke"] for r in user_rows.values()
    )
    assert len(user_rows) == 4  # Users see the list read-only


# ------------------------------------------------------------------ inviting


def test_owner_invites_an_admin_and_the_email_carries_a_working_link(team, as_member):
    owner = as_member("owner")
    with db.session_scope() as s:
        dto = team_service.invite(s, owner, "  New.Person@Clinic.Example ", "Admin")
    assert (
        dto["email"] == "new.person@clinic.example"
        and dto["role"] == "Admin"
        and dto["status"] == "Pending"
    )
    assert "token" not in dto and "token_hash" not in dto
    with db.session_scope() as s:
        mail = s.exec(select(SentEmail)).one()
        inv = s.exec(select(Invitation)).one()
        entry = s.exec(select(AuditLog)).one()
    assert mail.to == "new.person@clinic.example"
    assert "Sunny Clinic" in mail.subject
    received = inbox(mail.to)["body"]
    link = next(
        line for line in received.splitlines() if line.startswith("https://crm.example/invite/")
    )
    token = link.rsplit("/", 1)[1]
    # The sent-mail table keeps the mail without the link's secret.
    assert token not in mail.body and "https://crm.example/invite/[hidden]" in mail.body
    assert inv.token_hash == hash_secret(token) and token not in inv.token_hash
    assert inv.invited_by_id == team.owner_id
    assert (entry.action, entry.resource, entry.user_id) == ("Create", "Invitation", team.owner_id)
    assert "new.person@clinic.example" in entry.description


def test_admin_invites_users_only_and_users_cannot_invite(team, as_member):
    admin, user = as_member("admin"), as_member("user")
    with db.session_scope() as s:
        team_service.invite(
            s, admin, "helper@clinic.example", "User", agent_ids=[team.agent_ids[1]]
        )
    with db.session_scope() as s:
        inv = s.exec(select(Invitation)).one()
        assert inv.role == "User" and inv.agent_ids == [team.agent_ids[1]]
    before = _snapshot()
    with db.session_scope() as s, pytest.raises(PermissionDenied):
        team_service.invite(s, admin, "boss@clinic.example", "Admin")
    with db.session_scope() as s, pytest.raises(PermissionDenied):
        team_service.invite(s, user, "friend@clinic.example", "User")
    assert _snapshot() == before


@pytest.mark.parametrize("who", ["owner", "admin"])
def test_nobody_can_invite_a_second_owner(team, as_member, who):
    before = _snapshot()
    with db.session_scope() as s, pytest.raises(ValidationError) as err:
        team_service.invite(s, as_member(who), "second@clinic.example", "Owner")
    assert err.value.message == "An organization has exactly one Owner."
    assert _snapshot() == before


@pytest.mark.parametrize(
    "email", ["", "not-an-email", "a@b", "two@@clinic.example", "x y@clinic.example"]
)
def test_malformed_emails_are_refused_inline(team, as_member, email):
    with db.session_scope() as s, pytest.raises(ValidationError) as err:
        team_service.invite(s, as_member("owner"), email, "User")
    assert err.value.field == "email"
    assert _count(Invitation) == 0 and _count(SentEmail) == 0


def test_existing_member_and_duplicate_pending_invite_are_refused(team, as_member):
    owner = as_member("owner")
    with db.session_scope() as s, pytest.raises(Conflict) as err:
        team_service.invite(s, owner, "ADAM@clinic.example", "User")
    assert (
        err.value.message == "adam@clinic.example is already a member."
        and err.value.field == "email"
    )
    with db.session_scope() as s:
        team_service.invite(s, owner, "dup@clinic.example", "User")
    with db.session_scope() as s, pytest.raises(Conflict) as err:
        team_service.invite(s, owner, "Dup@Clinic.example", "Admin")
    assert "Resend" in err.value.message
    assert _count(Invitation) == 1 and _count(SentEmail) == 1
    # a member of another organization may still be invited here
    with db.session_scope() as s:
        team_service.invite(s, owner, "bob@bakery.example", "User")
    assert _count(Invitation) == 2


def test_invite_refuses_agents_of_another_organization(team, as_member):
    with db.session_scope() as s, pytest.raises(ValidationError) as err:
        team_service.invite(
            s, as_member("owner"), "helper@clinic.example", "User", agent_ids=[team.other_agent_id]
        )
    assert err.value.message == "Agent not found."
    with db.session_scope() as s, pytest.raises(ValidationError):
        team_service.invite(
            s, as_member("owner"), "helper@clinic.example", "User", agent_ids=["abc"]
        )
    assert _count(Invitation) == 0


def test_resend_rotates_the_link_and_revoke_hides_the_invitation(team, as_member):
    owner = as_member("owner")
    with db.session_scope() as s:
        inv_id = team_service.invite(s, owner, "late@clinic.example", "User")["id"]
        first_hash = s.get(Invitation, inv_id).token_hash
    with db.session_scope() as s:
        team_service.resend_invite(s, owner, inv_id)
    with db.session_scope() as s:
        assert s.get(Invitation, inv_id).token_hash != first_hash
        assert (
            len(s.exec(select(SentEmail).where(SentEmail.to == "late@clinic.example")).all()) == 2
        )
    with db.session_scope() as s:
        team_service.revoke_invite(s, owner, inv_id)
    with db.session_scope() as s:
        assert s.get(Invitation, inv_id).status == "Revoked"
        assert "late@clinic.example" not in {
            r["email"] for r in team_service.list_members(s, owner)
        }
        actions = [e.action for e in s.exec(select(AuditLog).order_by(AuditLog.id))]
    assert actions == ["Create", "Update", "Delete"]
    with db.session_scope() as s, pytest.raises(NotFound):
        team_service.resend_invite(s, owner, inv_id)  # revoked
    # after revoking, the address can be invited again
    with db.session_scope() as s:
        team_service.invite(s, owner, "late@clinic.example", "User")


def test_admin_and_user_and_other_org_cannot_touch_invitations_they_do_not_manage(team, as_member):
    with db.session_scope() as s:
        admin_inv = team_service.invite(s, as_member("owner"), "boss@clinic.example", "Admin")["id"]
        user_inv = team_service.invite(s, as_member("owner"), "help@clinic.example", "User")["id"]
    before = _snapshot()
    with db.session_scope() as s, pytest.raises(PermissionDenied):
        team_service.revoke_invite(s, as_member("admin"), admin_inv)
    with db.session_scope() as s, pytest.raises(PermissionDenied):
        team_service.resend_invite(s, as_member("user"), user_inv)
    for call in (team_service.revoke_invite, team_service.resend_invite):
        with db.session_scope() as s, pytest.raises(NotFound):
            call(s, as_member("other_owner"), user_inv)
    assert _snapshot() == before
    with db.session_scope() as s:
        team_service.revoke_invite(s, as_member("admin"), user_inv)  # Admins manage User invites


# ------------------------------------------------------------------ roles


def test_owner_promotes_and_demotes_but_never_makes_a_second_owner(team, as_member):
    owner = as_member("owner")
    with db.session_scope() as s:
        team_service.change_role(s, owner, team.user_id, "Admin")
    assert _role(team.org_id, team.user_id) == "Admin"
    with db.session_scope() as s:
        team_service.change_role(s, owner, team.admin_id, "User")
    assert _role(team.org_id, team.admin_id) == "User"
    before = _snapshot()
    with db.session_scope() as s, pytest.raises(ValidationError) as err:
        team_service.change_role(s, owner, team.user_id, "Owner")
    assert err.value.message == "An organization has exactly one Owner."
    with db.session_scope() as s, pytest.raises(PermissionDenied):
        team_service.change_role(s, owner, team.owner_id, "Admin")  # the Owner is never changed
    with db.session_scope() as s, pytest.raises(ValidationError):
        team_service.change_role(s, owner, team.user_id, "Superuser")
    assert _snapshot() == before
    assert _role(team.org_id, team.owner_id) == "Owner"
    with db.session_scope() as s:
        entries = s.exec(select(AuditLog).where(AuditLog.resource == "Member")).all()
    assert [e.action for e in entries] == ["Update", "Update"]


def test_admin_manages_users_only_and_cannot_promote(team, as_member):
    admin = as_member("admin")
    with db.session_scope() as s:
        other_admin = User(email="ada@clinic.example", first_name="Ada", last_name="Lo")
        s.add(other_admin)
        s.flush()
        s.add(Membership(org_id=team.org_id, user_id=other_admin.id, role="Admin"))
        other_admin_id = other_admin.id
    before = _snapshot()
    with db.session_scope() as s, pytest.raises(PermissionDenied):
        team_service.change_role(s, admin, team.user_id, "Admin")
    with db.session_scope() as s, pytest.raises(PermissionDenied):
        team_service.change_role(s, admin, other_admin_id, "User")
    with db.session_scope() as s, pytest.raises(PermissionDenied):
        team_service.change_role(s, admin, team.owner_id, "User")
    with db.session_scope() as s, pytest.raises(PermissionDenied):
        team_service.change_role(s, admin, team.admin_id, "User")  # themselves
    assert _snapshot() == before
    assert _role(team.org_id, team.user_id) == "User"
    assert _role(team.org_id, other_admin_id) == "Admin"


def test_user_cannot_change_roles_or_agents(team, as_member):
    user = as_member("user")
    before = _snapshot()
    for call, args in (
        (team_service.change_role, (team.admin_id, "User")),
        (team_service.change_role, (team.user_id, "Admin")),
        (team_service.change_role, (team.user_id, "Owner")),
        (team_service.set_member_agents, (team.user_id, team.agent_ids)),
        (team_service.remove_member, (team.admin_id,)),
    ):
        with db.session_scope() as s, pytest.raises(PermissionDenied):
            call(s, user, *args)
    assert _snapshot() == before
    assert _role(team.org_id, team.user_id) == "User"


def test_role_change_takes_effect_on_the_next_request(team, as_member):
    with db.session_scope() as s:
        token = sessions.create_session(s, s.get(User, team.user_id), team.org_id)
    with db.session_scope() as s:
        team_service.change_role(s, as_member("owner"), team.user_id, "Admin")
    with db.session_scope() as s:
        assert sessions.resolve_session(s, token).role == "Admin"


def test_set_member_agents_for_users(team, as_member):
    with db.session_scope() as s:
        team_service.set_member_agents(
            s, as_member("admin"), team.user_id, [str(a) for a in team.agent_ids]
        )
    with db.session_scope() as s:
        m = s.exec(select(Membership).where(Membership.user_id == team.user_id)).one()
        assert sorted(m.agent_ids) == sorted(team.agent_ids)
        row = next(
            r for r in team_service.list_members(s, as_member("owner")) if r["id"] == team.user_id
        )
    assert row["agent_names"] == "Reception, Billing"
    with db.session_scope() as s, pytest.raises(ValidationError):
        team_service.set_member_agents(s, as_member("owner"), team.user_id, [team.other_agent_id])
    with db.session_scope() as s, pytest.raises(ValidationError):
        team_service.set_member_agents(
            s, as_member("owner"), team.admin_id, team.agent_ids
        )  # Admins see all


# ------------------------------------------------------------------ removing


def test_removing_a_member_signs_them_out_at_once_and_is_audited(team, as_member):
    with db.session_scope() as s:
        uma = s.get(User, team.user_id)
        token = sessions.create_session(s, uma, team.org_id)
        # Uma is also in the bakery: that session must survive
        s.add(Membership(org_id=team.other_org_id, user_id=uma.id, role="User"))
        s.flush()
        other_token = sessions.create_session(s, uma, team.other_org_id)
    with db.session_scope() as s:
        team_service.remove_member(s, as_member("admin"), team.user_id)
    with db.session_scope() as s:
        assert sessions.resolve_session(s, token) is None
        assert (
            s.exec(select(AuthSession).where(AuthSession.org_id == team.org_id)).one().revoked_at
            is not None
        )
        assert sessions.resolve_session(s, other_token) is not None
        entry = s.exec(select(AuditLog)).one()
        assert (entry.action, entry.resource) == (
            "Delete",
            "Member",
        ) and "uma@clinic.example" in entry.description
        assert s.get(User, team.user_id) is not None  # the person stays (contacts keep their id)
        assert team.user_id not in {
            r["id"] for r in team_service.list_members(s, as_member("owner"))
        }
    assert _role(team.org_id, team.user_id) is None


def test_remove_rules(team, as_member):
    before = _snapshot()
    with db.session_scope() as s, pytest.raises(PermissionDenied):
        team_service.remove_member(s, as_member("owner"), team.owner_id)  # not themselves
    with db.session_scope() as s, pytest.raises(PermissionDenied):
        team_service.remove_member(s, as_member("admin"), team.owner_id)
    with db.session_scope() as s, pytest.raises(NotFound):
        team_service.remove_member(s, as_member("owner"), 999_999)
    assert _snapshot() == before
    with db.session_scope() as s:
        team_service.remove_member(s, as_member("owner"), team.admin_id)  # Owner removes Admins
    assert _role(team.org_id, team.admin_id) is None


def test_second_organizations_owner_cannot_touch_the_first_org(team, as_member):
    bob = as_member("other_owner")
    before = _snapshot()
    with db.session_scope() as s, pytest.raises(NotFound):
        team_service.remove_member(s, bob, team.user_id)
    with db.session_scope() as s, pytest.raises(NotFound):
        team_service.change_role(s, bob, team.admin_id, "User")
    with db.session_scope() as s, pytest.raises(NotFound):
        team_service.set_member_agents(s, bob, team.user_id, [])
    with db.session_scope() as s, pytest.raises((NotFound, ValidationError)):
        team_service.change_role(s, bob, team.user_id, "Owner")
    # inviting with the clinic's agents: refused; invitations land only in Bob's own org
    with db.session_scope() as s, pytest.raises(ValidationError):
        team_service.invite(s, bob, "spy@bakery.example", "User", agent_ids=[team.agent_ids[0]])
    assert _snapshot() == before
    with db.session_scope() as s:
        team_service.invite(s, bob, "adam@clinic.example", "User")
        inv = s.exec(select(Invitation)).one()
        assert inv.org_id == team.other_org_id
        assert {r["email"] for r in team_service.list_members(s, bob)} == {
            "bob@bakery.example",
            "adam@clinic.example",
        }
    assert (
        _role(team.org_id, team.user_id) == "User" and _role(team.org_id, team.admin_id) == "Admin"
    )
