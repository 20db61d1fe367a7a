"""One principal: a member, an API key or the system — what each may reach, and how the audit
log and the contact timeline name it. Two organizations, so every check also crosses tenants."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest
from sqlmodel import select

from crm_app import db
from crm_app.models import ApiKey, AuditLog, Membership, User, utcnow
from crm_app.services import access, agents, audit, contacts, principal, timeline
from crm_app.services.errors import NotAuthenticated, NotFound, PermissionDenied


@dataclass
class World:
    org_id: int
    other_org_id: int
    owner: principal.Principal
    agent_a: int
    agent_b: int
    other_agent: int
    user_id: int  # a User member who works in agent A only
    contact_a: str
    contact_b: str
    other_contact: str


@pytest.fixture
def world(engine) -> World:
    with db.session_scope() as s:
        owner = agents.create_owner(s, "ann@clinic.example", "Clinic", "Ann", "Lee")
        a = agents.create_agent(s, owner, "Front Desk", "front-desk")
        b = agents.create_agent(s, owner, "Billing", "billing")
        other_owner = agents.create_owner(s, "rosa@shop.example", "Shop", "Rosa")
        c = agents.create_agent(s, other_owner, "Shop Desk", "shop-desk")
        staff = User(email="sam@clinic.example", first_name="Sam")
        s.add(staff)
        s.flush()
        s.add(Membership(org_id=owner.org_id, user_id=staff.id, role="User", agent_ids=[a.id]))
        contact_a = contacts.add_contact_manually(
            s, owner, a.id, {"name": "Alice", "email": "alice@example.com"}
        )
        contact_b = contacts.add_contact_manually(
            s, owner, b.id, {"name": "Bob", "email": "bob@example.com"}
        )
        other = contacts.add_contact_manually(
            s, other_owner, c.id, {"name": "Carla", "email": "carla@example.com"}
        )
        return World(
            owner.org_id,
            other_owner.org_id,
            owner,
            a.id,
            b.id,
            c.id,
            staff.id,
            contact_a.id,
            contact_b.id,
            other.id,
        )


def _key(s, agent_id: int, name: str, permissions: list[str], **extra) -> principal.Principal:
    row = ApiKey(
        agent_id=agent_id,
        name=name,
        key=f"k-{name}",
        secret_hash="x" * 64,
        permissions=permissions,
        **extra,
    )
    s.add(row)
    s.flush()
    return principal.api_key(s, row, ip="198.51.100.4")


def test_each_kind_is_built_by_one_module_and_named_properly(world):
    with db.session_scope() as s:
        member = principal.member(s, world.user_id, world.org_id, ip="10.0.0.1")
        key = _key(s, world.agent_a, "Zapier", ["contacts:read", "admin:everything"])
        with pytest.raises(NotFound):
            principal.member(s, world.user_id, world.other_org_id)
    system = principal.system(world.org_id, "Import worker")
    assert (member.kind, member.display_name, member.role, member.agent_ids, member.ip) == (
        "member",
        "Sam",
        "User",
        (world.agent_a,),
        "10.0.0.1",
    )
    assert key.kind == "api_key" and key.display_name == "API key ‘Zapier’"
    assert key.org_id == world.org_id and key.user_id is None
    assert key.permissions == {"contacts:read"}  # unknown permissions are dropped
    assert system.display_name == "Import worker" and system.user_id is None
    assert principal.system(world.org_id).display_name == "System"


def test_revoked_or_expired_keys_are_refused(world):
    with db.session_scope() as s:
        with pytest.raises(NotAuthenticated):
            _key(s, world.agent_a, "old", ["contacts:read"], revoked_at=utcnow())
        with pytest.raises(NotAuthenticated):
            _key(s, world.agent_a, "late", [], expires_at=utcnow() - timedelta(seconds=1))


def test_an_api_key_reaches_only_its_agent_with_only_its_permissions(world):
    with db.session_scope() as s:
        key = _key(s, world.agent_a, "Reader", ["contacts:read"])
        agent = access.require_agent(s, key, world.agent_a, permission="contacts:read")
        assert agent.id == world.agent_a
        for elsewhere in (world.agent_b, world.other_agent):  # its org's other agent; org 2
            with pytest.raises(NotFound):
                access.require_agent(s, key, elsewhere, permission="contacts:read")
        with pytest.raises(PermissionDenied):
            access.require_agent(s, key, world.agent_a, permission="contacts:write")
        with pytest.raises(PermissionDenied):  # a service that names no permission is closed
            access.require_agent(s, key, world.agent_a)
        with pytest.raises(PermissionDenied):  # nothing above the User role
            access.require_agent(s, key, world.agent_a, "Admin", permission="contacts:read")
        assert [a.id for a in access.visible_agents(s, key)] == [world.agent_a]
        # Through a service: agent B's contact and org 2's contact are not found.
        with pytest.raises(NotFound):
            timeline.contact_for(s, key, world.agent_b, world.contact_b)
        with pytest.raises(NotFound):
            timeline.contact_for(s, key, world.other_agent, world.other_contact)


def test_a_member_without_the_agent_gets_not_found(world):
    with db.session_scope() as s:
        member = principal.member(s, world.user_id, world.org_id)
        assert access.require_agent(s, member, world.agent_a).id == world.agent_a
        for elsewhere in (world.agent_b, world.other_agent):
            with pytest.raises(NotFound):
                access.require_agent(s, member, elsewhere)
        with pytest.raises(NotFound):
            timeline.contact_for(s, member, world.agent_b, world.contact_b)


def test_the_system_reaches_every_agent_of_its_organization_only(world):
    system = principal.system(world.org_id, "Payment webhook")
    with db.session_scope() as s:
        for agent_id in (world.agent_a, world.agent_b):
            assert access.require_agent(s, system, agent_id, "Owner").id == agent_id
        with pytest.raises(NotFound):
            access.require_agent(s, system, world.other_agent)
        assert {a.id for a in access.visible_agents(s, system)} == {world.agent_a, world.agent_b}


def test_audit_and_timeline_name_every_kind(world):
    system = principal.system(world.org_id, "Import worker")
    with db.session_scope() as s:
        key = _key(s, world.agent_a, "Zapier", ["contacts:write"])
        contact = timeline.contact_for(s, world.owner, world.agent_a, world.contact_a)[1]
        for who in (key, system):
            audit.record(s, who, "Update", "Contact", f"touched by {who.kind}")
            timeline.add_activity(s, contact, "note", who, f"note by {who.kind}")
        key_id = key.key_id
    with db.session_scope() as s:
        rows = s.exec(select(AuditLog).where(AuditLog.description.like("touched by %"))).all()
        assert {(r.user_label, r.user_id, r.ip) for r in rows} == {
            ("API key ‘Zapier’", None, "198.51.100.4"),
            ("Import worker", None, ""),
        }
        # A key has no user: it does not see the log's entries without one (the system's).
        assert audit.list_entries(s, key) == []
        lines = timeline.list_activity(s, world.owner, world.agent_a, world.contact_a)
        by_message = {line["message"]: (line["who"], line["actor_type"]) for line in lines}
        assert by_message["note by api_key"] == ("API key ‘Zapier’", "API")
        assert by_message["note by system"] == ("Import worker", "System")
        from crm_app.models import Activity

        ids = {a.actor_type: a.actor_id for a in s.exec(select(Activity))}
        assert ids["api"] == key_id and ids["system"] is None
