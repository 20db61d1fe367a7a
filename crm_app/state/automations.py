"""CRM → Automations: the Admin Assignment and Contact Stage editors.

The rules are edited as a local draft (one per creation method) and written by Save
through services/automations.py, which validates everything again. Every handler checks
the member and agent first; edits need the Admin role. Member ids travel as strings.
"""

from __future__ import annotations

import dataclasses

import reflex as rx

from crm_app.services import automations as service
from crm_app.services.access import require_agent
from crm_app.services.errors import NotFound, ServiceError, ValidationError
from crm_app.state.base import AppState, error_toast, shows_errors
from crm_app.state.dto import Choice, pick_all

METHODS = tuple(service.METHODS)
SLOTS = tuple(service.SLOTS)
KEYS = tuple(f"{m}_{s}" for m in METHODS for s in SLOTS)
OTHER = {f"{m}_primary": f"{m}_secondary" for m in METHODS} | {
    f"{m}_secondary": f"{m}_primary" for m in METHODS
}


@dataclasses.dataclass
class MemberOption:
    """A member who can own contacts (ids as strings, the selects' values)."""

    id: str = ""
    name: str = ""
    role: str = ""
    email: str = ""


@dataclasses.dataclass
class MemberChoice:
    """A member offered for one slot; `taken` when the other slot already uses them."""

    id: str = ""
    name: str = ""
    taken: bool = False
    in_rotation: bool = False


@dataclasses.dataclass
class RotationRow:
    id: str = ""
    name: str = ""
    left: bool = False  # no longer a member: shown in red until removed
    position: str = ""


class AutomationsState(AppState):
    loaded: bool = False
    load_error: str = ""
    can_edit: bool = False
    tab: str = "assignment"
    owner_name: str = ""

    members: list[MemberOption] = []  # who can own contacts
    names: dict[str, str] = {}  # every id shown (incl. members who left) -> name
    strategy: dict[str, str] = {}  # "<method>_<slot>" -> strategy
    selected: dict[str, str] = {}  # key -> member id ("" when none)
    rotation: dict[str, list[str]] = {}  # key -> ordered member ids
    errors: dict[str, str] = {}  # key -> inline message
    dirty: dict[str, bool] = {}  # method -> unsaved changes

    stages: list[Choice] = []
    stage_rules: dict[str, str] = {}  # source -> stage id
    stages_dirty: bool = False

    # ------------------------------------------------------------------ computed

    @rx.var
    def rotation_rows(self) -> dict[str, list[RotationRow]]:
        current = {m.id for m in self.members}
        return {
            key: [
                RotationRow(
                    uid, self.names.get(uid, "Former member"), uid not in current, str(i + 1)
                )
                for i, uid in enumerate(self.rotation.get(key, []))
            ]
            for key in KEYS
        }

    @rx.var
    def slot_errors(self) -> dict[str, str]:
        return {key: self.errors.get(key, "") for key in KEYS}

    @rx.var
    def rotation_labels(self) -> dict[str, dict[str, str]]:
        return {
            key: {uid: self.names.get(uid, "member") for uid in self.rotation.get(key, [])}
            for key in KEYS
        }

    @rx.var
    def choices(self) -> dict[str, list[MemberChoice]]:
        """Per slot: every member, greyed out (`taken`) when the other slot already uses them."""
        out = {}
        for key in KEYS:
            other = OTHER[key]
            taken = set(self._chosen(other))
            mine = set(self.rotation.get(key, []))
            out[key] = [
                MemberChoice(m.id, m.name, m.id in taken, m.id in mine) for m in self.members
            ]
        return out

    @rx.var
    def addable(self) -> dict[str, list[MemberChoice]]:
        """Members that can still be added to each rotation (the other slot's are listed, disabled)."""
        return {key: [m for m in self.choices.get(key, []) if not m.in_rotation] for key in KEYS}

    def _chosen(self, key: str) -> list[str]:
        strategy = self.strategy.get(key, "")
        if strategy == "selected":
            return [self.selected.get(key, "")] if self.selected.get(key) else []
        if strategy == "round_robin":
            return list(self.rotation.get(key, []))
        return []

    # ------------------------------------------------------------------ loading

    def _agent_id(self) -> int:
        agent_id = self.route_agent_id()
        if agent_id is None:
            raise NotFound("Agent not found.")
        return agent_id

    def _fill(self, data: dict) -> None:
        self.can_edit = data["can_edit"]
        self.members = pick_all(MemberOption, data["members"])
        names = {m.id: m.name for m in self.members}
        owner = next((m for m in self.members if m.role == "Owner"), None)
        self.owner_name = owner.name if owner else "the organization owner"
        self.names, self.strategy, self.selected, self.rotation, self.errors = names, {}, {}, {}, {}
        for method in METHODS:
            self._apply_method(data, method)
        self.stages = pick_all(Choice, data["stages"])
        self.stage_rules = {
            src: str(sid) if sid else "" for src, sid in data["stage_rules"].items()
        }
        self.stages_dirty = False
        self.load_error = ""
        self.loaded = True

    @rx.event
    def load(self):
        self.tab = "assignment"
        try:
            with self.unit() as (session, actor):
                self._fill(service.get_automations(session, actor, self._agent_id()))
        except ServiceError as error:
            self.load_error = error.message
            self.loaded = True
            self.members, self.stages, self.can_edit = [], [], False
            if not isinstance(error, NotFound):
                return error_toast(error)
        return None

    @rx.event
    def set_tab(self, tab: str):
        if tab in ("assignment", "stage"):
            self.tab = tab

    # ------------------------------------------------------------------ draft edits

    @shows_errors
    def _editable(self, key: str | None = None):
        """None when the signed-in member may edit this agent's rules (and `key` is a slot)."""
        with self.unit() as (session, actor):
            require_agent(session, actor, self._agent_id(), minimum="Admin")
        if key is not None and key not in KEYS:
            return rx.toast.error("Unknown rule.")
        return None

    def _touch(self, key: str) -> None:
        self.errors = {k: v for k, v in self.errors.items() if k != key and k != OTHER[key]}
        self.dirty = self.dirty | {key.split("_")[0]: True}

    def _member(self, key: str, member_id) -> str | None:
        uid = str(member_id)
        return uid if any(m.id == uid for m in self.members) else None

    @rx.event
    def set_strategy(self, key: str, value: str):
        if (denied := self._editable(key)) is not None:
            return denied
        method = key.split("_")[0]
        if value not in service.strategies_for(method):
            return rx.toast.error("Choose one of the listed options.")
        self.strategy = self.strategy | {key: value}
        self._touch(key)
        return None

    def _pick(self, key: str, member_id) -> tuple:
        """The member id to put in slot `key`, or None and the toast saying why not."""
        if (denied := self._editable(key)) is not None:
            return None, denied
        uid = self._member(key, member_id)
        if uid is None:
            return None, rx.toast.error("Choose a member from the list.")
        if uid in self._chosen(OTHER[key]):
            return None, rx.toast.error(
                f"{self.names.get(uid)} is already chosen in the other slot."
            )
        return uid, None

    @rx.event
    def set_selected(self, key: str, member_id: str):
        uid, refused = self._pick(key, member_id)
        if uid is None:
            return refused
        self.selected = self.selected | {key: uid}
        self._touch(key)
        return None

    @rx.event
    def add_to_rotation(self, key: str, member_id: str):
        uid, refused = self._pick(key, member_id)
        if uid is None:
            return refused
        if uid not in self.rotation.get(key, []):
            self.rotation = self.rotation | {key: [*self.rotation.get(key, []), uid]}
            self._touch(key)
        return None

    @rx.event
    def remove_from_rotation(self, key: str, member_id: str):
        if (denied := self._editable(key)) is not None:
            return denied
        self.rotation = self.rotation | {
            key: [u for u in self.rotation.get(key, []) if u != str(member_id)]
        }
        self._touch(key)
        return None

    @rx.event
    def move_in_rotation(self, key: str, member_id: str, direction: str):
        if (denied := self._editable(key)) is not None:
            return denied
        order = list(self.rotation.get(key, []))
        uid = str(member_id)
        if uid not in order or direction not in ("up", "down"):
            return rx.toast.error("That member is not in this rotation.")
        i = order.index(uid)
        j = i - 1 if direction == "up" else i + 1
        if 0 <= j < len(order):
            order[i], order[j] = order[j], order[i]
            self.rotation = self.rotation | {key: order}
            self._touch(key)
        return None

    @rx.event
    def reorder_rotation(self, key: str, ordered_ids: list[str]):
        if (denied := self._editable(key)) is not None:
            return denied
        current = list(self.rotation.get(key, []))
        new = [str(i) for i in ordered_ids] if isinstance(ordered_ids, list) else []
        if sorted(new) != sorted(current):
            return rx.toast.error("The list changed meanwhile. Try again.")
        self.rotation = self.rotation | {key: new}
        self._touch(key)
        return None

    # ------------------------------------------------------------------ saving

    def _slot_payload(self, key: str) -> dict:
        strategy = self.strategy.get(key, "none")
        ids = [self.selected.get(key, "")] if strategy == "selected" else self.rotation.get(key, [])
        return {"strategy": strategy, "member_ids": [i for i in ids if i]}

    @rx.event
    @shows_errors
    def save_assignment(self, method: str):
        if method not in METHODS:
            return rx.toast.error("Unknown creation method.")
        try:
            with self.unit() as (session, actor):
                agent_id = self._agent_id()
                result = service.save_assignment(
                    session,
                    actor,
                    agent_id,
                    method,
                    self._slot_payload(f"{method}_primary"),
                    self._slot_payload(f"{method}_secondary"),
                )
                data = service.get_automations(session, actor, agent_id)
        except ValidationError as error:
            key = f"{method}_{error.field}" if error.field in SLOTS else f"{method}_primary"
            self.errors = self.errors | {key: error.message}
            return rx.toast.error("Please fix the highlighted rule.")
        self._apply_method(data, method)
        label = service.METHODS[method]
        if not result["changed"]:
            return rx.toast.info(f"No changes to save for {label}.")
        return rx.toast.success(
            f"Admin Assignment saved for {label}. It applies to contacts created from now on."
        )

    def _apply_method(self, data: dict, method: str) -> None:
        """Show the saved rules of one method again (the other method's draft stays)."""
        for slot in SLOTS:
            key = f"{method}_{slot}"
            rule = data["assignment"][method][slot]
            ids = [str(i) for i in rule["member_ids"]]
            self.names = self.names | {str(m["id"]): m["name"] + " (left)" for m in rule["missing"]}
            self.strategy = self.strategy | {key: rule["strategy"]}
            self.selected = self.selected | {
                key: ids[0] if rule["strategy"] == "selected" and ids else ""
            }
            self.rotation = self.rotation | {key: ids if rule["strategy"] == "round_robin" else []}
            self.errors = {k: v for k, v in self.errors.items() if k != key}
        self.dirty = self.dirty | {method: False}

    @rx.event
    @shows_errors
    def discard_assignment(self, method: str):
        if method not in METHODS:
            return rx.toast.error("Unknown creation method.")
        with self.unit() as (session, actor):
            data = service.get_automations(session, actor, self._agent_id())
        self._apply_method(data, method)
        return None

    # ------------------------------------------------------------------ contact stage

    @rx.event
    def set_stage(self, source: str, stage_id: str):
        if (denied := self._editable()) is not None:
            return denied
        if source not in service.SOURCES or str(stage_id) not in {s.id for s in self.stages}:
            return rx.toast.error("Choose one of the listed stages.")
        self.stage_rules = self.stage_rules | {source: str(stage_id)}
        self.stages_dirty = True
        return None

    @rx.event
    @shows_errors
    def save_stages(self):
        with self.unit() as (session, actor):
            agent_id = self._agent_id()
            result = service.save_stage_rules(
                session,
                actor,
                agent_id,
                {src: sid for src, sid in self.stage_rules.items() if sid},
            )
            data = service.get_automations(session, actor, agent_id)
        self.stages = pick_all(Choice, data["stages"])
        self.stage_rules = {
            src: str(sid) if sid else "" for src, sid in data["stage_rules"].items()
        }
        self.stages_dirty = False
        if not result["changed"]:
            return rx.toast.info("No changes to save.")
        return rx.toast.success(
            "Starting stages saved. They apply to contacts created from now on."
        )
