"""Settings → Team: the member list, the invite dialog and per-row actions.

Every handler re-resolves the signed-in member (`self.unit()`) and leaves the role rules
to services/team.py; ids from the browser are type-checked here and ownership-checked there.
"""

from __future__ import annotations

import dataclasses

import reflex as rx

from crm_app.services import team as team_service
from crm_app.state.base import AppState, DialogFlags, shows_errors
from crm_app.state.dto import Choice, pick_all
from crm_app.state.ids import as_int, str_ids


@dataclasses.dataclass
class MemberRow:
    """A member or a pending invitation (`kind`), with what the viewer may do to it."""

    key: str = ""
    kind: str = "member"  # member | invitation
    id: int = 0
    name: str = ""
    email: str = ""
    since: str = ""
    role: str = ""
    progress: str = ""  # Active | Invited
    agent_ids: list[int] = dataclasses.field(default_factory=list)
    agent_names: str = ""
    is_self: bool = False
    can_change_role: bool = False
    can_set_agents: bool = False
    can_remove: bool = False
    can_resend: bool = False
    can_revoke: bool = False


class TeamState(DialogFlags, AppState):
    loaded: bool = False
    members: list[MemberRow] = []
    can_invite: bool = False
    role_choices: list[str] = []  # roles this member may give
    agent_options: list[Choice] = []

    # Invite Team Member dialog
    invite_open: bool = False
    invite_email: str = ""
    invite_role: str = "User"
    invite_agent_ids: list[str] = []
    invite_errors: dict[str, str] = {}
    invite_busy: bool = False

    # Change role dialog
    role_open: bool = False
    role_target_id: int = 0
    role_target_name: str = ""
    role_value: str = "User"
    role_error: str = ""

    # Agents access dialog (Users only)
    agents_open: bool = False
    agents_target_id: int = 0
    agents_target_name: str = ""
    agents_selected: list[str] = []
    agents_error: str = ""

    # Remove member confirmation
    remove_open: bool = False
    remove_target_id: int = 0
    remove_target_name: str = ""

    @rx.var
    def member_count(self) -> int:
        return sum(1 for row in self.members if row.kind == "member")

    @rx.var
    def invited_count(self) -> int:
        return sum(1 for row in self.members if row.kind == "invitation")

    @rx.var
    def summary(self) -> str:
        members, invited = self.member_count, self.invited_count
        text = f"{members} member" + ("" if members == 1 else "s")
        if invited:
            text += f" · {invited} pending invitation" + ("" if invited == 1 else "s")
        return text

    # ------------------------------------------------------------------ loading

    def _refresh(self, session, actor) -> None:
        self.members = pick_all(MemberRow, team_service.list_members(session, actor))
        self.role_choices = team_service.assignable_roles(actor)
        self.can_invite = bool(self.role_choices)
        self.agent_options = [
            Choice(str(a["id"]), a["name"]) for a in team_service.agent_choices(session, actor)
        ]
        self.loaded = True

    @rx.event
    @shows_errors
    def load(self):
        with self.unit() as (session, actor):
            self._refresh(session, actor)

    def _row(self, kind: str, row_id) -> MemberRow | None:
        row_id = as_int(row_id)
        return next((r for r in self.members if r.kind == kind and r.id == row_id), None)

    # ------------------------------------------------------------------ invite

    @rx.event
    def open_invite(self):
        if not self.can_invite:
            return rx.toast.error("Only Owners and Admins can invite team members.")
        self.invite_email = ""
        self.invite_role = "User"
        self.invite_agent_ids = []
        self.invite_errors = {}
        self.invite_open = True

    @rx.event
    def set_invite_email(self, value: str):
        self.invite_email = str(value)[:254]
        self.invite_errors = {k: v for k, v in self.invite_errors.items() if k != "email"}

    @rx.event
    def set_invite_role(self, value: str):
        self.invite_role = str(value) if value in ("Admin", "User") else "User"
        self.invite_errors = {k: v for k, v in self.invite_errors.items() if k != "role"}

    @rx.event
    def toggle_invite_agent(self, agent_id: str, checked: bool):
        agent_id = str(agent_id)
        chosen = [a for a in self.invite_agent_ids if a != agent_id]
        if checked and agent_id in {a.id for a in self.agent_options}:
            chosen.append(agent_id)
        self.invite_agent_ids = chosen

    @rx.event
    @shows_errors(fields="invite_errors")
    def submit_invite(self):
        self.invite_errors = {}
        with self.unit() as (session, actor):
            dto = team_service.invite(
                session,
                actor,
                self.invite_email,
                self.invite_role,
                [int(a) for a in str_ids(self.invite_agent_ids)],
            )
            self._refresh(session, actor)
        self.invite_open = False
        return rx.toast.success(f"Invitation sent to {dto['email']}")

    @rx.event
    @shows_errors
    def resend_invite(self, invitation_id: int):
        with self.unit() as (session, actor):
            dto = team_service.resend_invite(session, actor, as_int(invitation_id))
            self._refresh(session, actor)
        return rx.toast.success(f"Invitation resent to {dto['email']}")

    @rx.event
    @shows_errors
    def revoke_invite(self, invitation_id: int):
        with self.unit() as (session, actor):
            dto = team_service.revoke_invite(session, actor, as_int(invitation_id))
            self._refresh(session, actor)
        return rx.toast.success(f"Invitation to {dto['email']} revoked")

    # ------------------------------------------------------------------ change role

    @rx.event
    def open_role(self, user_id: int):
        row = self._row("member", user_id)
        if row is None or not row.can_change_role:
            return rx.toast.error("You cannot change this member's role.")
        self.role_target_id = row.id
        self.role_target_name = row.name
        self.role_value = row.role
        self.role_error = ""
        self.role_open = True

    @rx.event
    def set_role_value(self, value: str):
        self.role_value = str(value)
        self.role_error = ""

    @rx.event
    @shows_errors(fields="role_error")
    def save_role(self):
        with self.unit() as (session, actor):
            team_service.change_role(session, actor, self.role_target_id, self.role_value)
            self._refresh(session, actor)
        self.role_open = False
        return rx.toast.success(f"{self.role_target_name} is now {self.role_value}")

    # ------------------------------------------------------------------ agents access

    @rx.event
    def open_agents(self, user_id: int):
        row = self._row("member", user_id)
        if row is None or not row.can_set_agents:
            return rx.toast.error("You cannot change this member's agents.")
        self.agents_target_id = row.id
        self.agents_target_name = row.name
        self.agents_selected = [str(a) for a in row.agent_ids]
        self.agents_error = ""
        self.agents_open = True

    @rx.event
    def toggle_member_agent(self, agent_id: str, checked: bool):
        agent_id = str(agent_id)
        chosen = [a for a in self.agents_selected if a != agent_id]
        if checked and agent_id in {a.id for a in self.agent_options}:
            chosen.append(agent_id)
        self.agents_selected = chosen

    @rx.event
    @shows_errors(fields="agents_error")
    def save_agents(self):
        with self.unit() as (session, actor):
            team_service.set_member_agents(
                session,
                actor,
                self.agents_target_id,
                [int(a) for a in str_ids(self.agents_selected)],
            )
            self._refresh(session, actor)
        self.agents_open = False
        return rx.toast.success(f"Agent access updated for {self.agents_target_name}")

    # ------------------------------------------------------------------ remove

    @rx.event
    def open_remove(self, user_id: int):
        row = self._row("member", user_id)
        if row is None or not row.can_remove:
            return rx.toast.error("You cannot remove this member.")
        self.remove_target_id = row.id
        self.remove_target_name = row.name
        self.remove_open = True

    @rx.event
    @shows_errors
    def confirm_remove(self):
        self.remove_open = False  # closed whether or not the removal goes through
        with self.unit() as (session, actor):
            team_service.remove_member(session, actor, self.remove_target_id)
            self._refresh(session, actor)
        return rx.toast.success(f"{self.remove_target_name} was removed from the team")
