"""Sessions, tickets and the org/agent/role guard that every caller uses."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import Session, select

from crm_app import db
from crm_app.models import Agent, AuditLog, AuthSession, Membership, Organization, User, utcnow
from crm_app.services import access, audit, sessions
from crm_app.services.errors import NotAuthenticated, NotFound, PermissionDenied


def _org(
    session: Session, name: str, email: str, role: str = "Owner", agent_ids=()
) -> tuple[User, Organization]:
    org = Organization(name=name)
    user = User(email=email, first_name="Ann", last_name=name)
    session.add_all([org, user])
    session.flush()
    session.add(Membership(org_id=org.id, user_id=user.id, role=role, agent_ids=list(agent_ids)))
    session.flush()
    return user, org


def test_ticket_trades_once_for_a_session_that_resolves_and_revokes(engine):
    with db.session_scope() as s:
        user, org = _org(s, "Clinic", "ann@clinic.example")
        ticket = sessions.issue_ticket(s, user, org.id, "/settings/team")
    with db.session_scope() as s:
        token, next_path, actor = sessions.redeem_ticket(s, ticket, ip="127.0.0.1")
    assert next_path == "/settings/team"
    assert actor.email == "ann@clinic.example" and actor.role == "Owner"
    with db.session_scope() as s:
        with pytest.raises(NotAuthenticated):
            sessions.redeem_ticket(s, ticket)  # replay
        # only the hash is stored
        assert s.exec(select(AuthSession)).one().token_hash != token
        assert sessions.resolve_session(s, token).user_id == user.id
        sessions.revoke_session(s, token)
    with db.session_scope() as s:
        assert sessions.resolve_session(s, token) is None


def test_expired_ticket_and_session_are_refused(engine):
    with db.session_scope() as s:
        user, org = _org(s, "Clinic", "ann@clinic.example")
        ticket = sessions.issue_ticket(s, user, org.id)
        token = sessions.create_session(s, user, org.id)
    with db.session_scope() as s:
        for row in s.exec(select(AuthSession)):
            row.expires_at = utcnow() - timedelta(seconds=1)
            s.add(row)
        from crm_app.models import SignInTicket

        t = s.exec(select(SignInTicket)).one()
        t.expires_at = utcnow() - timedelta(seconds=1)
        s.add(t)
    with db.session_scope() as s:
        assert sessions.resolve_session(s, token) is None
        with pytest.raises(NotAuthenticated):
            sessions.redeem_ticket(s, ticket)


def test_open_redirects_are_not_possible_through_tickets(engine):
    with db.session_scope() as s:
        user, org = _org(s, "Clinic", "ann@clinic.example")
        ticket = sessions.issue_ticket(s, user, org.id, "//evil.example/x")
    with db.session_scope() as s:
        _, next_path, _ = sessions.redeem_ticket(s, ticket)
    assert next_path == "/"


def test_removed_member_session_stops_working(engine):
    with db.session_scope() as s:
        user, org = _org(s, "Clinic", "ann@clinic.example", role="Admin")
        token = sessions.create_session(s, user, org.id)
    with db.session_scope() as s:
        s.delete(s.exec(select(Membership)).one())
    with db.session_scope() as s:
        assert sessions.resolve_session(s, token) is None


def test_agent_guard_blocks_other_orgs_and_unassigned_users(engine):
    with db.session_scope() as s:
        owner, org = _org(s, "Clinic", "owner@clinic.example")
        other_owner, other_org = _org(s, "Shop", "owner@shop.example")
        agent = Agent(org_id=org.id, name="Reception", slug="reception")
        agent2 = Agent(org_id=org.id, name="Billing", slug="billing")
        s.add_all([agent, agent2])
        s.flush()
        staff = User(email="staff@clinic.example")
        s.add(staff)
        s.flush()
        s.add(Membership(org_id=org.id, user_id=staff.id, role="User", agent_ids=[agent.id]))
        s.flush()
        tokens = {
            "owner": sessions.create_session(s, owner, org.id),
            "other": sessions.create_session(s, other_owner, other_org.id),
            "staff": sessions.create_session(s, staff, org.id),
        }
        ids = (agent.id, agent2.id)
    with db.session_scope() as s:
        owner_a = sessions.resolve_session(s, tokens["owner"])
        other_a = sessions.resolve_session(s, tokens["other"])
        staff_a = sessions.resolve_session(s, tokens["staff"])
        assert access.require_agent(s, owner_a, ids[0]).name == "Reception"
        with pytest.raises(NotFound):
            access.require_agent(s, other_a, ids[0])
        assert access.require_agent(s, staff_a, ids[0]).id == ids[0]
        with pytest.raises(NotFound):
            access.require_agent(s, staff_a, ids[1])
        with pytest.raises(PermissionDenied):
            access.require_agent(s, staff_a, ids[0], minimum="Admin")
        assert [a.name for a in access.visible_agents(s, staff_a)] == ["Reception"]
        assert [a.name for a in access.visible_agents(s, other_a)] == []


def test_audit_log_visibility_by_role(engine):
    with db.session_scope() as s:
        owner, org = _org(s, "Clinic", "owner@clinic.example")
        staff = User(email="staff@clinic.example")
        s.add(staff)
        s.flush()
        s.add(Membership(org_id=org.id, user_id=staff.id, role="User"))
        other, other_org = _org(s, "Shop", "owner@shop.example")
        s.flush()
        owner_a = access.Actor(user_id=owner.id, org_id=org.id, role="Owner", email=owner.email)
        staff_a = access.Actor(user_id=staff.id, org_id=org.id, role="User", email=staff.email)
        other_a = access.Actor(
            user_id=other.id, org_id=other_org.id, role="Owner", email=other.email
        )
        audit.record(s, owner_a, "Update", "Contact Field", "owner change")
        audit.record(s, staff_a, "Login", "Session", "staff login")
        audit.record(s, other_a, "Create", "Agent", "other org")
    with db.session_scope() as s:
        assert {e.description for e in audit.list_entries(s, owner_a)} == {
            "owner change",
            "staff login",
        }
        assert [e.description for e in audit.list_entries(s, staff_a)] == ["staff login"]
        assert [e.description for e in audit.list_entries(s, other_a)] == ["other org"]
        assert s.exec(select(AuditLog)).first().created_at.tzinfo is not None
