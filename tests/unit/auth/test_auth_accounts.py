"""Sign-up, sign-in, invitations and single sign-on: who ends up in which organization."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import func, select

from crm_app import db
from crm_app.models import AuditLog, Invitation, LoginCode, Membership, Organization, User, utcnow
from crm_app.services import auth, invitations
from crm_app.services.errors import Conflict, NotAuthenticated, NotFound, ValidationError
from crm_app.services.security import hash_secret
from tests.mailbox import code_in, inbox


def code_for(email: str) -> str:
    return code_in(inbox(email))


def send(email: str) -> str:
    with db.session_scope() as s:
        auth.request_code(s, email, ip="10.1.1.1")
    return code_for(email)


def counts() -> dict:
    with db.session_scope() as s:
        return {
            m.__name__: s.exec(select(func.count()).select_from(m)).one()
            for m in (Organization, User, Membership, AuditLog)
        }


def sign_up(email="ann@clinic.example", org="Sunrise Clinic", first="Ann", last="Lee", code=None):
    code = code or send(email)
    with db.session_scope() as s:
        user, org_id = auth.sign_up(s, email, code, org, first, last, "10.1.1.1")
    return user, org_id


# ---------------------------------------------------------------- sign-up


def test_sign_up_creates_the_organization_with_its_owner_and_audits_it(engine):
    user, org_id = sign_up(email=" Ann@Clinic.Example ", first="  Ann ", last="Lee")
    with db.session_scope() as s:
        org = s.get(Organization, org_id)
        membership = s.exec(select(Membership)).one()
        entry = s.exec(select(AuditLog)).one()
        stored = s.get(User, user.id)
    assert org.name == "Sunrise Clinic"
    assert (stored.email, stored.first_name, stored.last_name) == (
        "ann@clinic.example",
        "Ann",
        "Lee",
    )
    assert (membership.org_id, membership.user_id, membership.role) == (org_id, user.id, "Owner")
    assert (entry.action, entry.resource, entry.org_id, entry.user_id) == (
        "Create",
        "Organization",
        org_id,
        user.id,
    )
    assert entry.user_label == "Ann Lee" and "Sunrise Clinic" in entry.description


def test_sign_up_twice_with_the_same_email_is_refused(engine):
    sign_up()
    before = counts()
    with pytest.raises(Conflict) as err:
        sign_up(email="ANN@clinic.example", org="Another Clinic")
    assert err.value.message == "An account with this email already exists. Sign in instead."
    assert err.value.field == "email"
    assert counts() == before


def test_sign_up_with_a_wrong_code_writes_nothing(engine):
    code = send("ann@clinic.example")
    with pytest.raises(ValidationError) as err:
        sign_up(code=f"{(int(code) + 1) % 1_000_000:06d}")
    assert err.value.field == "code"
    assert counts() == {"Organization": 0, "User": 0, "Membership": 0, "AuditLog": 0}
    sign_up(code=code)  # the right code still works


@pytest.mark.parametrize(
    "field,kwargs,message",
    [
        ("org_name", {"org": "   "}, "Enter your organization's name."),
        ("org_name", {"org": "x" * 121}, "Organization name can be at most 120 characters."),
        ("first_name", {"first": ""}, "Enter your first name."),
        ("first_name", {"first": "x" * 51}, "First name can be at most 50 characters."),
        ("last_name", {"last": "x" * 51}, "Last name can be at most 50 characters."),
        ("email", {"email": "not-an-email"}, "Enter a valid email address."),
    ],
)
def test_sign_up_fields_are_checked_before_the_code_is_spent(engine, field, kwargs, message):
    code = send("ann@clinic.example")
    with pytest.raises(ValidationError) as err:
        sign_up(code=code, **kwargs)
    assert (err.value.field, err.value.message) == (field, message)
    assert counts()["Organization"] == 0
    sign_up(code=code)  # the code was not used up by the refused attempt


def test_org_name_of_120_characters_is_fine(engine):
    _, org_id = sign_up(org="x" * 120, last="")
    with db.session_scope() as s:
        assert s.get(Organization, org_id).name == "x" * 120


# ---------------------------------------------------------------- sign-in


def test_sign_in_opens_the_members_first_organization(engine, make_member):
    _, first_org = sign_up()
    with db.session_scope() as s:
        user = s.exec(select(User)).one()
        other = Organization(name="Second")
        s.add(other)
        s.flush()
        s.add(Membership(org_id=other.id, user_id=user.id, role="User"))
    code = send("ann@clinic.example")
    with db.session_scope() as s:
        signed, org_id = auth.sign_in(s, "Ann@Clinic.example", code, "10.1.1.1")
    assert signed.email == "ann@clinic.example" and org_id == first_org


def test_sign_in_without_an_account_says_to_sign_up(engine):
    code = send("nobody@clinic.example")
    with pytest.raises(NotFound) as err, db.session_scope() as s:
        auth.sign_in(s, "nobody@clinic.example", code, "")
    assert err.value.message == "No account for this email. Sign up first."
    assert counts()["User"] == 0


def test_removed_member_cannot_sign_in(engine, make_member):
    with db.session_scope() as s:
        user, _ = make_member(s, "Clinic", "gone@clinic.example", role="User")
        s.delete(s.exec(select(Membership)).one())
    code = send("gone@clinic.example")
    with pytest.raises(NotFound) as err, db.session_scope() as s:
        auth.sign_in(s, "gone@clinic.example", code, "")
    assert err.value.message == "No account for this email. Sign up first."


def test_sign_in_needs_the_code_sent_to_that_email(engine, make_member):
    with db.session_scope() as s:
        make_member(s, "Clinic", "ann@clinic.example")
        make_member(s, "Other", "eve@other.example")
    eve_code = send("eve@other.example")
    send("ann@clinic.example")
    with pytest.raises(ValidationError), db.session_scope() as s:
        auth.sign_in(s, "ann@clinic.example", eve_code, "")


# ---------------------------------------------------------------- invitations


@pytest.fixture()
def invitation(engine, make_member):
    """Owner of "Sunrise Clinic" invited bob@clinic.example as a User of agents 3 and 5."""
    with db.session_scope() as s:
        owner, org = make_member(s, "Sunrise Clinic", "owner@clinic.example")
        inv = Invitation(
            org_id=org.id,
            email="bob@clinic.example",
            role="User",
            agent_ids=[3, 5],
            token_hash=hash_secret("tok-bob"),
            invited_by_id=owner.id,
        )
        s.add(inv)
    return {"token": "tok-bob", "org_id": org.id, "id": inv.id}


def invite_code(token: str) -> str:
    with db.session_scope() as s:
        email = invitations.send_invitation_code(s, token, ip="10.1.1.2")
    return code_for(email)


def accept(token: str, code: str, first="Bob", last="Stone"):
    with db.session_scope() as s:
        return invitations.accept_invitation(s, token, code, first, last, "10.1.1.2")


def test_invitation_preview_shows_org_email_and_role(invitation):
    with db.session_scope() as s:
        preview = invitations.invitation_preview(s, "tok-bob")
    assert preview["org_name"] == "Sunrise Clinic"
    assert preview["email"] == "bob@clinic.example" and preview["role"] == "User"


def test_accepting_an_invitation_creates_the_member_with_the_invited_role_and_agents(invitation):
    user, org_id = accept("tok-bob", invite_code("tok-bob"))
    assert org_id == invitation["org_id"]
    with db.session_scope() as s:
        membership = s.exec(select(Membership).where(Membership.user_id == user.id)).one()
        inv = s.get(Invitation, invitation["id"])
        stored = s.get(User, user.id)
        entry = s.exec(select(AuditLog).where(AuditLog.resource == "Member")).one()
    assert (membership.org_id, membership.role, membership.agent_ids) == (org_id, "User", [3, 5])
    assert (stored.first_name, stored.last_name) == ("Bob", "Stone")
    assert inv.status == "Accepted" and inv.accepted_at is not None
    assert entry.action == "Create" and entry.org_id == org_id and entry.user_id == user.id
    with pytest.raises(NotFound):  # an accepted invitation cannot be used again
        invite_code("tok-bob")


def test_invitation_needs_the_code_emailed_to_the_invited_address(invitation, make_member):
    """A member of another organization holding the link cannot join with their own code."""
    with db.session_scope() as s:
        make_member(s, "Rival", "eve@rival.example", role="User")
    invite_code("tok-bob")
    eve_code = send("eve@rival.example")  # a valid code, but for Eve's own address
    before = counts()
    with pytest.raises(ValidationError) as err:
        accept("tok-bob", eve_code, first="Eve")
    assert err.value.field == "code"
    assert counts() == before
    with db.session_scope() as s:
        assert s.get(Invitation, invitation["id"]).status == "Pending"


def test_a_sign_in_code_for_the_invited_email_does_not_accept_the_invitation(invitation):
    """Codes are bound to their purpose: only the invitation's own code joins."""
    login_code = send("bob@clinic.example")
    with pytest.raises(ValidationError):
        accept("tok-bob", login_code)
    assert counts()["Membership"] == 1


def test_wrong_code_on_an_invitation_writes_nothing(invitation):
    code = invite_code("tok-bob")
    before = counts()
    with pytest.raises(ValidationError):
        accept("tok-bob", f"{(int(code) + 1) % 1_000_000:06d}")
    assert counts() == before
    accept("tok-bob", code)


@pytest.mark.parametrize("change", ["revoked", "deleted", "expired", "unknown"])
def test_a_removed_or_stale_invitation_is_refused(invitation, change):
    code = invite_code("tok-bob")
    token = "tok-bob"
    with db.session_scope() as s:
        inv = s.get(Invitation, invitation["id"])
        if change == "revoked":
            inv.status = "Revoked"
            s.add(inv)
        elif change == "deleted":
            s.delete(inv)
        elif change == "expired":
            inv.created_at = utcnow() - timedelta(days=7, minutes=1)
            s.add(inv)
        else:
            token = "tok-guessed"
    with pytest.raises(NotFound) as err:
        accept(token, code)
    assert (
        err.value.message == "This invitation is no longer valid. Ask your team to send a new one."
    )
    with pytest.raises(NotFound), db.session_scope() as s:
        invitations.invitation_preview(s, token)
    assert counts()["Membership"] == 1


def test_an_existing_user_joins_a_second_organization_by_invitation(invitation, make_member):
    with db.session_scope() as s:
        make_member(s, "Bob's own shop", "bob@clinic.example")
    user, org_id = accept("tok-bob", invite_code("tok-bob"), first="", last="")
    with db.session_scope() as s:
        roles = {
            m.org_id: m.role
            for m in s.exec(select(Membership).where(Membership.user_id == user.id))
        }
        assert s.get(User, user.id).first_name == "Bob"  # kept
    assert roles[org_id] == "User" and sorted(roles.values()) == ["Owner", "User"]


def test_new_invited_user_must_give_a_first_name(invitation):
    code = invite_code("tok-bob")
    with pytest.raises(ValidationError) as err:
        accept("tok-bob", code, first=" ")
    assert err.value.field == "first_name"
    with db.session_scope() as s:
        assert s.exec(select(LoginCode).where(LoginCode.used_at.is_not(None))).first() is None


# ---------------------------------------------------------------- single sign-on


def oidc(claims: dict):
    with db.session_scope() as s:
        return auth.oidc_sign_in(s, claims, "10.1.1.3")


def test_single_sign_on_for_a_new_email_creates_an_organization(engine):
    user, org_id = oidc(
        {
            "sub": "1",
            "email": "Carol@Gmail.example",
            "email_verified": True,
            "given_name": "Carol",
            "family_name": "King",
        }
    )
    with db.session_scope() as s:
        assert s.get(Organization, org_id).name == "Carol's organization"
        membership = s.exec(select(Membership)).one()
        assert s.get(User, user.id).email == "carol@gmail.example"
    assert (membership.role, membership.org_id) == ("Owner", org_id)


def test_single_sign_on_for_an_existing_member_opens_their_organization(engine, make_member):
    with db.session_scope() as s:
        _, org = make_member(s, "Clinic", "ann@clinic.example", role="User")
    before = counts()
    user, org_id = oidc({"sub": "2", "email": "ann@clinic.example", "email_verified": True})
    assert org_id == org.id and user.email == "ann@clinic.example"
    assert counts() == before


@pytest.mark.parametrize(
    "claims",
    [
        {"sub": "3", "email": "ann@clinic.example", "email_verified": False},
        {"sub": "3", "email": "ann@clinic.example", "email_verified": "false"},
        {"sub": "3"},
        {"sub": "3", "email": "not an email", "email_verified": True},
    ],
)
def test_single_sign_on_needs_a_verified_email(engine, make_member, claims):
    with db.session_scope() as s:
        make_member(s, "Clinic", "ann@clinic.example")
    with pytest.raises(NotAuthenticated):
        oidc(claims)
    assert counts()["Organization"] == 1
