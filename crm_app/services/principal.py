"""Who is acting: a signed-in member, an API key or the system — built here and nowhere else.

Every service takes a `Principal`. Sessions, sign-in, the command line, background jobs and
(later) the Open API build one with `member`, `member_of`, `api_key` or `system`; the access
checks (services/access.py), the audit log and the contact timeline read it the same way
whatever its kind, and name it with `display_name`.

- A member has a role in one organization and, as a User, a list of agents they work in.
- An API key belongs to one agent and carries permissions ("contacts:read", ...); it reaches
  only its agent, with only those permissions, and never anything that needs a role above
  User.
- The system (the import worker, a payment webhook) acts for one organization and may reach
  every agent of it; `name` says what it is ("Import worker").
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, select

from crm_app.models import Agent, ApiKey, Membership, User, person_name, utcnow
from crm_app.services.errors import NotAuthenticated, NotFound

MEMBER, API_KEY, SYSTEM = "member", "api_key", "system"
ROLES = ("Owner", "Admin", "User")
RANK = {"User": 1, "Admin": 2, "Owner": 3}
PERMISSIONS = ("contacts:read", "contacts:write")

# What the contact timeline stores as Activity.actor_type for each kind.
_ACTIVITY_TYPES = {MEMBER: "member", API_KEY: "api", SYSTEM: "system"}


@dataclass(frozen=True)
class Principal:
    user_id: int | None
    org_id: int
    role: str  # a member's role; API keys act as "User", the system as "Owner"
    email: str = ""
    first_name: str = ""
    last_name: str = ""
    agent_ids: tuple[int, ...] = ()
    ip: str = ""
    kind: str = MEMBER
    key_id: int | None = None
    name: str = ""  # the API key's name, or what the system is doing
    permissions: frozenset[str] = frozenset()

    @property
    def display_name(self) -> str:
        if self.kind == API_KEY:
            return f"API key ‘{self.name}’"
        if self.kind == SYSTEM:
            return self.name or "System"
        return person_name(self.first_name, self.last_name, self.email)

    @property
    def is_member(self) -> bool:
        return self.kind == MEMBER

    @property
    def is_api_key(self) -> bool:
        return self.kind == API_KEY

    @property
    def is_system(self) -> bool:
        return self.kind == SYSTEM

    @property
    def rank(self) -> int:
        return RANK[self.role]

    @property
    def is_admin(self) -> bool:
        return self.rank >= RANK["Admin"]

    @property
    def is_owner(self) -> bool:
        return self.role == "Owner"

    def may(self, permission: str) -> bool:
        """Members and the system are limited by role and agents only; keys by permission too."""
        return self.kind != API_KEY or permission in self.permissions

    @property
    def activity_type(self) -> str:
        return _ACTIVITY_TYPES[self.kind]

    @property
    def activity_id(self) -> int | None:
        return self.key_id if self.kind == API_KEY else self.user_id


def member_of(user: User, org_id: int, role: str, agent_ids=(), *, ip: str = "") -> Principal:
    """A member from rows already at hand (sign-up and invitations, before they are read back)."""
    return Principal(
        user_id=user.id,
        org_id=org_id,
        role=role,
        email=user.email,
        first_name=user.first_name,
        last_name=user.last_name,
        agent_ids=tuple(agent_ids or ()),
        ip=ip,
    )


def membership_of(session: Session, org_id: int, user_id: int) -> Membership | None:
    return session.exec(
        select(Membership).where(Membership.org_id == org_id, Membership.user_id == user_id)
    ).first()


def member(session: Session, user_id: int, org_id: int, *, ip: str = "") -> Principal:
    """The member `user_id` of `org_id` as stored now; NotFound when not a member."""
    membership = membership_of(session, org_id, user_id)
    user = session.get(User, user_id)
    if membership is None or user is None:
        raise NotFound("Member not found.")
    return member_of(user, org_id, membership.role, membership.agent_ids, ip=ip)


def api_key(session: Session, key: ApiKey, *, ip: str = "") -> Principal:
    """The principal of a stored key (the caller has checked its secret); a revoked or expired
    key, or one whose agent is gone, is refused."""
    now = utcnow()
    agent = session.get(Agent, key.agent_id)
    if (
        agent is None
        or key.revoked_at is not None
        or (key.expires_at is not None and key.expires_at <= now)
    ):
        raise NotAuthenticated("This API key is revoked or expired.")
    return Principal(
        user_id=None,
        org_id=agent.org_id,
        role="User",
        agent_ids=(agent.id,),
        ip=ip,
        kind=API_KEY,
        key_id=key.id,
        name=key.name,
        permissions=frozenset(p for p in key.permissions or () if p in PERMISSIONS),
    )


def system(org_id: int, reason: str = "System") -> Principal:
    """Background work and webhooks acting for `org_id`; `reason` names it in logs and timelines."""
    return Principal(user_id=None, org_id=org_id, role="Owner", kind=SYSTEM, name=reason)
